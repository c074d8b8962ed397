import type { ExecutionsRepository } from '../../../db/repositories/executions-repository.ts'
import type { ActionLogger } from '../action-context.ts'
import type { RecordedOutcome } from './record.ts'
import type { JobResult } from './run-job.ts'

const FIRST_RETRY_MS = 1_000
const MAX_RETRY_MS = 30_000

/** Writes the outcome once. A failed write leaves the row unfinished and resumable, never half-written. */
export async function persist (executions: Pick<ExecutionsRepository, 'finish'>, executionId: number, recorded: RecordedOutcome, owner: string): Promise<JobResult> {
  try {
    const written = await executions.finish(executionId, recorded.finish, owner)
    if (written.lost) return { kind: 'lost' }
    if (!written.written) return { kind: 'again', recorded }
    return { kind: 'recorded', recorded, completionPending: written.completionPending }
  } catch (error) {
    return { kind: 'unwritten', recorded, error }
  }
}

export interface OutcomeWriterOptions {
  readonly executions: Pick<ExecutionsRepository, 'finish'>
  /** This instance: only the lease's owner writes. */
  readonly owner: string
  /** Runs a step later on the engine's timer (nothing runs once the engine closes). */
  readonly later: (delayMs: number, run: () => Promise<void>) => void
  readonly log: ActionLogger
}

export interface OutcomeWriter {
  /** One write, its result as it came. */
  write (executionId: number, recorded: RecordedOutcome): Promise<JobResult>
  /**
   * The database refused an outcome: write it again, 1 s later and backing off to 30 s, until it is written (or the
   * lease is gone); `then` gets the result that ended it. The execution stays unfinished meanwhile, so nothing is lost.
   */
  keepWriting (executionId: number, recorded: RecordedOutcome, error: unknown, then: (result: JobResult) => void): void
}

/** The record step's writing half: the engine's one place that writes outcomes and tries a refused write again. */
export function createOutcomeWriter (options: OutcomeWriterOptions): OutcomeWriter {
  const { executions, owner, later, log } = options
  const write = async (executionId: number, recorded: RecordedOutcome) => await persist(executions, executionId, recorded, owner)

  function retry (executionId: number, recorded: RecordedOutcome, delayMs: number, then: (result: JobResult) => void): void {
    later(delayMs, async () => {
      const result = await write(executionId, recorded)
      if (result.kind === 'unwritten') retry(executionId, recorded, Math.min(MAX_RETRY_MS, delayMs * 2), then)
      else then(result)
    })
  }

  return {
    write,
    keepWriting (executionId, recorded, error, then) {
      log.error({ executionId, error: (error as Error).message }, 'could not write the execution outcome; the execution stays unfinished and the write is retried')
      retry(executionId, recorded, FIRST_RETRY_MS, then)
    }
  }
}
