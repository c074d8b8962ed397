import { LogController, type FastifyLoggerOptions, type RawServerDefault } from 'fastify'
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
  'body.apiKey', 'config.adminToken', 'adminToken'
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
