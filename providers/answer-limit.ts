import { limitBody } from './body-limit.ts'
import { ProviderError } from './errors.ts'

/**
 * Most bytes read of one provider answer. The service keeps at most 262,144 characters of an answer
 * (MAX_ANSWER_CHARACTERS); even written entirely as JSON `\uXXXX` escapes that is 1.5 MiB, and a live model list
 * (OpenRouter's lists hundreds of models) stays well below this. Anything larger is not an answer worth holding.
 */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024

/** The refusals made here; their message is ours and names no vendor text, so it may be shown as it is. */
const TOO_LARGE = new WeakSet<ProviderError>()

/**
 * PROVIDER_REJECTED, as a refused redirect is: an answer that breaks what the service accepts, and sending the
 * same request again would get the same answer, so it is permanent and never retried.
 */
export function answerTooLarge (maxBytes: number = MAX_ANSWER_BYTES): ProviderError {
  const error = new ProviderError('PROVIDER_REJECTED', `The provider's answer was larger than ${formatMiB(maxBytes)}, the most read of one answer; it was not read further.`)
  TOO_LARGE.add(error)
  return error
}

export function isAnswerTooLarge (error: ProviderError): boolean {
  return TOO_LARGE.has(error)
}

/**
 * The fetch every provider is given stops reading an answer at `maxBytes`, whoever supplied the fetch: every SDK
 * here takes it as an option. A declared length above the limit throws from the call itself, like a refused
 * redirect (the SDK wraps it as its connection error, `providerErrorFromNetwork` finds it); past the limit
 * mid-body, the SDK's read of the body rejects with it.
 */
export function withAnswerLimit (fetch: typeof globalThis.fetch, maxBytes: number = MAX_ANSWER_BYTES): typeof globalThis.fetch {
  return async (input, init) => limitBody(await fetch(input, init), maxBytes, () => answerTooLarge(maxBytes))
}

function formatMiB (bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024) * 10) / 10} MiB` : `${bytes} bytes`
}
