import { STATUS_CODES } from 'node:http'
import { Type, type TObject } from '@sinclair/typebox'
import { ERROR_CATALOGUE, type ErrorCode } from '../../plugins/errors.ts'
import { ErrorSchema } from './common.ts'

type ErrorResponse = TObject<typeof ErrorSchema.properties>

/**
 * Response schemas for the stable codes a route can answer, grouped by the status the catalogue gives each code.
 * Each is the one error body (ErrorSchema) with a description listing its codes and an example, so the spec says
 * which codes to expect without the route repeating statuses the catalogue already knows.
 */
export function errorResponses (...codes: readonly ErrorCode[]): Record<number, ErrorResponse> {
  const byStatus = new Map<number, ErrorCode[]>()
  for (const code of codes) {
    const status = ERROR_CATALOGUE[code].status
    byStatus.set(status, [...(byStatus.get(status) ?? []), code])
  }
  return Object.fromEntries([...byStatus].map(([status, statusCodes]) => [status, errorResponse(status, statusCodes)]))
}

function errorResponse (status: number, codes: readonly ErrorCode[]): ErrorResponse {
  const [first] = codes as [ErrorCode]
  return Type.Object(ErrorSchema.properties, {
    description: codes.map(code => `${code}: ${ERROR_CATALOGUE[code].message}`).join('\n\n'),
    examples: [{ statusCode: status, code: first, error: STATUS_CODES[status] ?? 'Error', message: ERROR_CATALOGUE[first].message }]
  })
}

/** What every admin route can answer before its handler runs: the token check and its failure limit. */
export const ADMIN_ERRORS = ['UNAUTHORIZED', 'CSRF_TOKEN_INVALID', 'RATE_LIMITED'] as const satisfies readonly ErrorCode[]
