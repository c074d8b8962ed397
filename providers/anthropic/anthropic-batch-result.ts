import type Anthropic from '@anthropic-ai/sdk'
import type { BatchItemResult } from '../contract.ts'
import { anthropicMessageResult } from './anthropic-message-result.ts'

// Anthropic's error types (the SDK's `ErrorType`), the only vendor words an item's message quotes: its free text may
// echo the key, and the service runs a failed item again as a standard call, whose own error then says everything.
const ERROR_TYPES: ReadonlySet<string> = new Set([
  'invalid_request_error', 'authentication_error', 'billing_error', 'permission_error', 'not_found_error',
  'rate_limit_error', 'timeout_error', 'api_error', 'overloaded_error', 'conflict_error'
])

/**
 * One line of a batch's results. A succeeded request reads exactly like the Message `invoke` returns, except for the
 * adjustments decided at submission (a raised output-token cap), which the results cannot carry.
 */
export function anthropicBatchItemResult (line: Anthropic.Messages.MessageBatchIndividualResponse): BatchItemResult {
  const customId = line.custom_id
  const result = line.result
  switch (result.type) {
    case 'succeeded': return { customId, kind: 'answer', result: anthropicMessageResult(result.message, []) }
    case 'errored': return { customId, kind: 'error', message: erroredMessage(result.error) }
    case 'canceled': return { customId, kind: 'error', message: 'Anthropic cancelled this request before it ran: the batch was cancelled.' }
    case 'expired': return { customId, kind: 'error', message: 'Anthropic did not run this request within the batch\'s 24-hour window.' }
    default: return { customId, kind: 'error', message: 'Anthropic answered this request with a result of a kind this service does not know.' }
  }
}

function erroredMessage (response: Anthropic.ErrorResponse | undefined): string {
  // Read loosely: a proxy may send any shape here, and a bad line must not end the reading of the others.
  const type = String((response as { error?: { type?: unknown } } | undefined)?.error?.type)
  return ERROR_TYPES.has(type) ? `Anthropic refused this request in the batch (${type}).` : 'Anthropic refused this request in the batch.'
}
