import type { ExecutionRow } from '../../../db/repositories/executions-repository.ts'
import { AppError } from '../../../plugins/errors.ts'
import type { SetTimer } from '../../../plugins/timers.ts'
import type { ActionContext } from '../action-context.ts'
import { createBudgetGuard, type BudgetGuard } from '../budgets/budget-guard.ts'
import { blocked, EXECUTION_EXPIRY_MS, parseRequest, safely, shuttingDown, stillRunning, storageUnavailable, withinBudget } from './answers.ts'
import { createAdmission } from './admission.ts'
import { createCompletionQueue, type CompleteCallbacks } from './completion-queue.ts'
import { createConnectionSlots } from './connection-slots.ts'
import { executionFinished, type ExecutionObserver } from './observer.ts'
import { asFinalFailure, recordFailure, storedOutcome, type RecordedOutcome } from './record.ts'
import { outcomeOf, persist, runJob, SHUTDOWN, type JobResult, type RunningJob } from './run-job.ts'
import type { ExecutionOutcome, ExecutionRequest, PlanResolver, RecordPropertyReader } from './types.ts'

/** Starts of one execution's call before it is given up (crashes and transient failures after BLOCK both count). */
export const MAX_RUNS = 5
const MAX_WRITE_RETRY_MS = 30_000
/** The least a shutdown gives the last completion round, even with no grace left. */
const FINAL_FLUSH_MIN_MS = 2_000

export interface EngineOptions {
  /** The services every step uses; its logger is the engine's own (background work outlives any request). */
  readonly context: ActionContext
  readonly resolvePlanFor: (action: string) => PlanResolver | undefined
  readonly readRecordProperties?: RecordPropertyReader
  readonly complete: CompleteCallbacks
  /** Times the completion queue's rounds and retries on the context's clock; real timers when absent. */
  readonly setTimer?: SetTimer
  /** Whether a portal holds OAuth tokens, so an execution can be BLOCKed and completed later. */
  readonly canComplete: (portalId: number) => Promise<boolean>
  /** Told what happens (the metrics); absent, nothing is observed and nothing is spent on it. */
  readonly observe?: ExecutionObserver
}

/** What this instance holds at one moment, for a scrape. */
export interface EngineLoad {
  /** Executions being worked on (calls running or waiting, answers being written): the same count as `active`. */
  readonly running: number
  /** Of those, the ones HubSpot was answered BLOCK for and waits on a callback completion. */
  readonly blocked: number
  /** Provider calls waiting for a slot on their connection (PROVIDER_CONCURRENCY). */
  readonly waiting: number
}

export interface ExecuteOptions {
  readonly resolvePlan: PlanResolver
  /** `budget`: answer by SYNC_BUDGET_MS (BLOCK or 503 past it); `full`: wait for the end (the admin test console). */
  readonly wait: 'budget' | 'full'
}

export interface ExecutionEngine {
  execute (request: ExecutionRequest, options: ExecuteOptions): Promise<ExecutionOutcome>
  /** Picks up what the last process left: unfinished calls run again, expired ones close, pending completions go out. */
  resume (): Promise<{ resumed: number, expired: number, abandoned: number }>
  /** Sends a finished execution's outcome to HubSpot again and returns the row after that attempt. */
  redeliver (portalId: number, executionId: number): Promise<ExecutionRow>
  /** New executions are answered 503 SHUTTING_DOWN from now on (HubSpot retries them elsewhere or later). */
  stopAccepting (): void
  /** Stop taking work, give running calls SHUTDOWN_GRACE_MS, and leave the rest to the next start. */
  close (): Promise<void>
  readonly closing: boolean
  /** The portals' monthly budgets as the check before each provider call holds them; the admin API reads and refreshes it. */
  readonly budgets: BudgetGuard
  /** Executions this instance is working on (calls running or waiting, answers being written). */
  readonly active: number
  /** Counts what is held now; walks the in-memory state, so it is for scrapes, not the execution path. */
  load (): EngineLoad
}

interface ActiveExecution {
  job?: RunningJob
  /** The answer for a delivery still waiting: the first job result's outcome. */
  first?: Promise<ExecutionOutcome>
  /** Settles when nothing more will happen to this execution in this process. */
  done: Promise<void>
  /** HubSpot was answered BLOCK and waits for the callback completion. */
  blocked?: boolean
}

/**
 * The durable execution engine. Every execution is written before any provider call (the claim), runs as a job
 * that is not tied to the HTTP request, and is answered within SYNC_BUDGET_MS: its outcome, or BLOCK with the
 * outcome delivered later through HubSpot's callback API, or 503 where the portal cannot be completed later.
 * The database is the truth; memory only schedules. Exactly once: one row per callbackId, claimed in one
 * transaction, and a duplicate never starts a second generation.
 */
export function createExecutionEngine (options: EngineOptions): ExecutionEngine {
  const { context, observe } = options
  const { settings, repositories, clock } = context
  const executions = repositories.executions
  const slots = createConnectionSlots({
    concurrency: settings.providerConcurrency,
    queueLimit: settings.providerQueueLimit,
    onRefused: () => observe?.onRejected?.('connection')
  })
  const completions = createCompletionQueue({ executions, complete: options.complete, clock, setTimer: options.setTimer, log: context.log, observe: observe?.onCompletion?.bind(observe) })
  const budgets = createBudgetGuard({ budgets: repositories.budgets, clock, log: context.log })
  const active = new Map<number, ActiveExecution>()
  /** MAX_IN_FLIGHT, shared fairly: a place is taken before the claim is written and kept until the work ends. */
  const admission = createAdmission({ maxInFlight: settings.maxInFlight, clock })
  const timers = new Set<NodeJS.Timeout>()
  let closing = false

  function later (delayMs: number, run: () => Promise<void>): void {
    // Nothing delayed runs once closing (see the timer below), so none is set either: it would only hold the process.
    if (closing) return
    const timer = setTimeout(() => {
      timers.delete(timer)
      if (!closing) run().catch((error: unknown) => { context.log.error({ error: (error as Error).message }, 'a delayed engine step failed') })
    }, delayMs)
    timers.add(timer)
  }

  /**
   * Runs an execution's job to its end in this process, whoever waits for it: writes the outcome, queues its
   * completion, runs it again after a transient failure HubSpot cannot retry (it was told BLOCK), and keeps trying
   * a write the database refused. Resolves with the first result, for a delivery still waiting on it.
   */
  function track (executionId: number, request: ExecutionRequest, resolvePlan: PlanResolver, startedAt: number, mayRefuse: boolean, place: () => void): Promise<JobResult> {
    let settleDone: () => void = () => undefined
    const entry: ActiveExecution = { done: new Promise<void>(resolve => { settleDone = resolve }) }
    active.set(executionId, entry)
    const finish = () => { active.delete(executionId); place(); settleDone() }

    const start = (runStartedAt: number, refusable: boolean): Promise<JobResult> => {
      const job = runJob({ context, slots, budgets, observe, ...(options.readRecordProperties === undefined ? {} : { readRecordProperties: options.readRecordProperties }) }, {
        executionId, request, resolvePlan, startedAt: runStartedAt, mayRefuse: refusable
      })
      entry.job = job
      return job.result.then(result => {
        entry.job = undefined
        follow(result)
        return result
      })
    }

    const follow = (result: JobResult): void => {
      if (result.kind === 'recorded') {
        observe?.onExecutionFinished?.(executionFinished(request.action, result.recorded))
        if (result.completionPending) completions.kick()
        finish()
      } else if (result.kind === 'interrupted') {
        finish()
      } else if (result.kind === 'again') {
        const outcome = result.recorded.outcome
        const waitMs = outcome.kind === 'retry' ? outcome.retryAfterSeconds * 1000 : 1000
        later(waitMs, async () => {
          const runs = await safely(() => executions.startRun(executionId)) ?? MAX_RUNS + 1
          if (runs > MAX_RUNS) {
            follow(await persist(executions, executionId, asFinalFailure(result.recorded)))
            return
          }
          // A shutdown that began during the count leaves the run to the next start, as one still waiting would be.
          if (closing) return
          context.log.info({ executionId, runs, code: outcome.kind === 'retry' ? outcome.code : undefined }, 'running a blocked execution again after a transient failure')
          void start(clock(), false)
        })
      } else {
        context.log.error({ executionId, error: (result.error as Error).message }, 'could not write the execution outcome; the execution stays unfinished and the write is retried')
        retryWrite(result.recorded, 1000)
      }
    }

    const retryWrite = (recorded: RecordedOutcome, delayMs: number): void => {
      later(delayMs, async () => {
        const result = await persist(executions, executionId, recorded)
        if (result.kind === 'unwritten') retryWrite(recorded, Math.min(MAX_WRITE_RETRY_MS, delayMs * 2))
        else follow(result)
      })
    }

    const first = start(startedAt, mayRefuse)
    entry.first = first.then(outcomeOf)
    return first
  }

  async function canBlock (portalId: number): Promise<boolean> {
    return await safely(() => options.canComplete(portalId)) ?? false
  }

  /** Past the budget: BLOCK when HubSpot can be completed later, else 503 while the call goes on. */
  async function answerRunning (row: Pick<ExecutionRow, 'id' | 'portalId' | 'expiresAt' | 'action'>): Promise<ExecutionOutcome> {
    if (!await canBlock(row.portalId)) return stillRunning()
    let mark
    try {
      mark = await executions.markBlocked(row.id)
    } catch {
      return storageUnavailable()
    }
    if (mark.kind === 'blocked') {
      const entry = active.get(row.id)
      // A duplicate delivery of an execution already BLOCKed is not a second BLOCK for the counts.
      if (entry !== undefined && entry.blocked !== true) {
        entry.blocked = true
        observe?.onBlocked?.(row.action)
      }
      return blocked(row.id, row.expiresAt, clock())
    }
    return answerFinished(mark.execution)
  }

  /**
   * A delivery of a callbackId already claimed: its stored outcome, or BLOCK/503 while it runs. A duplicate that
   * arrives within the first delivery's budget waits for the same answer, so both deliveries get one answer.
   */
  async function answerStored (row: ExecutionRow): Promise<ExecutionOutcome> {
    if (row.status !== 'running') return answerFinished(row)
    const first = active.get(row.id)?.first
    const waitMs = row.startedAt + settings.syncBudgetMs - clock()
    if (first !== undefined && waitMs > 0) {
      const outcome = await withinBudget(first, waitMs)
      if (outcome !== undefined) return outcome
    }
    return await answerRunning(row)
  }

  /** A finished row's stored answer; one handed back for a retry (no outputs) is retried again. */
  function answerFinished (row: ExecutionRow): ExecutionOutcome {
    return row.outputFields !== null ? storedOutcome(row.outputFields, row.id) : stillRunning()
  }

  async function execute (request: ExecutionRequest, executeOptions: ExecuteOptions): Promise<ExecutionOutcome> {
    if (closing) return shuttingDown()
    const admitted = admission.admit(request.portalId)
    if (!admitted.admitted) {
      observe?.onRejected?.(admitted.reason === 'instance' ? 'instance' : 'fair-share')
      return { kind: 'retry', statusCode: 429, retryAfterSeconds: 5, code: 'RATE_LIMITED', message: admitted.message }
    }
    const startedAt = clock()
    let claim
    try {
      claim = await executions.claim({
        portalId: request.portalId,
        action: request.action,
        ...(request.callbackId === undefined ? {} : { callbackId: request.callbackId }),
        ...(request.source === undefined ? {} : { source: request.source }),
        startedAt,
        request: JSON.stringify({ inputFields: request.inputFields, ...(request.object === undefined ? {} : { object: request.object }) }),
        expiresAt: startedAt + EXECUTION_EXPIRY_MS
      })
    } catch (error) {
      admitted.release()
      context.log.error({ error: (error as Error).message }, 'could not write the execution record')
      return storageUnavailable()
    }
    if (claim.kind === 'existing') {
      admitted.release()
      return await answerStored(claim.execution)
    }
    // A shutdown that began while the claim was written no longer waits for new work: the row stays unfinished
    // and the next start resumes it, as it would a call the shutdown interrupted.
    if (closing) {
      admitted.release()
      return shuttingDown()
    }

    // Registered in `active` in the same step the claim resolves in, so a duplicate delivery finds it running here.
    const result = track(claim.id, request, executeOptions.resolvePlan, startedAt, true, admitted.release).then(outcomeOf)
    if (executeOptions.wait === 'full' || request.callbackId === undefined) return await result
    const first = await withinBudget(result, Math.max(0, startedAt + settings.syncBudgetMs - clock()))
    if (first !== undefined) return first
    return await answerRunning({ id: claim.id, portalId: request.portalId, expiresAt: startedAt + EXECUTION_EXPIRY_MS, action: request.action })
  }

  /** Writes the outcome of an execution closed at start without a run, and queues its completion if HubSpot waits. */
  async function closeAtStart (row: ExecutionRow, recorded: RecordedOutcome): Promise<void> {
    const result = await persist(executions, row.id, recorded)
    if (result.kind !== 'recorded') return
    observe?.onExecutionFinished?.(executionFinished(row.action, recorded))
    if (result.completionPending) completions.kick()
  }

  async function resume () {
    const now = clock()
    let resumed = 0
    let expired = 0
    let abandoned = 0
    for (const row of await executions.unfinished()) {
      if (active.has(row.id)) continue
      const resolvePlan = options.resolvePlanFor(row.action)
      const request = parseRequest(row)
      const expiresAt = row.expiresAt ?? row.startedAt + EXECUTION_EXPIRY_MS
      if (now >= expiresAt) {
        expired++
        const error = new AppError('EXECUTION_EXPIRED', 'HubSpot stopped waiting for this execution before it finished (the service was down past its expiry).')
        const recorded = recordFailure(row.id, undefined, { results: [], adjustments: [] }, error, { storePrompts: false, startedAt: row.startedAt, finishedAt: now })
        await closeAtStart(row, { ...recorded, finish: { ...recorded.finish, status: 'expired' } })
        continue
      }
      const runs = await safely(() => executions.startRun(row.id)) ?? MAX_RUNS + 1
      if (row.callbackId === null || resolvePlan === undefined || request === undefined || runs > MAX_RUNS) {
        abandoned++
        const reason = row.callbackId === null
          ? 'This test run was interrupted by a restart.'
          : runs > MAX_RUNS ? `The call was started ${MAX_RUNS} times without finishing; it is given up.` : 'The execution cannot be resumed (its action or request is unknown).'
        const recorded = recordFailure(row.id, undefined, { results: [], adjustments: [] }, new AppError('INTERNAL', reason), { storePrompts: false, startedAt: row.startedAt, finishedAt: now })
        await closeAtStart(row, asFinalFailure(recorded))
        continue
      }
      resumed++
      void track(row.id, request, resolvePlan, now, false, admission.take(row.portalId))
    }
    completions.kick()
    if (resumed + expired + abandoned > 0) context.log.info({ resumed, expired, abandoned }, 'resumed unfinished executions')
    return { resumed, expired, abandoned }
  }

  async function redeliver (portalId: number, executionId: number): Promise<ExecutionRow> {
    const row = await executions.findForPortal(portalId, executionId)
    if (row === undefined) throw new AppError('NOT_FOUND', `Portal ${portalId} has no execution ${executionId}.`)
    if (row.callbackId === null || row.outputFields === null || row.status === 'running' || row.status === 'retry' || row.status === 'expired') {
      throw new AppError('NOT_REDELIVERABLE', `Execution ${executionId} has no finished outcome HubSpot is waiting for (status ${row.status}${row.callbackId === null ? ', a test run' : ''}).`)
    }
    await executions.requestRedelivery(executionId, clock())
    await completions.flush()
    return await executions.find(executionId) ?? row
  }

  async function close (): Promise<void> {
    closing = true
    const graceEnds = clock() + settings.shutdownGraceMs
    const all = () => Promise.all([...active.values()].map(entry => entry.done))
    if (active.size > 0) {
      context.log.info({ running: active.size, graceMs: settings.shutdownGraceMs }, 'shutting down: waiting for running executions')
      let graceTimer: NodeJS.Timeout | undefined
      await Promise.race([all(), new Promise<void>(resolve => { graceTimer = setTimeout(resolve, Math.max(0, graceEnds - clock())) })])
      clearTimeout(graceTimer)
    }
    for (const timer of timers) clearTimeout(timer)
    timers.clear()
    const left = [...active.values()]
    if (left.length > 0) {
      context.log.warn({ left: left.length }, 'shutting down: executions still running are left for the next start')
      for (const entry of left) entry.job?.abort(SHUTDOWN)
      await Promise.race([Promise.all(left.map(entry => entry.job?.result)), new Promise(resolve => setTimeout(resolve, 1000).unref())])
    }
    // Outcomes finished during the grace are sent now rather than at the next start, within what is left of it
    // (at least one HubSpot call's worth); whatever is not sent stays pending in the database.
    let flushTimer: NodeJS.Timeout | undefined
    await Promise.race([completions.flush(), new Promise<void>(resolve => { flushTimer = setTimeout(resolve, Math.max(FINAL_FLUSH_MIN_MS, graceEnds - clock())) })])
    clearTimeout(flushTimer)
    await completions.close()
  }

  return {
    execute,
    resume,
    redeliver,
    stopAccepting () { closing = true },
    close,
    get closing () { return closing },
    budgets,
    get active () { return active.size },
    load () {
      let blockedCount = 0
      for (const entry of active.values()) if (entry.blocked === true) blockedCount++
      return { running: active.size, blocked: blockedCount, waiting: slots.waiting() }
    }
  }
}
