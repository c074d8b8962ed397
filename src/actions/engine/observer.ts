import type { ExecutionFinished } from '../../../plugins/execution-observer.ts'
import type { RecordedOutcome } from './record.ts'

export type { CompletionResult, ExecutionFinished, ExecutionObserver, ExecutionOutcomeLabel, RejectionReason } from '../../../plugins/execution-observer.ts'

/** What the observer is told of a written outcome. */
export function executionFinished (action: string, recorded: RecordedOutcome): ExecutionFinished {
  const { outcome, finish } = recorded
  return {
    action,
    provider: finish.provider,
    model: finish.model,
    outcome: outcome.kind === 'retry' ? 'RETRY' : outcome.state,
    code: outcome.kind === 'retry' ? outcome.code : finish.errorCode
  }
}
