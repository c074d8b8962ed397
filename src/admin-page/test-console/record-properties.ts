/** The test console's "Record properties": one `name=value` per line, blank lines skipped. */
export function parseRecordProperties (text: string): { properties: Record<string, string> } | { error: string } {
  const properties: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue
    const equals = line.indexOf('=')
    const name = equals < 0 ? '' : line.slice(0, equals).trim()
    if (equals < 0 || name === '') return { error: `Line ${index + 1} is not name=value: "${line.trim()}".` }
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) return { error: `Line ${index + 1}: "${name}" is not a property name (letters, digits, _ . - only).` }
    properties[name] = line.slice(equals + 1).trim()
  }
  return { properties }
}
