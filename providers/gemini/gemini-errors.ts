import { ProviderError, providerErrorFromNetwork } from '../errors.ts'
import { providerErrorFromVendorHttp } from '../http-failure.ts'
import { loadGeminiSdk } from './gemini-sdk.ts'

/** Google's error body: `{"error": {"code", "message", "status": "<RPC status>", "details": [...]}}`. */
interface GoogleErrorBody {
  readonly message?: string
  readonly status?: string
  readonly details?: ReadonlyArray<Record<string, unknown>>
}

/**
 * Maps what `@google/genai` throws to ProviderErrors. Its `ApiError` has the HTTP status and, as its message, the
 * whole response body as JSON; it exposes no headers, so a Retry-After header is out of reach and the body's
 * `RetryInfo` is used instead. Timeouts (the SDK's `timeout` and our signal alike) arrive as a DOM `AbortError`.
 *
 * Gemini answers a bad key with 400 INVALID_ARGUMENT (reason `API_KEY_INVALID`), not 401. A 429 is a rate limit,
 * except when the quota that ran out is a daily one, or one of zero (a model the key's tier has no access to):
 * those stay exhausted for hours, so they are PROVIDER_QUOTA rather than something worth retrying within a call.
 */
export function mapGeminiError (error: unknown, signal: AbortSignal): ProviderError {
  if (ProviderError.is(error)) return error
  // Only a loaded SDK can have thrown an ApiError; until it is, whatever arrives is a network failure.
  const sdk = loadGeminiSdk.loaded()
  if (sdk === undefined || !(error instanceof sdk.ApiError)) return providerErrorFromNetwork(error, signal)
  const status = error.status
  const body = parseBody(error.message)
  const details = Array.isArray(body.details) ? body.details : []
  const reason = detailsOfType(details, 'ErrorInfo').map(detail => detail.reason).find(value => typeof value === 'string') as string | undefined
  const detail = truncate(body.message ?? '')
  const retryDelay = retryDelayMs(details)
  return providerErrorFromVendorHttp({
    vendor: 'Google Gemini',
    status,
    detail,
    vendorCode: reason ?? body.status,
    // The body's retry delay, handed to the shared rules as the header it stands in for.
    ...(retryDelay === undefined ? {} : { headers: { 'retry-after-ms': String(retryDelay) } })
  }, {
    auth: reason?.startsWith('API_KEY_') === true || (status === 400 && /api key (not valid|expired|invalid)/i.test(detail)),
    quota: (status === 400 && body.status === 'FAILED_PRECONDITION') || (status === 429 && exhaustedForLong(details, detail))
  })
}

function parseBody (message: string): GoogleErrorBody {
  try {
    const parsed = JSON.parse(message) as { error?: unknown }
    return typeof parsed.error === 'object' && parsed.error !== null ? parsed.error as GoogleErrorBody : {}
  } catch {
    return {}
  }
}

function detailsOfType (details: ReadonlyArray<Record<string, unknown>>, type: string): ReadonlyArray<Record<string, unknown>> {
  return details.filter(detail => detail['@type'] === `type.googleapis.com/google.rpc.${type}`)
}

function exhaustedForLong (details: ReadonlyArray<Record<string, unknown>>, message: string): boolean {
  const violations = detailsOfType(details, 'QuotaFailure').flatMap(detail => Array.isArray(detail.violations) ? detail.violations as Array<Record<string, unknown>> : [])
  return violations.some(violation => /per ?day/i.test(String(violation.quotaId ?? '')) || String(violation.quotaValue) === '0') ||
    /per day|daily|limit: 0\b/i.test(message)
}

/** `RetryInfo.retryDelay` is a protobuf Duration in JSON form: `"27s"`, `"0.5s"`. */
function retryDelayMs (details: ReadonlyArray<Record<string, unknown>>): number | undefined {
  for (const detail of detailsOfType(details, 'RetryInfo')) {
    const match = /^(\d+(?:\.\d+)?)s$/.exec(String(detail.retryDelay ?? ''))
    if (match?.[1] !== undefined) return Math.round(Number(match[1]) * 1000)
  }
  return undefined
}

function truncate (text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text
}
