import type { FastifyReply, FastifyRequest } from 'fastify'

export type CsvValue = string | number | boolean | null | undefined

// A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV Injection"). A cell starts at the
// text's start, and also after a `,`, `;`, tab or line break inside it, for a spreadsheet that splits on another
// separator than ours (`;` in much of Europe) or reads quotes only at a cell's start.
const FORMULA_STARTS = /(?:^|(?<=[,;\t\r\n]))(?=[=+\-@\t\r])/g

/**
 * RFC 4180: fields holding a comma, quote or line break are quoted, quotes doubled; lines end in CRLF. Text is
 * neutralised the OWASP way: a `'` before every formula start, which spreadsheets show as text. The column's type
 * decides: a finite number is the service's own count or sum (never negative, and a sign would be arithmetic, not
 * a formula) and is written as it is, since a `'` would make it text; any text, whoever wrote it (a workflow names
 * its own model), is neutralised.
 */
export function toCsv (columns: readonly string[], rows: ReadonlyArray<Readonly<Record<string, CsvValue>>>): string {
  const field = (value: CsvValue): string => {
    const text = value === null || value === undefined ? '' : typeof value === 'number' && Number.isFinite(value) ? String(value) : String(value).replace(FORMULA_STARTS, "'")
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
  }
  return [columns, ...rows.map(row => columns.map(column => row[column]))].map(line => line.map(field).join(',')).join('\r\n') + '\r\n'
}

/** Whether the client asked for CSV (`Accept: text/csv`); JSON stays the default for everything else. */
export function wantsCsv (request: FastifyRequest): boolean {
  return /(^|,)\s*text\/csv\s*(;|,|$)/i.test(request.headers.accept ?? '')
}

export function sendCsv (reply: FastifyReply, csv: string, filename: string): FastifyReply {
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`).send(csv)
}
