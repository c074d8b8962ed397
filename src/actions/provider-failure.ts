import type { ProviderError } from '../../providers/errors.ts'
import { AppError } from '../../plugins/errors.ts'

/**
 * Turns a provider failure into the catalogue's error. Vendors echo keys in their messages, so every secret in
 * play is scrubbed from the text, and anything shaped like a provider key is masked as well.
 */
export function appErrorFromProvider (error: ProviderError, secrets: readonly string[]): AppError {
  const message = scrubSecrets(error.message, secrets)
  const retryAfterSeconds = error.retryAfterMs === undefined ? undefined : Math.max(1, Math.ceil(error.retryAfterMs / 1000))
  return new AppError(error.code, message, { retryAfterSeconds })
}

const KEY_SHAPES = /\b(sk-[A-Za-z0-9_*.-]{6,}|sk-ant-[A-Za-z0-9_*.-]{6,}|xai-[A-Za-z0-9_*.-]{6,}|AIza[0-9A-Za-z_*-]{6,})/g

export function scrubSecrets (text: string, secrets: readonly string[]): string {
  let scrubbed = text
  for (const secret of secrets) {
    if (secret.length >= 4) scrubbed = scrubbed.split(secret).join('[redacted]')
  }
  return scrubbed.replace(KEY_SHAPES, '[redacted]')
}
