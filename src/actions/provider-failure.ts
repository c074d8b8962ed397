import { isAnswerTooLarge } from '../../providers/answer-limit.ts'
import { ProviderError, type ProviderErrorCode } from '../../providers/errors.ts'
import { AppError } from '../../plugins/errors.ts'
import { scrubSecrets, sharesSecretFragment } from '../../plugins/scrub-secrets.ts'
import type { ActionLogger } from './action-context.ts'

/** Re-exported for the callers that scrubbed through this module before the scrubber had one home. */
export { scrubSecrets }

/**
 * What of a vendor's error may be quoted in our message: a short token (`insufficient_quota`, `temperature`,
 * `RESOURCE_EXHAUSTED`) that holds no piece of a secret in play. Never the vendor's free text: vendors echo keys
 * upper-cased, base64-encoded, cut to their first or last characters or masked, and no scrubber recognises
 * every such form.
 */
const SAFE_TOKEN = /^[a-z0-9_.-]{1,64}$/i

/** Our sentence per code; `label` is the provider's name, `status` e.g. ` (HTTP 429)` or empty. */
const SENTENCES: Readonly<Record<ProviderErrorCode, (label: string, status: string) => string>> = {
  PROVIDER_AUTH: (label, status) => `${label} rejected the API key${status}. Connect a current key that has API access.`,
  PROVIDER_QUOTA: (label, status) => `${label} refused the call: the account is out of quota or credit${status}. Add credit or raise the spending limit with ${label}.`,
  PROVIDER_REJECTED: (label, status) => `${label} refused the request${status}.`,
  PROVIDER_RATE_LIMITED: (label, status) => `${label} is rate limiting this key${status}; try again later.`,
  PROVIDER_UNAVAILABLE: (label, status) => `${label} is unavailable${status}: overloaded, down or unreachable; try again later.`,
  PROVIDER_TIMEOUT: (label, status) => `${label} did not answer in time${status}.`
}

/** ProviderErrors whose message the service wrote itself (an empty answer, a plugin that threw): quoted as they are. */
const SERVICE_WRITTEN = new WeakSet<ProviderError>()

/** A ProviderError raised by the service about a provider's answer; its message is ours and reaches the user. */
export function serviceProviderError (code: ProviderErrorCode, message: string): ProviderError {
  const error = new ProviderError(code, message)
  SERVICE_WRITTEN.add(error)
  return error
}

/**
 * Turns a provider failure into the catalogue's error, with our own sentence for its code: the HTTP status, the
 * parameter the vendor named (PROVIDER_REJECTED) and the vendor's error code, each only when it is a safe token
 * sharing no fragment with `secrets`. A refused redirect says so. The vendor's message itself is dropped.
 */
export function appErrorFromProvider (error: ProviderError, secrets: readonly string[], providerLabel = 'The provider'): AppError {
  const retryAfterSeconds = error.retryAfterMs === undefined ? undefined : Math.max(1, Math.ceil(error.retryAfterMs / 1000))
  return new AppError(error.code, userMessage(error, secrets, providerLabel), { retryAfterSeconds })
}

function userMessage (error: ProviderError, secrets: readonly string[], label: string): string {
  if (SERVICE_WRITTEN.has(error) || isAnswerTooLarge(error)) return error.message
  const status = Number.isInteger(error.status) ? ` (HTTP ${String(error.status)})` : ''
  if (error.code === 'PROVIDER_REJECTED' && error.status !== undefined && error.status >= 300 && error.status < 400) {
    return `${label} answered with a redirect${status}, which is never followed: the connection's base URL must name the address that answers.`
  }
  const safe = (token: string | undefined) => token !== undefined && SAFE_TOKEN.test(token) && !sharesSecretFragment(token, secrets) ? token : undefined
  const parameter = error.code === 'PROVIDER_REJECTED' ? safe(error.param) : undefined
  const vendorCode = safe(error.vendorCode)
  return [
    SENTENCES[error.code](label, status),
    ...(parameter === undefined ? [] : [`It named the parameter ${parameter}.`]),
    ...(vendorCode === undefined ? [] : [`${label}'s error code: ${vendorCode}.`])
  ].join(' ')
}

/** A thrown value's class name, when it is a plain identifier (a class name is code, never data, but check). */
function className (error: unknown): string {
  const name = typeof error === 'object' && error !== null ? (error as { constructor?: { name?: unknown } }).constructor?.name : undefined
  return typeof name === 'string' && /^[A-Za-z_$][\w$]{0,63}$/.test(name) ? name : typeof error
}

/**
 * What a provider's call threw, as a ProviderError. A ProviderError passes through. Anything else (a plugin's
 * HTTP library error, a bug) may hold the key in its message, its stack or fields such as
 * `config.headers.Authorization`: it is logged as its class name and a scrubbed message only, never as the
 * object, and the caller gets PROVIDER_UNAVAILABLE with our own sentence.
 */
export function providerErrorFromThrown (
  error: unknown,
  source: { readonly provider: { readonly id: string, readonly label: string }, readonly secrets: readonly string[], readonly log: ActionLogger, readonly during: string }
): ProviderError {
  if (ProviderError.is(error)) return error
  const raw = error instanceof Error ? error.message : typeof error === 'string' ? error : ''
  source.log.error({
    provider: source.provider.id,
    during: source.during,
    errorClass: className(error),
    errorMessage: scrubSecrets(raw.slice(0, 500), source.secrets, { fragmentLength: 6 })
  }, 'a provider module threw something other than a ProviderError')
  return serviceProviderError('PROVIDER_UNAVAILABLE', `${source.provider.label} failed unexpectedly (its provider module threw an error the service does not recognise); the server log names it.`)
}
