import type Anthropic from '@anthropic-ai/sdk'
import type { FinishReason, InvokeResult } from '../contract.ts'

/** A Message as the service records it, whether it came from `invoke` or from a batch's results. */
export function anthropicMessageResult (message: Anthropic.Message, adjustments: readonly string[]): InvokeResult {
  const usage = message.usage
  const cacheRead = usage.cache_read_input_tokens ?? undefined
  const thinkingTokens = usage.output_tokens_details?.thinking_tokens
  return {
    text: message.content.map(block => block.type === 'text' ? block.text : '').join(''),
    finishReason: finishReason(message.stop_reason),
    usage: {
      inputTokens: usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (cacheRead ?? 0),
      outputTokens: usage.output_tokens,
      ...(cacheRead === undefined ? {} : { cachedInputTokens: cacheRead }),
      ...(thinkingTokens === undefined ? {} : { reasoningTokens: thinkingTokens })
    },
    model: message.model,
    ...(adjustments.length === 0 ? {} : { adjustments })
  }
}

function finishReason (reason: Anthropic.StopReason | null): FinishReason {
  if (reason === 'end_turn' || reason === 'stop_sequence') return 'stop'
  if (reason === 'max_tokens' || reason === 'model_context_window_exceeded') return 'length'
  return reason === 'refusal' ? 'content-filter' : 'other'
}
