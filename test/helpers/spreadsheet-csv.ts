/**
 * Reads CSV the way a spreadsheet imports it: RFC 4180 quoting, and the separator of the locale (`,`; `;` in much of
 * Europe; or a tab). Read with `,`, the format we write, it is strict: lines end in CRLF, and a quote or line break
 * inside an unquoted cell, text after a closing quote or an unclosed quote throws, so a writer's mistake cannot pass
 * as a strange cell. Read with another separator it is lenient, as spreadsheets are: a quote that does not open a
 * cell is text, and so is what follows a closing quote; any line break ends a row.
 */
export function spreadsheetCells (csv: string, separator: ',' | ';' | '\t' = ','): string[][] {
  const strict = separator === ','
  if (strict && !csv.endsWith('\r\n')) throw new Error('the last line does not end in CRLF')
  const rows: string[][] = []
  let row: string[] = []
  let index = 0
  while (index < csv.length) {
    let cell = ''
    const quoted = csv[index] === '"'
    if (quoted) {
      index++
      for (;;) {
        if (index >= csv.length) throw new Error('a quoted cell is never closed')
        if (csv[index] === '"' && csv[index + 1] !== '"') break
        cell += csv[index]
        index += csv[index] === '"' ? 2 : 1
      }
      index++
    }
    while (index < csv.length && csv[index] !== separator && csv[index] !== '\r' && csv[index] !== '\n') {
      const character = csv[index] ?? ''
      if (strict && (quoted || character === '"')) throw new Error(`a stray quote or text after a closing quote at ${index}`)
      cell += character
      index++
    }
    row.push(cell)
    if (csv[index] === separator) {
      index++
      continue
    }
    const lineEnd = csv.startsWith('\r\n', index) ? 2 : 1
    if (strict && lineEnd !== 2 && index < csv.length) throw new Error(`a line break that is not CRLF at ${index}`)
    rows.push(row)
    row = []
    index += lineEnd
  }
  return rows
}

/** What a spreadsheet runs as a formula when a cell starts with it (OWASP, "CSV Injection"). */
export const FORMULA_START = /^[=+\-@\t\r]/
