import { randomUUID } from 'node:crypto'
import type { BatchSettlement, EconomyBatchRow } from '../../../../db/repositories/economy-repository.ts'
import type { ExecutionRow, Lease } from '../../../../db/repositories/executions-repository.ts'
import type { BatchCapability, BatchItemRequest, BatchReference, BatchStatus, LlmProvider, ProviderCredentials } from '../../../../providers/contract.ts'
import { ProviderError } from '../../../../providers/errors.ts'
import { isAppError } from '../../../../plugins/errors.ts'
import type { BatchOutcome, ExecutionObserver, RanStandardReason } from '../../../../plugins/execution-observer.ts'
import type { SetTimer } from '../../../../plugins/timers.ts'
import type { ActionContext } from '../../action-context.ts'
import type { BudgetGuard } from '../../budgets/budget-guard.ts'
import { credentialsFor, findConnection, findProvider } from '../../connections.ts'
import type { PlanResolver, RecordPropertyReader } from '../types.ts'
import { buildBatchItems, requestBytes } from './batch-items.ts'
import { executionIdOf, storedAnswer } from './economy-run.ts'

/** The first poll after a submit (or a window shorter than it), doubling up to POLL_MAX_MS. */
const POLL_FIRST_MS = 15_000
const POLL_MAX_MS = 10 * 60_000
/** How often an idle queue (nothing waiting, nothing due) looks again. */
const IDLE_TICK_MS = 5_000
/** A `submitting` batch's vendor state after the vendor refused the last attempt to send it. */
const NOT_SENT = 'not-sent'
/** Batches one tick advances at most; the next tick, a moment later, takes more. */
const BATCHES_PER_TICK = 20
/** How long one vendor call of the batch API may take: an upload of a large file included. */
const BATCH_CALL_TIMEOUT_MS = 120_000

type BatchObserver = Pick<ExecutionObserver, 'onBatchSubmitted' | 'onBatchFinished' | 'onRanStandard'>

export interface BatchRunnerOptions {
  readonly context: ActionContext
  readonly budgets: BudgetGuard
  readonly resolvePlanFor: (action: string) => PlanResolver | undefined
  readonly readRecordProperties?: RecordPropertyReader
  /** This instance (`INSTANCE_ID`) and EXECUTION_LEASE_MS: batches are held under the same leases as executions. */
  readonly owner: string
  readonly leaseMs: number
  readonly setTimer: SetTimer
  /** Runs executions back from the queue (answered by their batch, or to run as standard) under the lease they carry. */
  readonly run: (rows: readonly ExecutionRow[]) => void
  readonly observe?: BatchObserver
}

export interface BatchRunner {
  /** Starts ticking: gathers waiting executions into batches, submits them, polls them, takes their results. */
  start (): void
  /** One tick now (tests; the timer runs them otherwise). Never overlaps another. */
  tick (): Promise<void>
  /** Stops ticking and hands this instance's batch leases back. */
  close (): Promise<void>
}

/** Waits between polls: POLL_FIRST_MS (or the batch window, when shorter) doubling to POLL_MAX_MS. */
export function pollDelayMs (polls: number, windowMs: number): number {
  return Math.min(POLL_MAX_MS, Math.min(POLL_FIRST_MS, windowMs) * 2 ** Math.min(polls, 16))
}

/**
 * Economy mode's half of the engine. Each tick: executions that waited ECONOMY_BATCH_WINDOW_MS (or fill
 * ECONOMY_BATCH_MAX) go out as one batch per portal, provider and model, with that portal's own key; open batches
 * due for a poll are asked where they are; an ended batch's answers go back to their executions, which then run
 * through the output format and are completed like any BLOCKed execution. Whatever the batch cannot answer (it
 * failed, expired, was cancelled, an item errored, or ECONOMY_MAX_WAIT_MS passed) runs as a standard call, and a
 * batch given up on is cancelled at the vendor. Every step is a conditional write under the batch's lease, so
 * another instance takes over a batch whose instance died, and no batch is submitted or settled twice.
 */
export function createBatchRunner (options: BatchRunnerOptions): BatchRunner {
  const { context, owner, leaseMs } = options
  const { clock, log } = context
  const economy = context.repositories.economy
  const { batchWindowMs, batchMax, maxWaitMs } = context.settings.economy
  const lease = (): Lease => ({ owner, until: clock() + leaseMs })
  const tickEveryMs = Math.max(100, Math.min(1_000, Math.floor(batchWindowMs / 4)))
  // With nothing queued and nothing due, a tick costs four statements for nothing: look less often (a wait this
  // short is nothing against the batch window, and against a provider's batch of minutes to hours).
  const idleEveryMs = Math.max(tickEveryMs, Math.min(IDLE_TICK_MS, batchWindowMs))
  let busy = true
  let cancel: (() => void) | undefined
  let running: Promise<void> | undefined
  let closed = false

  const signal = () => AbortSignal.timeout(BATCH_CALL_TIMEOUT_MS)

  /** The batch API of a batch's provider and the portal's credentials now; undefined when the connection is gone. */
  async function vendorFor (batch: EconomyBatchRow): Promise<{ readonly provider: LlmProvider, readonly capability: BatchCapability, readonly credentials: ProviderCredentials } | undefined> {
    try {
      const provider = findProvider(context, batch.provider)
      if (provider.batch === undefined) return undefined
      const connection = await findConnection(context, batch.portalId, provider.id)
      return { provider, capability: provider.batch, credentials: credentialsFor(context, connection) }
    } catch (error) {
      if (isAppError(error)) return undefined
      throw error
    }
  }

  async function runNow (rows: readonly ExecutionRow[], reason: RanStandardReason): Promise<void> {
    if (rows.length === 0) return
    for (const row of rows) if (row.economyState === 'standard') options.observe?.onRanStandard?.(row.provider ?? 'unknown', reason)
    options.run(rows)
  }

  async function settle (batch: EconomyBatchRow, settlement: Omit<BatchSettlement, 'at'>, outcome: BatchOutcome): Promise<void> {
    const rows = await economy.settle(batch.id, lease(), { ...settlement, at: clock() })
    if (rows === undefined) return
    const answered = rows.filter(row => row.economyState === 'answered').length
    options.observe?.onBatchFinished?.(batch.provider, outcome, (clock() - batch.createdAt) / 1000)
    log.info({ batch: batch.id, vendorBatchId: batch.vendorBatchId, portalId: batch.portalId, provider: batch.provider, model: batch.model, outcome, answered, ranStandard: rows.length - answered },
      `economy batch ${batch.id} ${outcome}: ${answered} answered, ${rows.length - answered} run as standard calls`)
    await runNow(rows, outcome === 'ended' ? 'item-failed' : outcome === 'abandoned' ? 'waited-too-long' : 'batch-failed')
  }

  const abandon = async (batch: EconomyBatchRow, reason: string) =>
    await settle(batch, { state: 'abandoned', answers: new Map(), notes: new Map(), otherwise: `Economy: ${reason}; it ran as a standard call.`, error: reason }, 'abandoned')

  /** Sends a batch just opened (or one whose submit failed and is due again). */
  async function submit (batch: EconomyBatchRow): Promise<void> {
    const vendor = await vendorFor(batch)
    if (vendor === undefined) return await abandon(batch, `${batch.provider} is no longer connected with a batch API for this portal`)
    const items = await economy.holdItems(batch.id, lease())
    const built = await buildBatchItems(options, items)
    const fitting = fitBatch(built.requests, vendor.capability)
    await economy.requeueItems(batch.id, fitting.left.map(request => executionIdOf(request.customId) ?? -1))
    await runNow(await economy.dropItems(batch.id, lease(), built.dropped), 'dropped')
    if (fitting.sent.length === 0) return await abandon(batch, 'none of its requests could be sent')
    // Counted before the call: a later look at a `submitting` batch with polls knows the vendor may have it.
    if (!await economy.polled(batch.id, owner, { nextPollAt: clock() + pollDelayMs(batch.polls, batchWindowMs), vendorState: null })) return
    try {
      const { batchId } = await vendor.capability.submit({ ...vendor.credentials, signal: signal(), modelId: batch.model, items: fitting.sent, label: batch.label })
      const at = clock()
      if (!await economy.submitted(batch.id, owner, batchId, at, at + pollDelayMs(0, batchWindowMs))) return
      options.observe?.onBatchSubmitted?.(batch.provider, fitting.sent.length)
      log.info({ batch: batch.id, vendorBatchId: batchId, portalId: batch.portalId, provider: batch.provider, model: batch.model, items: fitting.sent.length },
        `economy batch ${batch.id} submitted to ${batch.provider} with ${fitting.sent.length} requests`)
    } catch (error) {
      await failedCall(batch, error, 'submit')
    }
  }

  /** A vendor call that failed: a transient failure is tried again later (until the wait runs out), any other gives the batch up. */
  async function failedCall (batch: EconomyBatchRow, error: unknown, step: string): Promise<void> {
    const message = ProviderError.is(error) ? `${error.code}: ${error.message}` : (error as Error).message
    if (ProviderError.is(error) && !error.transient && step === 'submit') return await abandon(batch, `${batch.provider} refused the batch (${message})`)
    if (clock() - batch.createdAt >= maxWaitMs) return await giveUp(batch, `its batch could not be ${step === 'submit' ? 'sent' : 'checked'} within ECONOMY_MAX_WAIT_MS (${message})`)
    log.warn({ batch: batch.id, provider: batch.provider, step, error: message }, `economy batch ${batch.id}: the ${step} failed; trying again later`)
    // A submit the vendor answered with a refusal (an HTTP status) did not create a batch; a timeout or a lost
    // connection may have, so the next attempt asks the vendor first.
    const refused = step === 'submit' && ProviderError.is(error) && error.status !== undefined
    await economy.polled(batch.id, owner, { nextPollAt: clock() + pollDelayMs(batch.polls, batchWindowMs), error: message, ...(refused ? { vendorState: NOT_SENT } : {}) })
  }

  /** Cancels the batch at the vendor (so nobody pays for it twice) and runs its items as standard calls. */
  async function giveUp (batch: EconomyBatchRow, reason: string): Promise<void> {
    if (batch.vendorBatchId !== null) {
      const vendor = await vendorFor(batch)
      try {
        await vendor?.capability.cancel({ ...vendor.credentials, signal: signal(), batchId: batch.vendorBatchId })
      } catch (error) {
        log.warn({ batch: batch.id, vendorBatchId: batch.vendorBatchId, error: (error as Error).message }, `economy batch ${batch.id} could not be cancelled at ${batch.provider}`)
      }
    }
    await abandon(batch, reason)
  }

  /** A `submitting` batch taken over, or due again: found at the vendor if it got there, else sent (again). */
  async function resumeSubmit (batch: EconomyBatchRow): Promise<void> {
    if (batch.polls === 0 || batch.vendorState === NOT_SENT) return await submit(batch)
    const vendor = await vendorFor(batch)
    if (vendor === undefined) return await abandon(batch, `${batch.provider} is no longer connected for this portal`)
    if (vendor.capability.find === undefined) {
      return await abandon(batch, `an earlier attempt to send its batch may have reached ${batch.provider}, which cannot be asked whether it did`)
    }
    let found: string | undefined
    try {
      found = await vendor.capability.find({ ...vendor.credentials, signal: signal() }, batch.label)
    } catch (error) {
      return await failedCall(batch, error, 'check')
    }
    if (found === undefined) return await submit(batch)
    await economy.submitted(batch.id, owner, found, clock(), clock())
  }

  async function poll (batch: EconomyBatchRow & { readonly vendorBatchId: string }): Promise<void> {
    const vendor = await vendorFor(batch)
    if (vendor === undefined) return await abandon(batch, `${batch.provider} is no longer connected for this portal; its batch ${batch.vendorBatchId} is left to run out`)
    const reference: BatchReference = { ...vendor.credentials, signal: signal(), batchId: batch.vendorBatchId }
    let status: BatchStatus
    try {
      status = await vendor.capability.status(reference)
    } catch (error) {
      return await failedCall(batch, error, 'check')
    }
    if (status.state === 'running') {
      if (clock() - batch.createdAt >= maxWaitMs) return await giveUp(batch, `${vendor.provider.label} had not answered its batch within ECONOMY_MAX_WAIT_MS`)
      await economy.polled(batch.id, owner, { nextPollAt: clock() + pollDelayMs(batch.polls, batchWindowMs), vendorState: status.vendorState, error: null })
      return
    }
    if (status.state === 'failed') {
      return await settle(batch, { state: 'abandoned', answers: new Map(), notes: new Map(), otherwise: `Economy: ${vendor.provider.label} failed the batch (${status.reason ?? status.vendorState}); it ran as a standard call.`, vendorState: status.vendorState, error: status.reason ?? status.vendorState }, 'failed')
    }
    const answers = new Map<number, string>()
    const notes = new Map<number, string>()
    try {
      for await (const result of vendor.capability.results({ ...reference, signal: signal() })) {
        const executionId = executionIdOf(result.customId)
        if (executionId === undefined) continue
        if (result.kind === 'answer') answers.set(executionId, storedAnswer(result.result))
        else notes.set(executionId, `Economy: ${vendor.provider.label} answered this request of the batch with an error (${result.message.slice(0, 300)}); it ran as a standard call.`)
      }
    } catch (error) {
      // A refusal to hand over the results (a line too large, results no longer kept) will not change on a retry.
      if (ProviderError.is(error) && !error.transient) return await giveUp(batch, `its results could not be read (${error.code}: ${error.message})`)
      return await failedCall(batch, error, 'check')
    }
    const otherwise = status.state === 'ended'
      ? `Economy: ${vendor.provider.label}'s batch returned no result for this request; it ran as a standard call.`
      : `Economy: ${vendor.provider.label}'s batch ${status.state === 'expired' ? 'expired' : 'was cancelled'} before this request ran; it ran as a standard call.`
    await settle(batch, { state: 'done', answers, notes, otherwise, vendorState: status.vendorState }, status.state)
  }

  async function advance (batch: EconomyBatchRow): Promise<void> {
    if (batch.state === 'submitting') return await resumeSubmit(batch)
    if (batch.vendorBatchId === null) return await abandon(batch, 'its batch has no id at the vendor')
    await poll({ ...batch, vendorBatchId: batch.vendorBatchId })
  }

  async function tick (): Promise<void> {
    if (running !== undefined) return await running
    running = (async () => {
      try {
        const now = clock()
        await economy.renewLeases(owner, now + leaseMs)
        const overdue = await economy.overdueWaiting(lease(), now - maxWaitMs, 'Economy: no batch could be sent for it within ECONOMY_MAX_WAIT_MS; it ran as a standard call.', 1_000)
        await runNow(overdue, 'waited-too-long')
        const groups = await economy.readyGroups(now, batchWindowMs, batchMax)
        for (const group of groups) {
          if (closed) return
          const opened = await economy.openBatch(group, lease(), `llm-actions-${randomUUID()}`, clock(), batchMax)
          if (opened !== undefined) await submit(opened.batch)
        }
        const due = await economy.takeDue(lease(), clock(), BATCHES_PER_TICK)
        for (const batch of due) {
          if (closed) return
          await advance(batch)
        }
        busy = overdue.length + groups.length + due.length > 0 || (await economy.queueCounts()).waiting > 0
      } catch (error) {
        log.error({ error: (error as Error).message }, 'the economy queue could not advance; trying again')
      }
    })().finally(() => { running = undefined })
    return await running
  }

  function schedule (): void {
    if (closed) return
    cancel = options.setTimer(() => { void tick().finally(schedule) }, busy ? tickEveryMs : idleEveryMs)
  }

  return {
    start () { schedule() },
    tick,
    async close () {
      closed = true
      cancel?.()
      if (running !== undefined) await running
      try {
        await economy.releaseLeases(owner)
      } catch (error) {
        log.error({ error: (error as Error).message }, 'could not hand the economy batches back; the other instances take them over when their leases run out')
      }
    }
  }
}

/** The requests that fit one batch of the vendor (its request and byte limits), and the rest, for the next batch. */
function fitBatch (requests: readonly BatchItemRequest[], capability: BatchCapability): { readonly sent: BatchItemRequest[], readonly left: BatchItemRequest[] } {
  const sent: BatchItemRequest[] = []
  const left: BatchItemRequest[] = []
  let bytes = 0
  for (const request of requests) {
    const size = requestBytes(request)
    if (sent.length < capability.maxItems && bytes + size <= capability.maxBytes) {
      sent.push(request)
      bytes += size
    } else {
      left.push(request)
    }
  }
  return { sent, left }
}
