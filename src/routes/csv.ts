import type { FastifyReply, FastifyRequest } from 'fastify'

export type CsvValue = string | number | boolean | null | undefined

/** RFC 4180: fields holding a comma, quote or line break are quoted, quotes doubled; lines end in CRLF. */
export function toCsv (columns: readonly string[], rows: ReadonlyArray<Readonly<Record<string, CsvValue>>>): string {
  const field = (value: CsvValue): string => {
    const text = value === null || value === undefined ? '' : String(value)
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
