import { limitBody, limitLines } from './body-limit.ts'
import { ProviderError } from './errors.ts'

/**
 * Most bytes read of one provider answer. The service keeps at most 262,144 characters of an answer
 * (MAX_ANSWER_CHARACTERS); even written entirely as JSON `\uXXXX` escapes that is 1.5 MiB, and a live model list
 * (OpenRouter's lists hundreds of models) stays well below this. Anything larger is not an answer worth holding.
 */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024

/** The refusals made here; their message is ours and names no vendor text, so it may be shown as it is. */
const TOO_LARGE = new WeakSet<ProviderError>()

/** The refusal of an answer past `maxBytes`. */
export function answerTooLarge (maxBytes: number = MAX_ANSWER_BYTES): ProviderError {
  return tooLarge(`The provider's answer was larger than ${formatMiB(maxBytes)}, the most read of one answer; it was not read further.`)
}

/** One line of a batch's results file is one answer, and held to the same limit. */
export function resultLineTooLarge (maxBytes: number = MAX_ANSWER_BYTES): ProviderError {
  return tooLarge(`A line of the provider's batch results was larger than ${formatMiB(maxBytes)}, the most read of one answer; it was not read further.`)
}

/** For a provider that reads a batch's results whole (Gemini's inline responses) and bounds them itself. */
export function resultsTooLarge (maxBytes: number): ProviderError {
  return tooLarge(`The provider's batch results were larger than ${formatMiB(maxBytes)}, the most read of one batch; they were not read further.`)
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
export function withAnswerLimit (
  fetch: typeof globalThis.fetch,
  maxBytes: number = MAX_ANSWER_BYTES,
  refusal: () => ProviderError = () => answerTooLarge(maxBytes)
): typeof globalThis.fetch {
  return async (input, init) => limitBody(await fetch(input, init), maxBytes, refusal)
}

/**
 * The fetch for downloading a batch's results (`ProviderContext.resultsFetch`): a file of up to thousands of answers,
 * one JSON line each, read as a stream. Each line is held to the answer limit, so a single huge line fails as one
 * huge answer would; the file as a whole is not, since no more than one line of it is held at a time, and the
 * download is bounded in time by the call's signal.
 */
export function withResultsLimit (fetch: typeof globalThis.fetch, maxLineBytes: number = MAX_ANSWER_BYTES): typeof globalThis.fetch {
  return async (input, init) => limitLines(await fetch(input, init), maxLineBytes, () => resultLineTooLarge(maxLineBytes))
}

/**
 * PROVIDER_REJECTED, as a refused redirect is: an answer that breaks what the service accepts, and sending the
 * same request again would get the same answer, so it is permanent and never retried.
 */
function tooLarge (message: string): ProviderError {
  const error = new ProviderError('PROVIDER_REJECTED', message)
  TOO_LARGE.add(error)
  return error
}

function formatMiB (bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024) * 10) / 10} MiB` : `${bytes} bytes`
}
