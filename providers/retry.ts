import { ProviderError, providerErrorFromNetwork } from './errors.ts'

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number
  /** First backoff when the vendor gives no Retry-After; doubles each time, with up to 25 % jitter. */
  readonly baseDelayMs: number
  readonly maxDelayMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 3, baseDelayMs: 500, maxDelayMs: 8000 }

export interface RetryOptions {
  readonly policy?: RetryPolicy
  /** Fires at the call's hard deadline: no attempt starts, and no wait runs, past it. */
  readonly signal: AbortSignal
  /** Milliseconds left until the deadline; a wait longer than that is not started. */
  readonly remainingMs: () => number
  readonly sleep?: (milliseconds: number, signal: AbortSignal) => Promise<void>
  readonly random?: () => number
  readonly onRetry?: (details: { attempt: number, delayMs: number, error: ProviderError }) => void
}

/**
 * Runs one provider call with the service's retry rules, the same for every provider: rate limits (429) and
 * outages (5xx, 529, connection errors) are retried with backoff that honours the vendor's Retry-After; bad
 * requests, bad keys and exhausted quota never are. When the time left cannot cover the wait, the last error
 * is thrown at once, so the caller can hand the retry to HubSpot instead.
 */
export async function withRetries<T> (call: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY
  const sleep = options.sleep ?? abortableSleep
  const random = options.random ?? Math.random
  for (let attempt = 1; ; attempt++) {
    let error: ProviderError
    try {
      return await call(attempt)
    } catch (thrown) {
      error = ProviderError.is(thrown) ? thrown : providerErrorFromNetwork(thrown, options.signal)
    }
    if (!error.transient || attempt >= policy.attempts || options.signal.aborted) throw error
    const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)) * (1 + random() * 0.25)
    const delayMs = Math.round(error.retryAfterMs ?? backoff)
    if (delayMs >= options.remainingMs()) throw error
    options.onRetry?.({ attempt, delayMs, error })
    await sleep(delayMs, options.signal)
  }
}

function abortableSleep (milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve() }, milliseconds)
    function onAbort (): void { clearTimeout(timer); reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
