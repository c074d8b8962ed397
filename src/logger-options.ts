import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { LogController, type FastifyLoggerOptions, type RawServerDefault } from 'fastify'
import { REQUEST_ID_HEADER } from '../plugins/request-log.ts'
import type { PinoLoggerOptions } from 'fastify/types/logger.js'

/**
 * Log redaction, as a second line of defence: no code path logs a key or token on purpose, and these paths
 * catch the places one could slip through (headers, bodies, error objects).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-hubspot-signature"]',
  'req.headers["x-hubspot-signature-v3"]',
  'headers.authorization',
  'apiKey', '*.apiKey', '*.*.apiKey',
  'accessToken', '*.accessToken', 'refreshToken', '*.refreshToken',
  'access_token', '*.access_token', 'refresh_token', '*.refresh_token',
  'body.apiKey', 'config.adminToken', 'adminToken', 'config.metricsToken', 'metricsToken'
]

export function loggerOptions (level = 'info'): FastifyLoggerOptions<RawServerDefault> & PinoLoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      // The OAuth callback's query carries a one-time code; keep it out of access logs.
      req: request => ({ method: request.method, url: request.url.replace(/([?&](code|state)=)[^&]*/g, '$1[redacted]'), remoteAddress: request.ip })
    }
  }
}

/**
 * Fastify's own per-request lines ("incoming request", "request completed") are off: the app's request-log plugin
 * writes one line per request instead, with what the route adds (an execution's outcome). The server and the test
 * app both use this, so tests see the lines production writes.
 */
export function requestLogController (): LogController {
  return new LogController({ disableRequestLogging: true })
}

const REQUEST_ID_MAX_LENGTH = 64

/**
 * Whether a caller's request id may be used as ours: 1 to 64 of `A-Z a-z 0-9 . _ -`. It goes into every log line
 * and back out as a header, so anything else (spaces, quotes, newlines, a pasted token) is replaced. A plain loop
 * over the characters: linear, no regular expression to backtrack.
 */
export function isSafeRequestId (value: string): boolean {
  if (value.length === 0 || value.length > REQUEST_ID_MAX_LENGTH) return false
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index)
    const safe = (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) ||
      code === 46 || code === 95 || code === 45 // . _ -
    if (!safe) return false
  }
  return true
}

/**
 * Request id settings for the server and the test app alike: a safe incoming `x-request-id` is kept (so one id
 * follows a call through a proxy's logs and ours), anything else gets a random UUID. Fastify's own
 * `requestIdHeader` is off because it would take the header unchecked.
 */
export function requestIdOptions (): { requestIdHeader: false, genReqId: (request: IncomingMessage) => string } {
  return {
    requestIdHeader: false,
    genReqId: request => {
      const given = request.headers[REQUEST_ID_HEADER]
      return typeof given === 'string' && isSafeRequestId(given) ? given : randomUUID()
    }
  }
}
