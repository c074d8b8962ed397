import type { ProviderContext, ProviderDefinition } from '../contract.ts'

/**
 * A failure the stub produces for the next generation request (the route `invoke` calls), once:
 * - `unauthorized`: the vendor's answer to a revoked key (usually HTTP 401 and its error body);
 * - `rate-limited`: HTTP 429 (a `retry-after` header is welcome, see `rateLimitRetryAfterMs`);
 * - `unavailable`: HTTP 500 or 503;
 * - `hang`: no answer for at least 5 seconds (the kit gives up after `CONFORMANCE_HANG_SIGNAL_MS`).
 */
export type ConformanceFailure = 'unauthorized' | 'rate-limited' | 'unavailable' | 'hang'

/** How the kit drives the plugin's stub. */
export interface ConformanceScenarios {
  /**
   * Makes the next generation request (and only that one) fail as described by `failure`. The request after it
   * must succeed again; so a provider whose SDK retries on its own fails these checks, as it should: retries
   * belong to the service.
   */
  failNext (failure: ConformanceFailure): void | Promise<void>
}

/**
 * How a batch the kit submits comes to an end, for a provider that declares `batch`: the kit cannot move a vendor's
 * batch, so it calls `finish` (when given) right after `submit`, then polls `status` every `pollIntervalMs` until the
 * batch leaves `running`, for at most `endsWithinMs`. Against a stub, `finish` ends the batch at once; against a
 * vendor's sandbox or a stub that ends batches on its own, leave `finish` out and give a bound the vendor keeps.
 */
export interface ConformanceBatchScenario {
  /** Ends the batch `batchId` with every item answered, as the vendor does once it has run them. Called once. */
  finish? (batchId: string): void | Promise<void>
  /** Most time from `finish` (or `submit`) until `status` leaves `running`, in milliseconds (default 30 000). */
  readonly endsWithinMs?: number
  /** The wait between two `status` calls while the batch runs, in milliseconds (default 1000). */
  readonly pollIntervalMs?: number
}

export interface ConformanceOptions {
  /**
   * The provider module's default export (made with `defineProvider`). Whatever arrives is checked at run time:
   * from plain JavaScript a wrong export fails the definition checks instead of crashing the run.
   */
  readonly definition: ProviderDefinition
  /**
   * The stub's base URL, in the form the provider takes. Given as the context's `baseUrl`, and also as each
   * call's `credentials.baseUrl` when the provider sets `requiresBaseUrl`.
   */
  readonly baseUrl: string
  /** A key the stub accepts. */
  readonly goodKey: string
  /**
   * A key the stub refuses: a "canary". No error, cause, key-check reason or log line may contain it, nor the good
   * key, nor any 8-character run of either; so make both keys random-looking (`sk-canary-7f3a9c2e5b1d4e8f`), with
   * no words a message could contain (a key holding `-compatible-` trips on "OpenAI-compatible endpoint").
   */
  readonly badKey: string
  /** A model the stub serves; it need not be in the provider's curated list. */
  readonly modelId: string
  readonly scenarios: ConformanceScenarios
  /** When set, the `rate-limited` failure must carry this `retryAfterMs` (the stub's `retry-after`, parsed). */
  readonly rateLimitRetryAfterMs?: number
  /**
   * Context fields to override (`fetch`, `timeoutMs`, `log`). The kit's default `timeoutMs` is 10 000. A `log`
   * given here still receives every line; the kit reads them too, for keys.
   */
  readonly context?: Partial<Omit<ProviderContext, 'baseUrl'>>
  /**
   * How long one check may take before it counts as failed, in milliseconds (default 15 000): a provider that
   * ignores its signal must not stall a runner that has no timeout of its own.
   */
  readonly checkTimeoutMs?: number
  /**
   * How a submitted batch ends at the stub. Needed when the provider declares `batch` (without it the batch round
   * trip fails, saying so); ignored otherwise.
   */
  readonly batch?: ConformanceBatchScenario
}

/**
 * Throws a TypeError naming the first option the caller got wrong. These are mistakes in the calling test, not
 * in the provider, so they stop the run; the definition is left to the checks.
 */
export function assertConformanceOptions (options: ConformanceOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('runProviderConformance(options): options must be an object')
  for (const field of ['baseUrl', 'goodKey', 'badKey', 'modelId'] as const) {
    if (typeof options[field] !== 'string' || options[field] === '') throw new TypeError(`runProviderConformance(options): ${field} must be a non-empty string`)
  }
  if (options.goodKey === options.badKey) throw new TypeError('runProviderConformance(options): goodKey and badKey must differ')
  if (typeof options.scenarios?.failNext !== 'function') throw new TypeError('runProviderConformance(options): scenarios.failNext must be a function')
  if (options.rateLimitRetryAfterMs !== undefined && !(typeof options.rateLimitRetryAfterMs === 'number' && options.rateLimitRetryAfterMs >= 0)) {
    throw new TypeError('runProviderConformance(options): rateLimitRetryAfterMs must be a number ≥ 0 when given')
  }
  assertPositiveWhenGiven('checkTimeoutMs', options.checkTimeoutMs)
  if (options.batch !== undefined) {
    if (typeof options.batch !== 'object' || options.batch === null) throw new TypeError('runProviderConformance(options): batch must be an object when given')
    if (options.batch.finish !== undefined && typeof options.batch.finish !== 'function') {
      throw new TypeError('runProviderConformance(options): batch.finish must be a function when given')
    }
    assertPositiveWhenGiven('batch.endsWithinMs', options.batch.endsWithinMs)
    assertPositiveWhenGiven('batch.pollIntervalMs', options.batch.pollIntervalMs)
  }
}

function assertPositiveWhenGiven (field: string, value: unknown): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    throw new TypeError(`runProviderConformance(options): ${field} must be a positive number when given`)
  }
}
