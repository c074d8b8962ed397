import type Anthropic from '@anthropic-ai/sdk'
import type { BatchState, BatchStatus } from '../contract.ts'

/**
 * Where an Anthropic batch is. `in_progress` and `canceling` are `running`, and so is any word Anthropic may add:
 * only `ended` promises results. An ended batch has a result line for every request (succeeded, errored, canceled
 * or expired), so `ended` is always true of it and is the answer unless two fields agree on something narrower:
 * - `cancelled`: some requests were canceled and a cancellation was initiated (`cancel_initiated_at`). A cancel that
 *   came too late to stop anything leaves every request run, which is plain `ended`;
 * - `expired`: some requests expired and processing ended at or after `expires_at` (the 24-hour window).
 *   [UNCONFIRMED] that `ended_at` is never before `expires_at` for an expired batch; were it, the batch reads
 *   `ended`, which costs nothing: its expired requests still come back as item errors.
 * Both at once (a cancel near the deadline) read `cancelled`: someone chose to stop the batch. Never `failed`:
 * Anthropic refuses a bad batch at creation, and nothing fails a batch as a whole afterwards.
 */
export function anthropicBatchStatus (batch: Anthropic.Messages.MessageBatch): BatchStatus {
  const vendorState = String(batch.processing_status)
  return { state: vendorState === 'ended' ? endedState(batch) : 'running', vendorState }
}

function endedState (batch: Anthropic.Messages.MessageBatch): BatchState {
  const counts = batch.request_counts
  if (counts.canceled > 0 && batch.cancel_initiated_at != null) return 'cancelled'
  if (counts.expired > 0 && Date.parse(batch.ended_at ?? '') >= Date.parse(batch.expires_at)) return 'expired'
  return 'ended'
}
