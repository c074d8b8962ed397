/**
 * What the engine tells whoever watches it (the metrics plugin), free of any metrics library; declared here, below
 * both, so the engine (src/actions) tells and the plugin listens without either importing the other: the engine calls
 * these at the moments they describe and never reads anything back. Every method is optional to implement and
 * must not throw; values are raw (an action key, a provider id, a model id as the plan named it), and the watcher
 * decides which of them are safe to keep as labels.
 */
export interface ExecutionObserver {
  /**
   * An execution's outcome was written: SUCCESS or FAIL_CONTINUE, or RETRY (handed back to HubSpot with 429/503; its
   * next delivery is run and told afresh). Once per written outcome, however it came: a run, a write retried once the
   * disk had room, a run given up after MAX_RUNS, or a close at start (expired, or not resumable). A run that only
   * leads to another run (a transient failure after BLOCK) writes nothing, so it is not told here.
   */
  onExecutionFinished? (finished: ExecutionFinished): void
  /** One run ended, whatever it came to: its wall time and the part spent waiting on providers (monotonic clock). */
  onRunTimed? (seconds: number, providerSeconds: number): void
  /** HubSpot was answered BLOCK: the outcome follows through the callback API (and is told then). */
  onBlocked? (action: string): void
  /** One provider call ended, answered or failed; `costUsd` is undefined when it cost nothing known. */
  onProviderCall? (provider: string, seconds: number, costUsd: number | undefined): void
  /** Work refused with 429 RATE_LIMITED before any provider call. */
  onRejected? (reason: RejectionReason): void
  /** A completion round's answer for `executions` callbacks. */
  onCompletion? (result: CompletionResult, executions: number): void
  /** An economy batch was sent to its provider with `items` requests. */
  onBatchSubmitted? (provider: string, items: number): void
  /** An economy batch ended, and how; `waitedSeconds` from its opening to its results. */
  onBatchFinished? (provider: string, outcome: BatchOutcome, waitedSeconds: number): void
  /** An economy execution runs as a standard call instead, and why. */
  onRanStandard? (provider: string, reason: RanStandardReason): void
  /** USD an economy answer saved against the standard price. */
  onEconomySaving? (provider: string, savedUsd: number): void
}

export type BatchOutcome = 'ended' | 'expired' | 'cancelled' | 'failed' | 'abandoned'
export type RanStandardReason = 'dropped' | 'item-failed' | 'batch-failed' | 'waited-too-long'

export type ExecutionOutcomeLabel = 'SUCCESS' | 'FAIL_CONTINUE' | 'RETRY'

export interface ExecutionFinished {
  readonly action: string
  /** The provider and model that answered last (the fallback's once it was used); undefined before a plan existed. */
  readonly provider: string | undefined
  readonly model: string | undefined
  readonly outcome: ExecutionOutcomeLabel
  /** The error code of a FAIL_CONTINUE or RETRY; undefined for SUCCESS. */
  readonly code: string | undefined
}

/**
 * `instance`: MAX_IN_FLIGHT reached; `fair-share`: the portal holds its share of MAX_IN_FLIGHT while others want
 * places; `connection`: a connection's line (PROVIDER_QUEUE_LIMIT) is full. The portal's per-minute limit and wrong
 * admin tokens are refused by routes before the engine sees anything.
 */
export type RejectionReason = 'instance' | 'fair-share' | 'connection'

/** `delivered`: HubSpot accepted it; `retried`: a retry is scheduled; `failed`: given up, an operator may resend. */
export type CompletionResult = 'delivered' | 'retried' | 'failed'
