import type { InvokeResult } from '../../../providers/contract.ts'
import { AppError, isAppError } from '../../../plugins/errors.ts'
import { realTimer, type SetTimer } from '../../../plugins/timers.ts'
import type { ActionContext } from '../action-context.ts'
import type { BudgetGuard } from '../budgets/budget-guard.ts'
import { callProviders, type CallLedger } from './call.ts'
import type { ConnectionSlots } from './connection-slots.ts'
import type { ExecutionObserver } from './observer.ts'
import { prepareExecution, type PreparedExecution } from './prepare.ts'
import { recordAnswer, recordFailure, type RecordedOutcome } from './record.ts'
import { persist } from './outcome-writer.ts'
import { retryOutcome } from './retry-outcome.ts'
import type { ExecutionOutcome, ExecutionRequest, PlanResolver, RecordPropertyReader } from './types.ts'

/** Why a job's signal fired when the service stops: the job then writes nothing and is resumed at the next start. */
export const SHUTDOWN = Symbol('shutdown')
/** Why a job's signal fired when another instance took its execution over: the job writes nothing. */
export const LEASE_LOST = Symbol('lease lost')

export interface JobInput {
  readonly executionId: number
  readonly request: ExecutionRequest
  readonly resolvePlan: PlanResolver
  readonly startedAt: number
  /**
   * Whether HubSpot can still be handed this execution back (the first run, from its request): a full connection
   * line may then refuse it, and retry waits past the sync budget are left to HubSpot's own retry.
   */
  readonly mayRefuse: boolean
  /** An economy execution back from its batch: the batch's answer, or why it runs as a standard call instead. */
  readonly economy?: EconomyRun
}

export type EconomyRun =
  | { readonly answer: InvokeResult }
  /** `flex`: the execution still waits for nobody (its batch failed or took too long), so the flex tier may serve it. */
  | { readonly note: string, readonly flex?: boolean }

export interface JobDependencies {
  readonly context: ActionContext
  readonly slots: ConnectionSlots
  readonly budgets: BudgetGuard
  readonly readRecordProperties?: RecordPropertyReader
  readonly observe?: ExecutionObserver
  /** This instance (`INSTANCE_ID`): the outcome is written only while it holds the execution's lease. */
  readonly owner: string
  /** Times the PROVIDER_TIMEOUT_MS deadline on the context's clock; real timers when absent. */
  readonly setTimer?: SetTimer
}

/** What a job came to: written (answer it), left for HubSpot's BLOCK path (run again later), or not written. */
export type JobResult =
  | { readonly kind: 'recorded', readonly recorded: RecordedOutcome, readonly completionPending: boolean }
  /** A transient failure of an execution HubSpot was told BLOCK about: nothing written, run it again later. */
  | { readonly kind: 'again', readonly recorded: RecordedOutcome }
  /** The outcome could not be written (disk full): the row stays unfinished, so nothing is lost. */
  | { readonly kind: 'unwritten', readonly recorded: RecordedOutcome, readonly error: unknown }
  /** Stopped by a shutdown: nothing written; the next start resumes it. */
  | { readonly kind: 'interrupted' }
  /** Another instance holds the execution's lease now (this one was paused or cut off past it): nothing written. */
  | { readonly kind: 'lost' }

export interface RunningJob {
  readonly result: Promise<JobResult>
  /** Stops the call (for a shutdown). */
  abort (reason: unknown): void
}

/**
 * One execution's work, the steps in order: prepare, call with one repair (and the fallback), record. The
 * PROVIDER_TIMEOUT_MS deadline covers all of it and is cleared when it ends, so no timer outlives the call.
 */
export function runJob (dependencies: JobDependencies, input: JobInput): RunningJob {
  const { context } = dependencies
  const controller = new AbortController()
  const deadline = input.startedAt + context.settings.providerTimeoutMs
  const cancelDeadline = (dependencies.setTimer ?? realTimer)(() => { controller.abort(new DOMException('The provider call exceeded PROVIDER_TIMEOUT_MS.', 'TimeoutError')) }, Math.max(0, deadline - context.clock()))
  const result = (async (): Promise<JobResult> => {
    const began = performance.now()
    const ledger: CallLedger = { results: [], adjustments: input.economy !== undefined && 'note' in input.economy ? [input.economy.note] : [] }
    let prepared: PreparedExecution | undefined
    let recorded: RecordedOutcome
    const settings = () => ({ storePrompts: context.settings.storePrompts, startedAt: input.startedAt, finishedAt: context.clock() })
    // The run's claim on the portal's monthly budget: each provider call reserves its estimate, and the written
    // outcome's cost replaces them all.
    const budget = dependencies.budgets.open(input.request.portalId, input.executionId)
    try {
      prepared = await prepareExecution(context, input.request, input.resolvePlan, dependencies.readRecordProperties)
      const parsed = await callProviders(context, prepared, ledger, { signal: controller.signal, deadline, retryUntil: input.mayRefuse ? Math.min(deadline, input.startedAt + context.settings.syncBudgetMs) : deadline, slots: dependencies.slots, mayRefuse: input.mayRefuse, budget, observe: dependencies.observe, ...(input.economy === undefined ? {} : 'answer' in input.economy ? { batchAnswer: input.economy.answer } : { flex: input.economy.flex === true }) })
      recorded = recordAnswer(input.executionId, prepared, ledger, parsed, settings())
    } catch (error) {
      if (controller.signal.reason === SHUTDOWN || controller.signal.reason === LEASE_LOST) {
        await budget.close({ written: false })
        return { kind: controller.signal.reason === SHUTDOWN ? 'interrupted' : 'lost' }
      }
      if (!isAppError(error)) context.log.error({ executionId: input.executionId, err: error }, 'execution failed unexpectedly')
      const failure = isAppError(error) ? error : new AppError('INTERNAL', 'An unexpected error stopped this execution; HubSpot will retry it.', { retryAfterSeconds: 60 })
      recorded = recordFailure(input.executionId, prepared, ledger, failure, settings())
    }
    const result = await persist(context.repositories.executions, input.executionId, recorded, dependencies.owner)
    // Until this, the execution's hold on the budget counts its cost; from here, the budget's ledger does.
    await budget.close(result.kind === 'recorded' ? { written: true, costUsd: recorded.finish.costUsd } : { written: false })
    // The outcome itself is told by the engine once it is written, which may be later (or never, for a run again).
    dependencies.observe?.onRunTimed?.((performance.now() - began) / 1000, (ledger.providerMs ?? 0) / 1000)
    return result
  })().finally(cancelDeadline)
  return { result, abort: reason => controller.abort(reason) }
}

/** What HubSpot is answered for a job result, when it is still waiting on the HTTP request. */
export function outcomeOf (result: JobResult): ExecutionOutcome {
  switch (result.kind) {
    case 'recorded': return result.recorded.outcome
    case 'again': return result.recorded.outcome
    case 'unwritten': return retryOutcome('STORAGE_UNAVAILABLE', 30, 'The answer could not be saved (the database refused the write); HubSpot will retry and get it.')
    case 'interrupted': return retryOutcome('SHUTTING_DOWN', 30)
    case 'lost': return retryOutcome('PROVIDER_UNAVAILABLE', 10, 'Another instance took this execution over; its answer will be given to the next delivery.')
  }
}
