/**
 * Provider failures, as the service sees them. A provider throws only `ProviderError`s; the service maps them
 * by `code` (never `instanceof`: a third-party package may carry its own copy of this module).
 */

export const PROVIDER_ERROR_CODES = [
  /** The vendor rejected the key (bad, revoked, lacking permission). Permanent. */
  'PROVIDER_AUTH',
  /** Billing or quota exhausted (`insufficient_quota`, spend cap). Permanent until someone pays. */
  'PROVIDER_QUOTA',
  /** Rate limited (429). Transient: retried, then handed back to HubSpot as 429 with Retry-After. */
  'PROVIDER_RATE_LIMITED',
  /** Overloaded, 5xx, 529 or unreachable. Transient: retried, then handed back to HubSpot as 503. */
  'PROVIDER_UNAVAILABLE',
  /** No answer within the call's deadline. */
  'PROVIDER_TIMEOUT',
  /** The vendor refused this request (400, unknown model, content too large). Permanent. */
  'PROVIDER_REJECTED'
] as const

export type ProviderErrorCode = typeof PROVIDER_ERROR_CODES[number]

const TRANSIENT: ReadonlySet<ProviderErrorCode> = new Set(['PROVIDER_RATE_LIMITED', 'PROVIDER_UNAVAILABLE'])
const MARKER = Symbol.for('hubspot-llm-actions.ProviderError')

export interface ProviderErrorDetails {
  /** The vendor's HTTP status, when there was one. */
  readonly status?: number
  /** How long the vendor asked us to wait, from `retry-after-ms` / `retry-after`. */
  readonly retryAfterMs?: number
  /** The request parameter the vendor named as the problem (`temperature`, `reasoning.effort`), if any. */
  readonly param?: string
  /** The vendor's own error code (`insufficient_quota`, `API_KEY_INVALID`), for logs. */
  readonly vendorCode?: string
  readonly cause?: unknown
}

export class ProviderError extends Error {
  readonly code: ProviderErrorCode
  readonly status?: number
  readonly retryAfterMs?: number
  readonly param?: string
  readonly vendorCode?: string

  constructor (code: ProviderErrorCode, message: string, details: ProviderErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.name = 'ProviderError'
    this.code = code
    this.status = details.status
    this.retryAfterMs = details.retryAfterMs
    this.param = details.param
    this.vendorCode = details.vendorCode
    Object.defineProperty(this, MARKER, { value: true })
  }

  /** Whether retrying the same call later may succeed. */
  get transient (): boolean {
    return TRANSIENT.has(this.code)
  }

  static is (value: unknown): value is ProviderError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true
  }
}

export interface HttpFailure {
  readonly status: number
  readonly message: string
  readonly vendorCode?: string
  readonly param?: string
  readonly headers?: HeaderSource
  readonly cause?: unknown
}

/**
 * The shared status table. Vendors differ in how they say "bad key" (xAI and Gemini answer 400), so each
 * provider first decides `isAuthFailure` / `isQuotaFailure` from its own body shape and passes the verdict.
 */
export function providerErrorFromHttp (
  failure: HttpFailure,
  verdict: { readonly auth?: boolean, readonly quota?: boolean } = {}
): ProviderError {
  const { status } = failure
  const details = {
    status,
    vendorCode: failure.vendorCode,
    param: failure.param,
    retryAfterMs: failure.headers === undefined ? undefined : retryAfterMs(failure.headers),
    cause: failure.cause
  }
  // The vendor's text would quote where it points (often a URL with a query); the status says enough.
  if (status >= 300 && status < 400) {
    return new ProviderError('PROVIDER_REJECTED', `The provider answered with a redirect (HTTP ${status}), which is never followed: the base URL must name the address that answers.`, details)
  }
  const message = failure.message
  if (verdict.auth === true || status === 401 || status === 403) return new ProviderError('PROVIDER_AUTH', message, details)
  if (verdict.quota === true || status === 402) return new ProviderError('PROVIDER_QUOTA', message, details)
  if (status === 429) return new ProviderError('PROVIDER_RATE_LIMITED', message, details)
  if (status === 408) return new ProviderError('PROVIDER_TIMEOUT', message, details)
  if (status === 409 || status >= 500) return new ProviderError('PROVIDER_UNAVAILABLE', message, details)
  return new ProviderError('PROVIDER_REJECTED', message, details)
}

export type HeaderSource = Headers | Readonly<Record<string, string | string[] | undefined>>

function header (headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined
  const record = headers as Readonly<Record<string, string | string[] | undefined>>
  const key = Object.keys(record).find(candidate => candidate.toLowerCase() === name)
  const value = key === undefined ? undefined : record[key]
  return Array.isArray(value) ? value[0] : value
}

/** `retry-after-ms` first, then `retry-after` in seconds or as an HTTP date. Undefined when absent or unusable. */
export function retryAfterMs (headers: HeaderSource, now: number = Date.now()): number | undefined {
  const milliseconds = Number(header(headers, 'retry-after-ms'))
  if (Number.isFinite(milliseconds) && milliseconds >= 0 && header(headers, 'retry-after-ms') !== undefined) return milliseconds
  const value = header(headers, 'retry-after')
  if (value === undefined || value.trim() === '') return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** For errors thrown by an aborted fetch/SDK call: our deadline fired, or the network failed. */
export function providerErrorFromNetwork (error: unknown, signal?: AbortSignal): ProviderError {
  // A ProviderError thrown by our own fetch (a refused redirect) arrives wrapped in the SDK's connection error.
  const carried = providerErrorInCauses(error)
  if (carried !== undefined) return carried
  const message = error instanceof Error ? error.message : String(error)
  const timedOut = signal?.aborted === true ||
    (error instanceof Error && /timed? ?out|timeout|abort/i.test(`${error.name} ${message}`))
  return timedOut
    ? new ProviderError('PROVIDER_TIMEOUT', 'The provider did not answer in time.', { cause: error })
    : new ProviderError('PROVIDER_UNAVAILABLE', `Could not reach the provider: ${message}`, { cause: error })
}

/** The first ProviderError in `error`'s cause chain (itself included), at most a few levels down. */
function providerErrorInCauses (error: unknown): ProviderError | undefined {
  let current = error
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if (ProviderError.is(current)) return current
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}
