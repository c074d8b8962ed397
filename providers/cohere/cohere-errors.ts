import { ProviderError, providerErrorFromNetwork } from '../errors.ts'
import { providerErrorFromVendorHttp } from '../http-failure.ts'
import { loadCohereSdk } from './cohere-sdk.ts'

/** 498 is Cohere's "invalid token": a revoked or malformed key, as permanent as a 401. */
const AUTH_STATUSES: ReadonlySet<number> = new Set([401, 403, 498])

/**
 * Maps what `cohere-ai` throws to ProviderErrors. Status errors carry `statusCode`, the parsed `body` and the
 * `rawResponse` headers (for Retry-After). The SDK error itself is not kept as a cause: its message embeds the whole
 * response body.
 */
export function mapCohereError (error: unknown, signal: AbortSignal): ProviderError {
  if (ProviderError.is(error)) return error
  // Only a loaded SDK can have thrown a CohereError; until it is, whatever arrives is a network failure.
  const sdk = loadCohereSdk.loaded()
  if (sdk === undefined || !(error instanceof sdk.CohereError) || typeof error.statusCode !== 'number') {
    // No status: the request never got an answer. cohere-ai 8.1.0 reports its own timeout as a plain CohereError
    // whose message is `"timeout"` (not the documented CohereTimeoutError), our abort as "The user aborted a
    // request", and a refused connection as "fetch failed"; the shared rules tell them apart by signal and message.
    return providerErrorFromNetwork(error, signal)
  }
  const status = error.statusCode
  const detail = vendorMessage(error.body)
  return providerErrorFromVendorHttp({ vendor: 'Cohere', status, detail, headers: error.rawResponse?.headers }, {
    auth: AUTH_STATUSES.has(status),
    // Trial keys answer 429 once their monthly allowance is spent; retrying within the call's deadline cannot help.
    quota: status === 429 && /\/\s*month|per month|monthly/i.test(detail)
  })
}

/** Cohere's error body is `{"id": "…", "message": "…"}`; a proxy in between may answer with plain text or HTML. */
function vendorMessage (body: unknown): string {
  const text = typeof body === 'string'
    ? body
    : typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
      ? (body as { message: string }).message
      : ''
  return text.length > 300 ? `${text.slice(0, 300)}…` : text
}
