import type { ProviderError } from '../../providers/errors.ts'
import { AppError } from '../../plugins/errors.ts'
import { scrubSecrets } from '../../plugins/scrub-secrets.ts'

/** Re-exported for the callers that scrubbed through this module before the scrubber had one home. */
export { scrubSecrets }

/**
 * Turns a provider failure into the catalogue's error. Vendors echo keys in their messages, so every secret in
 * play is scrubbed from the text, and anything shaped like a provider key is masked as well.
 */
export function appErrorFromProvider (error: ProviderError, secrets: readonly string[]): AppError {
  const message = scrubSecrets(error.message, secrets)
  const retryAfterSeconds = error.retryAfterMs === undefined ? undefined : Math.max(1, Math.ceil(error.retryAfterMs / 1000))
  return new AppError(error.code, message, { retryAfterSeconds })
}
