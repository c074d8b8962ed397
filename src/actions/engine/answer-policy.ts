import type { ExecutionRow, ExecutionsRepository } from '../../../db/repositories/executions-repository.ts'
import type { SetTimer } from '../../../plugins/timers.ts'
import type { ActiveExecutions } from './active-executions.ts'
import { blocked, safely, stillRunning, storageUnavailable } from './answers.ts'
import type { ExecutionObserver } from './observer.ts'
import { storedOutcome } from './record.ts'
import type { ExecutionOutcome } from './types.ts'

/** How long an answer waits for a run whose row is already finished to hand over its outcome. */
const FINISHED_RUN_WAIT_MS = 1_000

export interface AnswerPolicyOptions {
  readonly executions: Pick<ExecutionsRepository, 'markBlocked'>
  readonly active: ActiveExecutions
  /** Whether the portal holds OAuth tokens, so it can be BLOCKed and completed later. */
  readonly canComplete: (portalId: number) => Promise<boolean>
  readonly clock: () => number
  readonly setTimer: SetTimer
  readonly syncBudgetMs: number
  readonly observe?: ExecutionObserver
}

export interface AnswerPolicy {
  /** The outcome if it comes before the execution's SYNC_BUDGET_MS (counted from `startedAt`) runs out, else undefined. */
  withinBudget (outcome: Promise<ExecutionOutcome>, startedAt: number): Promise<ExecutionOutcome | undefined>
  /**
   * Past the budget: BLOCK when HubSpot can be completed later, else 503 while the call goes on. `outcome` is this
   * process's run of the execution: when the run ends between the budget and the BLOCK mark, with no answer stored
   * (a retry HubSpot should make, as a full provider queue's 429), its own answer is given rather than "still running".
   */
  answerRunning (row: Pick<ExecutionRow, 'id' | 'portalId' | 'expiresAt' | 'action'>, outcome?: Promise<ExecutionOutcome>): Promise<ExecutionOutcome>
  /**
   * A delivery of a callbackId already claimed: its stored outcome, or BLOCK/503 while it runs. A duplicate that
   * arrives within the first delivery's budget waits for the same answer, so both deliveries get one answer.
   */
  answerStored (row: ExecutionRow): Promise<ExecutionOutcome>
  /** A finished row's stored answer; one handed back for a retry (no outputs) is retried again. */
  answerFinished (row: ExecutionRow): ExecutionOutcome
}

/** How HubSpot is answered while an execution runs: wait up to SYNC_BUDGET_MS, then BLOCK, or 503 where BLOCK cannot be completed. */
export function createAnswerPolicy (options: AnswerPolicyOptions): AnswerPolicy {
  const { executions, active, clock, observe } = options

  /** The outcome if it comes within `waitMs`, else undefined. */
  async function within (outcome: Promise<ExecutionOutcome>, waitMs: number): Promise<ExecutionOutcome | undefined> {
    if (waitMs <= 0) return undefined
    let cancel: () => void = () => undefined
    const timeout = new Promise<undefined>(resolve => { cancel = options.setTimer(() => { resolve(undefined) }, waitMs) })
    try {
      return await Promise.race([outcome, timeout])
    } finally {
      cancel()
    }
  }

  async function withinBudget (outcome: Promise<ExecutionOutcome>, startedAt: number): Promise<ExecutionOutcome | undefined> {
    return await within(outcome, startedAt + options.syncBudgetMs - clock())
  }

  function answerFinished (row: ExecutionRow): ExecutionOutcome {
    return row.outputFields !== null ? storedOutcome(row.outputFields, row.id) : stillRunning()
  }

  async function answerRunning (row: Pick<ExecutionRow, 'id' | 'portalId' | 'expiresAt' | 'action'>, outcome?: Promise<ExecutionOutcome>): Promise<ExecutionOutcome> {
    if (!(await safely(() => options.canComplete(row.portalId)) ?? false)) return stillRunning()
    let mark
    try {
      mark = await executions.markBlocked(row.id)
    } catch {
      return storageUnavailable()
    }
    if (mark.kind === 'finished') {
      // The row is finished, so this process's run (if it wrote it) resolves at once; another instance's finish
      // leaves the local run to notice it has lost the lease, which is not waited for.
      const own = mark.execution.outputFields === null && outcome !== undefined ? await within(outcome, FINISHED_RUN_WAIT_MS) : undefined
      return own ?? answerFinished(mark.execution)
    }
    if (active.markBlocked(row.id)) observe?.onBlocked?.(row.action)
    return blocked(row.id, row.expiresAt, clock())
  }

  return {
    withinBudget,
    answerRunning,
    answerFinished,
    async answerStored (row) {
      if (row.status !== 'running') return answerFinished(row)
      const first = active.get(row.id)?.first
      if (first !== undefined) {
        const outcome = await withinBudget(first, row.startedAt)
        if (outcome !== undefined) return outcome
      }
      return await answerRunning(row, first)
    }
  }
}
