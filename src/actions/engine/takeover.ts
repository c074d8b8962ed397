import type { ExecutionRow, ExecutionsRepository, Lease } from '../../../db/repositories/executions-repository.ts'
import { AppError } from '../../../plugins/errors.ts'
import type { ActionLogger } from '../action-context.ts'
import { EXECUTION_EXPIRY_MS, parseRequest, safely } from './answers.ts'
import { executionFinished, type ExecutionObserver } from './observer.ts'
import type { OutcomeWriter } from './outcome-writer.ts'
import { asFinalFailure, recordFailure, type RecordedOutcome } from './record.ts'
import type { ExecutionRequest, PlanResolver } from './types.ts'

/** Starts of one execution's call before it is given up (crashes and transient failures after BLOCK both count). */
export const MAX_RUNS = 5
/** Executions one look takes over at most; the next look, a second later, takes more. */
const TAKEOVER_BATCH = 100

export interface TakeoverOptions {
  readonly executions: Pick<ExecutionsRepository, 'takeOver' | 'releaseAllLeases' | 'startRun'>
  /** This instance (`INSTANCE_ID`): the owner a run is started under. */
  readonly owner: string
  /** A fresh lease for this instance, from now. */
  readonly lease: () => Lease
  readonly clock: () => number
  readonly log: ActionLogger
  readonly resolvePlanFor: (action: string) => PlanResolver | undefined
  /** Writes the outcome of an execution closed without a run. */
  readonly writer: Pick<OutcomeWriter, 'write'>
  /** Whether this instance is working on the execution already (its own run, or one that waits to run again). */
  readonly isActive: (executionId: number) => boolean
  /** Runs a taken execution's call again, in this instance, to its end. */
  readonly run: (row: ExecutionRow, request: ExecutionRequest, resolvePlan: PlanResolver, startedAt: number) => void
  /** A completion was queued: send it. */
  readonly completionQueued: () => void
  readonly observe?: ExecutionObserver
}

export interface TakeoverCounts {
  readonly resumed: number
  readonly expired: number
  readonly abandoned: number
}

/**
 * Takes over executions whose lease ran out (with `everything`, all unfinished ones: only for an instance alone on
 * its database) and runs their calls again, closing the ones HubSpot stopped waiting for, test runs (nobody waits
 * for them), and ones started MAX_RUNS times already.
 */
export interface Takeover {
  /** Takes over what other instances left (with `everything`, every unfinished execution) and runs it. */
  takeOver (everything?: boolean): Promise<TakeoverCounts>
  /** Runs executions this instance holds the lease of already (back from the economy queue) the same way. */
  resume (rows: readonly ExecutionRow[]): Promise<TakeoverCounts>
}

export function createTakeover (options: TakeoverOptions): Takeover {
  const { executions, owner, lease, clock } = options

  async function close (row: ExecutionRow, recorded: RecordedOutcome): Promise<void> {
    const result = await options.writer.write(row.id, recorded)
    if (result.kind !== 'recorded') return
    options.observe?.onExecutionFinished?.(executionFinished(row.action, recorded))
    if (result.completionPending) options.completionQueued()
  }

  /** Each batch takes rows whose lease ended before `now`; the ones taken carry a lease past it, so no batch takes them again. */
  async function takeAll (now: number): Promise<ExecutionRow[]> {
    await executions.releaseAllLeases()
    const rows = []
    for (;;) {
      const batch = await executions.takeOver(lease(), now, TAKEOVER_BATCH)
      rows.push(...batch)
      if (batch.length < TAKEOVER_BATCH) return rows
    }
  }

  async function resume (taken: readonly ExecutionRow[]): Promise<TakeoverCounts> {
    const now = clock()
    let resumed = 0
    let expired = 0
    let abandoned = 0
    for (const row of taken) {
      if (options.isActive(row.id)) continue
      const resolvePlan = options.resolvePlanFor(row.action)
      const request = parseRequest(row)
      const expiresAt = row.expiresAt ?? row.startedAt + EXECUTION_EXPIRY_MS
      const failure = (error: AppError) => recordFailure(row.id, undefined, { results: [], adjustments: [] }, error, { storePrompts: false, startedAt: row.startedAt, finishedAt: now })
      if (now >= expiresAt) {
        expired++
        const recorded = failure(new AppError('EXECUTION_EXPIRED', 'HubSpot stopped waiting for this execution before it finished (the service was down past its expiry).'))
        await close(row, { ...recorded, finish: { ...recorded.finish, status: 'expired' } })
        continue
      }
      const runs = await safely(() => executions.startRun(row.id, owner)) ?? MAX_RUNS + 1
      if (runs === 0) continue
      if (row.callbackId === null || resolvePlan === undefined || request === undefined || runs > MAX_RUNS) {
        abandoned++
        const reason = row.callbackId === null
          ? 'This test run was interrupted by a restart.'
          : runs > MAX_RUNS ? `The call was started ${MAX_RUNS} times without finishing; it is given up.` : 'The execution cannot be resumed (its action or request is unknown).'
        await close(row, asFinalFailure(failure(new AppError('INTERNAL', reason))))
        continue
      }
      resumed++
      options.run(row, request, resolvePlan, now)
    }
    return { resumed, expired, abandoned }
  }

  return {
    resume,
    async takeOver (everything = false) {
      const now = clock()
      const counts = await resume(everything ? await takeAll(now) : await executions.takeOver(lease(), now, TAKEOVER_BATCH))
      if (counts.resumed + counts.expired + counts.abandoned > 0) options.log.info(counts, 'took over unfinished executions')
      return counts
    }
  }
}
