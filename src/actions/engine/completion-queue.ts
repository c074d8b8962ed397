import type { ExecutionRow, ExecutionsRepository } from '../../../db/repositories/executions-repository.ts'
import { realTimer, type SetTimer } from '../../../plugins/timers.ts'
import type { CallbackCompletion, CompleteCallbacks, CompletionAnswer } from '../../hubspot/callbacks.ts'
import type { ActionLogger } from '../action-context.ts'
import type { CompletionResult } from './observer.ts'
import { typedOutputs } from './typed-outputs.ts'
import type { OutputFields } from './types.ts'

export type { CallbackCompletion, CompleteCallbacks, CompletionAnswer }

export interface CompletionQueueOptions {
  readonly executions: ExecutionsRepository
  readonly complete: CompleteCallbacks
  readonly clock: () => number
  /** Times the rounds and retries on `clock`'s time; real timers when absent. */
  readonly setTimer?: SetTimer
  readonly log: ActionLogger
  readonly random?: () => number
  /** Told each round's answer (for the metrics); it must not throw. */
  readonly observe?: (result: CompletionResult, executions: number) => void
  /** This instance (`INSTANCE_ID`): completions are claimed under its lease, and only it delivers them. */
  readonly owner: string
  /** EXECUTION_LEASE_MS: how long a claim holds. */
  readonly leaseMs: number
}

export interface CompletionQueue {
  /** Something became due: deliver soon, batching what is ready together. */
  kick (): void
  /** Delivers everything due now and resolves when that round is over. */
  flush (): Promise<void>
  close (): Promise<void>
}

/** HubSpot's batch endpoint takes up to 100 inputs. */
export const COMPLETION_BATCH_SIZE = 100
/** Attempts before a completion is marked failed for an operator to resend: about 45 minutes of backoff. */
export const COMPLETION_MAX_ATTEMPTS = 16
const FIRST_DELAY_MS = 1_000
const MAX_DELAY_MS = 5 * 60_000
/** A Retry-After longer than this is capped: the completion is retried no later. */
const MAX_RETRY_AFTER_MS = 60 * 60_000
/** Completions ready within this window go out in one batch. */
const BATCH_WINDOW_MS = 20

/**
 * The durable completion queue: the state lives in the executions table (`completion_state`), so a crash loses
 * nothing, and this only schedules. Each round claims what is due under this instance's lease, so of several
 * instances one delivers a given completion; a claim older than half the lease is not sent (this process may have
 * been paused past it, and another instance may be delivering it now) but left to whoever claims it next. Retries HubSpot's 429 and 5xx with backoff that honours Retry-After, and gives
 * up after COMPLETION_MAX_ATTEMPTS or on a refusal, recording why so the operator can see and resend it.
 */
export function createCompletionQueue (options: CompletionQueueOptions): CompletionQueue {
  const { executions, clock, log } = options
  const random = options.random ?? Math.random
  const setTimer = options.setTimer ?? realTimer
  let cancelTimer: (() => void) | undefined
  let timerDueAt = Number.POSITIVE_INFINITY
  let round: Promise<void> | undefined
  let again = false
  let closed = false

  /** Runs a round after `delayMs`, unless one is already set to run sooner (so a burst cannot keep pushing it out). */
  function schedule (delayMs: number): void {
    if (closed) return
    const dueAt = clock() + Math.max(0, delayMs)
    if (cancelTimer !== undefined && timerDueAt <= dueAt) return
    cancelTimer?.()
    timerDueAt = dueAt
    cancelTimer = setTimer(() => { cancelTimer = undefined; timerDueAt = Number.POSITIVE_INFINITY; void flush() }, Math.max(0, delayMs))
  }

  async function scheduleNextDue (): Promise<void> {
    const due = await executions.nextCompletionDue()
    if (due !== undefined) schedule(due - clock())
  }

  function backoffMs (attempts: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return Math.min(MAX_RETRY_AFTER_MS, Math.max(retryAfterMs, 250))
    return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (attempts - 1)) * (1 + random() * 0.25)
  }

  async function deliver (portalId: number, rows: readonly ExecutionRow[]): Promise<void> {
    const completions = rows.map(row => {
      const outputFields = JSON.parse(row.outputFields ?? '{}') as OutputFields
      return { callbackId: row.callbackId ?? '', outputFields, typedOutputs: typedOutputs(outputFields) }
    })
    const answer = await options.complete(portalId, completions)
    const ids = rows.map(row => row.id)
    if (answer.kind === 'accepted') {
      await executions.completionDelivered(ids, clock(), options.owner)
      options.observe?.('delivered', ids.length)
      log.info({ portalId, executions: ids.length }, 'HubSpot accepted the completion')
      return
    }
    if (answer.kind === 'refused' && rows.length > 1) {
      // One bad callbackId must not sink the others: try them one by one.
      for (const row of rows) await deliver(portalId, [row])
      return
    }
    const attempts = Math.max(...rows.map(row => row.completionAttempts)) + 1
    const final = answer.kind !== 'retry' || attempts >= COMPLETION_MAX_ATTEMPTS
    // Whole milliseconds: the column is an integer (PostgreSQL refuses a fraction where SQLite would keep it).
    const dueAt = final ? undefined : Math.ceil(clock() + backoffMs(attempts, answer.retryAfterMs))
    const error = answer.kind === 'retry' && final ? `${answer.message} (gave up after ${attempts} attempts)` : answer.message
    await executions.completionAttemptFailed(ids, error, dueAt, options.owner)
    options.observe?.(final ? 'failed' : 'retried', ids.length)
    const details = { portalId, executions: ids.length, attempts, ...(answer.kind === 'not_installed' ? {} : { status: answer.status }) }
    if (final) log.error({ ...details, reason: answer.kind }, 'HubSpot completion failed for good; resend it with POST /api/portals/:portalId/executions/:id/redeliver')
    else log.warn({ ...details, retryInMs: dueAt === undefined ? undefined : dueAt - clock() }, 'HubSpot completion will be retried')
  }

  async function runRound (): Promise<void> {
    for (;;) {
      const claimedAt = clock()
      const due = await executions.claimCompletions({ owner: options.owner, until: claimedAt + options.leaseMs }, claimedAt, COMPLETION_BATCH_SIZE)
      if (due.length === 0) break
      const byPortal = new Map<number, ExecutionRow[]>()
      for (const row of due) byPortal.set(row.portalId, [...(byPortal.get(row.portalId) ?? []), row])
      for (const [portalId, rows] of byPortal) {
        if (clock() - claimedAt > options.leaseMs / 2) {
          log.warn({ portalId, executions: rows.length }, 'a completion claim grew old before it was sent; it is left to the next claim')
          continue
        }
        // The client never throws; a database write failing here leaves the rows pending for the next round.
        await deliver(portalId, rows)
      }
      if (closed) return
    }
    await scheduleNextDue()
  }

  function flush (): Promise<void> {
    if (round !== undefined) {
      // A round is under way: run one more after it, for what became due meanwhile.
      again = true
      return round
    }
    // Started on the next microtask, so `round` is set before any of it runs and a flush from inside sees it.
    round = Promise.resolve().then(async () => {
      do {
        again = false
        try {
          await runRound()
        } catch (error) {
          // The database itself failed (full, closed, locked): nothing was lost, the rows stay pending; try later.
          log.error({ error: (error as Error).message }, 'completion round failed; will retry')
          schedule(FIRST_DELAY_MS)
          return
        }
      } while (again && !closed)
    }).finally(() => { round = undefined })
    return round
  }

  return {
    kick () { schedule(BATCH_WINDOW_MS) },
    flush: async () => { await flush(); if (round !== undefined) await round },
    async close () {
      closed = true
      cancelTimer?.()
      if (round !== undefined) await round
    }
  }
}
