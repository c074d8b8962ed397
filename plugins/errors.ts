/**
 * The one error catalogue. Every error a client can see has a stable `code`; routes answer
 * `{statusCode, code, error, message}` and HubSpot executions answer `errorCode`/`errorMessage`.
 */

export const ERROR_CATALOGUE = {
  INVALID_INPUT: { status: 400, message: 'The request is not valid.' },
  INVALID_OAUTH_STATE: { status: 400, message: 'The OAuth state is missing, unknown, expired or already used: start the install again.' },
  UNAUTHORIZED: { status: 401, message: 'Send the admin token as "Authorization: Bearer <ADMIN_TOKEN>", or sign in on the admin page.' },
  CSRF_TOKEN_INVALID: { status: 403, message: 'This change needs the session\'s "x-csrf-token" header: reload the admin page and try again.' },
  INVALID_SIGNATURE: { status: 401, message: 'The HubSpot request signature is missing, wrong or expired.' },
  NOT_FOUND: { status: 404, message: 'Nothing is here.' },
  PROVIDER_UNKNOWN: { status: 404, message: 'No provider has that id.' },
  PROVIDER_NOT_CONNECTED: { status: 404, message: 'This portal has not connected that provider.' },
  ASSISTANT_NOT_FOUND: { status: 404, message: 'This portal has no assistant with that id.' },
  INVALID_API_KEY: { status: 422, message: 'The provider rejected the API key.' },
  BASE_URL_NOT_ALLOWED: { status: 422, message: 'That base URL is not allowed.' },
  MODEL_NOT_ALLOWED: { status: 422, message: 'That model is not allowed for this portal.' },
  TEMPLATE_UNRESOLVED: { status: 422, message: 'A prompt placeholder has no value.' },
  BUDGET_EXCEEDED: { status: 402, message: 'This portal has spent its monthly budget; raise it with PUT /api/portals/:portalId/budget or wait for next month.' },
  BUDGET_HELD: { status: 429, message: 'What is left of this portal\'s monthly budget is held by calls running now; try again once they end.' },
  KEY_UNREADABLE: { status: 409, message: 'The stored API key cannot be decrypted with the configured ENCRYPTION_KEYS: put the key it was encrypted with back into ENCRYPTION_KEYS, or connect the provider again.' },
  OUTPUT_FORMAT: { status: 422, message: 'The answer did not fit the requested format.' },
  PROVIDER_AUTH: { status: 502, message: 'The provider rejected the stored API key.' },
  PROVIDER_QUOTA: { status: 502, message: 'The provider account is out of quota or credit.' },
  PROVIDER_REJECTED: { status: 502, message: 'The provider refused the request.' },
  PROVIDER_TIMEOUT: { status: 504, message: 'The provider did not answer in time.' },
  PROVIDER_RATE_LIMITED: { status: 429, message: 'The provider is rate limiting this key; try again later.' },
  PROVIDER_UNAVAILABLE: { status: 503, message: 'The provider is unavailable; try again later.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; try again later.' },
  STORAGE_UNAVAILABLE: { status: 503, message: 'The service could not write to its database (disk full or unavailable); HubSpot will retry.' },
  EXECUTION_EXPIRED: { status: 504, message: 'HubSpot stopped waiting for this execution before it finished.' },
  NOT_REDELIVERABLE: { status: 409, message: 'This execution has no outcome HubSpot is waiting for.' },
  SHUTTING_DOWN: { status: 503, message: 'This instance is shutting down; HubSpot will retry.' },
  HUBSPOT_NOT_CONFIGURED: { status: 503, message: 'HUBSPOT_CLIENT_SECRET is not set, so HubSpot requests cannot be verified.' },
  HUBSPOT_API_ERROR: { status: 502, message: 'HubSpot\'s API refused the request.' },
  ADMIN_PAGE_NOT_BUILT: { status: 503, message: 'The admin page is not built: run "npm run build" (npm ci does it).' },
  INTERNAL: { status: 500, message: 'Something went wrong on our side.' }
} as const satisfies Record<string, { status: number, message: string }>

export type ErrorCode = keyof typeof ERROR_CATALOGUE

export class AppError extends Error {
  readonly code: ErrorCode
  readonly statusCode: number
  /** Seconds the client should wait, sent as Retry-After. */
  readonly retryAfterSeconds?: number

  constructor (code: ErrorCode, message?: string, options: { retryAfterSeconds?: number, cause?: unknown } = {}) {
    super(message ?? ERROR_CATALOGUE[code].message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.statusCode = ERROR_CATALOGUE[code].status
    this.retryAfterSeconds = options.retryAfterSeconds
  }
}

export function isAppError (value: unknown): value is AppError {
  return value instanceof AppError
}

/** How much of a refused value a message quotes: enough to recognise it, never the value whole. */
export const QUOTED_VALUE_CHARACTERS = 40

/**
 * A value as an error message quotes it: JSON-quoted (control characters escaped, one line), and past
 * QUOTED_VALUE_CHARACTERS cut with `…` and followed by its length, since messages are stored with the execution and
 * sent to HubSpot's workflow history.
 */
export function quoteExcerpt (value: string): string {
  if (value.length <= QUOTED_VALUE_CHARACTERS) return JSON.stringify(value)
  // A cut between the two halves of a surrogate pair would leave half a character.
  const cut = value.slice(0, QUOTED_VALUE_CHARACTERS).replace(/[\uD800-\uDBFF]$/, '')
  return `${JSON.stringify(`${cut}…`)} (${value.length.toLocaleString('en-US')} characters)`
}
