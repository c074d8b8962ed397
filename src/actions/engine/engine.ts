import type { ExecutionRow, RedeliveryAudit } from '../../../db/repositories/executions-repository.ts'
import { AppError } from '../../../plugins/errors.ts'
import { realTimer, type SetTimer } from '../../../plugins/timers.ts'
import type { ActionContext } from '../action-context.ts'
import { createBudgetGuard, type BudgetGuard } from '../budgets/budget-guard.ts'
import { inputsOverLimit, recordOverLimit } from '../input-limits.ts'
import { createActiveExecutions } from './active-executions.ts'
import { createAnswerPolicy } from './answer-policy.ts'
import { blocked, EXECUTION_EXPIRY_MS, safely, shuttingDown, storageUnavailable } from './answers.ts'
import { createAdmission } from './admission.ts'
import { createCompletionQueue, type CompleteCallbacks } from './completion-queue.ts'
import { createConnectionSlots } from './connection-slots.ts'
import { createBatchRunner } from './economy/batch-runner.ts'
import { asksForEconomy, decideEconomy } from './economy/economy-queue.ts'
import { economyRunOf } from './economy/economy-run.ts'
import { createLeaseKeeper } from './lease-keeper.ts'
import { executionFinished, type ExecutionObserver } from './observer.ts'
import { asFinalFailure } from './record.ts'
import { retryOutcome } from './retry-outcome.ts'
import { createOutcomeWriter } from './outcome-writer.ts'
import { LEASE_LOST, outcomeOf, runJob, SHUTDOWN, type EconomyRun, type JobResult } from './run-job.ts'
import { createTakeover, MAX_RUNS, type TakeoverCounts } from './takeover.ts'
import { recordedAction, type ExecutionOutcome, type ExecutionRequest, type PlanResolver, type RecordPropertyReader } from './types.ts'

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
  /**
   * False when the database is this instance's alone (SQLite): at start it then takes over every unfinished
   * execution at once, rather than waiting for the leases of the process it replaces to run out.
   */
  readonly sharedDatabase: boolean
  /** The running version, for `/api/instances`. */
  readonly version: string
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
  /**
   * Registers the instance, picks up what a stopped process left (unfinished calls run again, expired ones close,
   * pending completions go out) and from then on keeps its leases and takes over what other instances leave.
   */
  start (): Promise<void>
  /** Takes over executions whose lease ran out: runs their calls again, or closes the expired ones. */
  resume (): Promise<TakeoverCounts>
  /** One step of the economy queue now (it also runs on the engine's timer): batches out, polls, results in. */
  economyTick (): Promise<void>
  /**
   * Sends the outcome of an execution answered BLOCK to HubSpot again when its completion failed or is still pending
   * (NOT_REDELIVERABLE for any other) and returns the row after that attempt. With `audited`, the request is audited
   * in the transaction that makes it.
   */
  redeliver (portalId: number, executionId: number, audited?: RedeliveryAudit): Promise<ExecutionRow>
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
  const completions = createCompletionQueue({
    executions, complete: options.complete, clock, setTimer: options.setTimer, log: context.log, observe: observe?.onCompletion?.bind(observe),
    owner: settings.instanceId, leaseMs: settings.executionLeaseMs
  })
  const owner = settings.instanceId
  const leaseMs = settings.executionLeaseMs
  /** A lease for this instance from now: taken with a claim or a takeover, renewed by the lease keeper. */
  const lease = () => ({ owner, until: clock() + leaseMs })
  const budgets = createBudgetGuard({ budgets: repositories.budgets, clock, log: context.log, owner })
  const active = createActiveExecutions()
  /** MAX_IN_FLIGHT, shared fairly: a place is taken before the claim is written and kept until the work ends. */
  const admission = createAdmission({ maxInFlight: settings.maxInFlight, clock })
  const setTimer = options.setTimer ?? realTimer
  const policy = createAnswerPolicy({ executions, active, canComplete: options.canComplete, clock, setTimer, syncBudgetMs: settings.syncBudgetMs, ...(observe === undefined ? {} : { observe }) })
  const timers = new Set<() => void>()
  let closing = false

  function later (delayMs: number, run: () => Promise<void>): void {
    // Nothing delayed runs once closing (see the timer below), so none is set either.
    if (closing) return
    const cancel = setTimer(() => {
      timers.delete(cancel)
      if (!closing) run().catch((error: unknown) => { context.log.error({ error: (error as Error).message }, 'a delayed engine step failed') })
    }, delayMs)
    timers.add(cancel)
  }

  const writer = createOutcomeWriter({ executions, owner, later, log: context.log })

  /**
   * Runs an execution's job to its end in this process, whoever waits for it: writes the outcome, queues its
   * completion, runs it again after a transient failure HubSpot cannot retry (it was told BLOCK), and keeps trying
   * a write the database refused. Resolves with the first result, for a delivery still waiting on it.
   */
  function track (executionId: number, request: ExecutionRequest, resolvePlan: PlanResolver, startedAt: number, mayRefuse: boolean, place: () => void, economy?: EconomyRun): Promise<JobResult> {
    const { entry, finish: finished } = active.add(executionId)
    const finish = () => { finished(); place() }

    const start = (runStartedAt: number, refusable: boolean): Promise<JobResult> => {
      const job = runJob({ context, slots, budgets, observe, owner, setTimer, ...(options.readRecordProperties === undefined ? {} : { readRecordProperties: options.readRecordProperties }) }, {
        executionId, request, resolvePlan, startedAt: runStartedAt, mayRefuse: refusable, ...(economy === undefined ? {} : { economy })
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
        observe?.onExecutionFinished?.(executionFinished(recordedAction(request), result.recorded))
        if (result.completionPending) completions.kick()
        finish()
      } else if (result.kind === 'interrupted' || result.kind === 'lost') {
        if (result.kind === 'lost') context.log.warn({ executionId }, 'another instance took this execution over; its outcome here is not written')
        finish()
      } else if (result.kind === 'again') {
        const outcome = result.recorded.outcome
        const waitMs = outcome.kind === 'retry' ? outcome.retryAfterSeconds * 1000 : 1000
        later(waitMs, async () => {
          const runs = await safely(() => executions.startRun(executionId, owner)) ?? MAX_RUNS + 1
          if (runs === 0) {
            follow({ kind: 'lost' })
            return
          }
          if (runs > MAX_RUNS) {
            follow(await writer.write(executionId, asFinalFailure(result.recorded)))
            return
          }
          // A shutdown that began during the count leaves the run to the next start, as one still waiting would be.
          if (closing) return
          context.log.info({ executionId, runs, code: outcome.kind === 'retry' ? outcome.code : undefined }, 'running a blocked execution again after a transient failure')
          void start(clock(), false)
        })
      } else {
        writer.keepWriting(executionId, result.recorded, result.error, follow)
      }
    }

    const first = start(startedAt, mayRefuse)
    entry.first = first.then(outcomeOf)
    return first
  }

  async function execute (request: ExecutionRequest, executeOptions: ExecuteOptions): Promise<ExecutionOutcome> {
    if (closing) return shuttingDown()
    const admitted = admission.admit(request.portalId)
    if (!admitted.admitted) {
      observe?.onRejected?.(admitted.reason === 'instance' ? 'instance' : 'fair-share')
      return retryOutcome('RATE_LIMITED', 5, admitted.message)
    }
    const startedAt = clock()
    // Inputs (and record data) over their limits are refused before the claim: the row keeps none of them (a restart before the
    // refusal is written finds no inputs, INVALID_INPUT all the same), and the job only records the refusal.
    const refusal = inputsOverLimit(request.inputFields) ?? recordOverLimit(request.object)
    const started: ExecutionRequest = refusal === undefined ? request : { ...request, inputFields: {}, object: undefined }
    let claim
    try {
      claim = await executions.claim({
        portalId: request.portalId,
        action: recordedAction(request),
        ...(request.callbackId === undefined ? {} : { callbackId: request.callbackId }),
        ...(request.source === undefined ? {} : { source: request.source }),
        startedAt,
        request: JSON.stringify({ inputFields: started.inputFields, ...(started.object === undefined ? {} : { object: started.object }) }),
        expiresAt: startedAt + EXECUTION_EXPIRY_MS
      }, lease())
    } catch (error) {
      admitted.release()
      context.log.error({ error: (error as Error).message }, 'could not write the execution record')
      return storageUnavailable()
    }
    if (claim.kind === 'existing') {
      admitted.release()
      return await policy.answerStored(claim.execution)
    }
    // A shutdown that began while the claim was written no longer waits for new work: the row stays unfinished
    // and the next start resumes it, as it would a call the shutdown interrupted.
    if (closing) {
      admitted.release()
      return shuttingDown()
    }

    const resolvePlan: PlanResolver = refusal === undefined ? executeOptions.resolvePlan : () => { throw refusal }
    const decision = refusal === undefined && asksForEconomy(started) ? await decideEconomy(economyQueue, claim.id, started, resolvePlan, startedAt) : undefined
    if (decision?.kind === 'queued') {
      admitted.release()
      observe?.onBlocked?.(recordedAction(request))
      return blocked(claim.id, decision.expiresAt, clock())
    }
    const economyRun = decision?.kind === 'standard' ? decision.run : undefined
    // Registered in `active` in the same step the claim resolves in, so a duplicate delivery finds it running here.
    const result = track(claim.id, started, resolvePlan, startedAt, true, admitted.release, economyRun).then(outcomeOf)
    const answerRunning = () => policy.answerRunning({ id: claim.id, portalId: request.portalId, expiresAt: startedAt + EXECUTION_EXPIRY_MS, action: recordedAction(request) }, result)
    if (decision?.kind === 'standard' && decision.blocked === true) return await answerRunning()
    if (executeOptions.wait === 'full' || request.trigger === 'test' || request.callbackId === undefined) return await result
    const first = await policy.withinBudget(result, startedAt)
    if (first !== undefined) return first
    return await answerRunning()
  }

  const takeover = createTakeover({
    executions, owner, lease, clock, log: context.log, resolvePlanFor: options.resolvePlanFor, writer,
    isActive: executionId => active.has(executionId),
    run (row, request, resolvePlan, startedAt) { void track(row.id, request, resolvePlan, startedAt, false, admission.take(row.portalId), economyRunOf(row)) },
    completionQueued: () => { completions.kick() },
    ...(observe === undefined ? {} : { observe })
  })

  const keeper = createLeaseKeeper({
    executions,
    instances: repositories.instances,
    owner,
    version: options.version,
    leaseMs,
    clock,
    // Real time, whatever the engine's timer: the heartbeat says this process is alive, and a test that moves the
    // clock by hand to drive the engine's waits should not have to step through a tick every second as well.
    setTimer: realTimer,
    log: context.log,
    alone: !options.sharedDatabase,
    running: () => active.size,
    held: () => active.ids(),
    lost (executionIds) {
      for (const id of executionIds) active.get(id)?.job?.abort(LEASE_LOST)
    },
    async look () {
      if (closing) return
      await takeover.takeOver()
      const due = await executions.nextCompletionDue()
      if (due !== undefined && due <= clock()) completions.kick()
    },
    async sweep () {
      const swept = await repositories.budgets.sweepHolds(clock() - leaseMs)
      if (swept > 0) context.log.warn({ swept }, 'dropped budget holds left on finished executions; their months are summed afresh')
    }
  })

  const economyQueue = {
    context, executions, economy: repositories.economy, owner, canComplete: options.canComplete,
    ...(options.readRecordProperties === undefined ? {} : { readRecordProperties: options.readRecordProperties })
  }
  const batches = createBatchRunner({
    // Its ticks run on real time, as the lease keeper's do: a test that steps the engine's timer by hand should not
    // have to step through the queue's ticks as well (what it decides still reads the context's clock).
    context, budgets, resolvePlanFor: options.resolvePlanFor, owner, leaseMs, setTimer: realTimer,
    ...(options.readRecordProperties === undefined ? {} : { readRecordProperties: options.readRecordProperties }),
    ...(observe === undefined ? {} : { observe }),
    run (rows) {
      if (closing) return
      takeover.resume(rows).catch((error: unknown) => { context.log.error({ error: (error as Error).message }, 'could not run executions back from their batch; they are taken over when their lease runs out') })
    }
  })

  async function start (): Promise<void> {
    if (!options.sharedDatabase) {
      await takeover.takeOver(true)
      await repositories.economy.releaseLeases()
    }
    await keeper.start()
    batches.start()
    if (!options.sharedDatabase) await repositories.instances.forgetOthers(owner)
    completions.kick()
  }

  async function redeliver (portalId: number, executionId: number, audited?: RedeliveryAudit): Promise<ExecutionRow> {
    const row = await executions.findForPortal(portalId, executionId)
    if (row === undefined) throw new AppError('NOT_FOUND', `Portal ${portalId} has no execution ${executionId}.`)
    const refusal = redeliveryRefusal(row)
    if (refusal !== undefined) throw new AppError('NOT_REDELIVERABLE', `Execution ${executionId} ${refusal}.`)
    if (!await executions.requestRedelivery(executionId, clock(), audited)) {
      throw new AppError('NOT_REDELIVERABLE', `Execution ${executionId} was delivered meanwhile; nothing was sent again.`)
    }
    await completions.flush()
    return await executions.find(executionId) ?? row
  }

  async function close (): Promise<void> {
    closing = true
    const graceEnds = clock() + settings.shutdownGraceMs
    // The shutdown's own waits run on real time whatever the engine's timer: they bound how long the process takes to exit.
    if (active.size > 0) {
      context.log.info({ running: active.size, graceMs: settings.shutdownGraceMs }, 'shutting down: waiting for running executions')
      let graceTimer: NodeJS.Timeout | undefined
      await Promise.race([active.allDone(), new Promise<void>(resolve => { graceTimer = setTimeout(resolve, Math.max(0, graceEnds - clock())) })])
      clearTimeout(graceTimer)
    }
    keeper.stop()
    await batches.close()
    for (const cancel of timers) cancel()
    timers.clear()
    if (active.size > 0) {
      context.log.warn({ left: active.size }, 'shutting down: executions still running are handed to the other instances or the next start')
      await active.abortAll(SHUTDOWN, 1000)
    }
    // Outcomes finished during the grace are sent now rather than at the next start, within what is left of it
    // (at least one HubSpot call's worth); whatever is not sent stays pending in the database.
    let flushTimer: NodeJS.Timeout | undefined
    await Promise.race([completions.flush(), new Promise<void>(resolve => { flushTimer = setTimeout(resolve, Math.max(FINAL_FLUSH_MIN_MS, graceEnds - clock())) })])
    clearTimeout(flushTimer)
    await completions.close()
    try {
      await keeper.release()
    } catch (error) {
      context.log.error({ error: (error as Error).message }, 'could not hand the leases back; the other instances take the work over when they run out')
    }
  }

  return {
    execute,
    start,
    resume: async () => await takeover.takeOver(),
    economyTick: async () => { await batches.tick() },
    redeliver,
    stopAccepting () { closing = true },
    close,
    get closing () { return closing },
    budgets,
    get active () { return active.size },
    load () {
      return { running: active.size, blocked: active.blocked(), waiting: slots.waiting() }
    }
  }
}

/**
 * Why an execution's outcome may not be sent to HubSpot's callback API again, or undefined when it may. Only an
 * execution answered BLOCK has a callback HubSpot waits on, and only while its completion is pending or finally
 * failed: a resend of anything else completes, with the portal's token, a callback HubSpot already closed.
 */
function redeliveryRefusal (row: ExecutionRow): string | undefined {
  if (row.callbackId === null) return 'was a test run; HubSpot waits for no outcome'
  if (row.outputFields === null || row.status === 'running' || row.status === 'retry' || row.status === 'expired') {
    return `has no finished outcome HubSpot is waiting for (status ${row.status})`
  }
  if (row.answered !== 'block') return 'was answered in HubSpot\'s request itself; HubSpot waits for no callback'
  if (row.completionState === 'delivered') return 'was completed in HubSpot already'
  if (row.completionState !== 'failed' && row.completionState !== 'pending') return 'has no completion to resend'
  return undefined
}
