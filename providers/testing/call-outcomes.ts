import { ProviderError, type ProviderErrorCode } from '../errors.ts'
import type { CanaryWatch } from './canary-watch.ts'
import { describe } from './check-runner.ts'

/** The signal each call of a check gets: long enough for a loopback stub, short enough to end a stuck call. */
export function callSignal (): AbortSignal {
  return AbortSignal.timeout(5000)
}

/** Settles one call, never throwing (a synchronous throw counts as a rejection), and hands any error to the canary. */
export async function settle<T> (call: () => Promise<T>, canary: CanaryWatch, where: string): Promise<{ value?: T, error?: unknown }> {
  try {
    return { value: await call() }
  } catch (error) {
    canary.inspect(error, where)
    return { error: error ?? new Error('rejected with nothing') }
  }
}

/** The call must reject with a ProviderError of `code`; `hint` follows the problem when it resolved instead. */
export async function expectFailure (
  canary: CanaryWatch, where: string, code: ProviderErrorCode, hint: string, call: () => Promise<unknown>
): Promise<{ error?: ProviderError, problems: string[] }> {
  const outcome = await settle(call, canary, `what ${where} threw`)
  const expected = `expected a ProviderError with code ${code}`
  if (outcome.error === undefined) return { problems: [`${expected}, but ${where} resolved${hint}`] }
  const error = outcome.error
  if (!ProviderError.is(error)) {
    return { problems: [`${expected}, but ${where} threw ${describe(error)}, which is not a ProviderError from hubspot-llm-actions/provider`] }
  }
  return { error, problems: error.code === code ? [] : [`${expected}, but ${where} threw ${error.code}: ${error.message}`] }
}
