import type { BatchState } from '../contract.ts'

/**
 * Gemini's batch states, by the word after the prefix. The REST API says `BATCH_STATE_*`; @google/genai renames the
 * seven it knows to `JOB_STATE_*` (its `tJobState`) and passes anything else through, so both spellings are read.
 * `JOB_STATE_PARTIALLY_SUCCEEDED` is Vertex AI's, read as ended since every item then has a result. A state not
 * listed here (a new one, `CANCELLING`, `PAUSED`, `UNSPECIFIED`) is `running`: the service keeps asking rather than
 * giving up on a batch that may still answer.
 */
const STATES: Readonly<Record<string, BatchState>> = {
  SUCCEEDED: 'ended',
  PARTIALLY_SUCCEEDED: 'ended',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  EXPIRED: 'expired'
}

export function geminiBatchState (vendorState: string): BatchState {
  return STATES[vendorState.replace(/^(JOB|BATCH)_STATE_/, '')] ?? 'running'
}
