import type Anthropic from '@anthropic-ai/sdk'
import type { CallOptions, InvokeRequest, ProviderCredentials } from '../contract.ts'
import { ANTHROPIC_DEFAULT_MAX_TOKENS, type AnthropicReasoning } from './anthropic-models.ts'
import { reasoningWire } from './anthropic-reasoning.ts'

export type AnthropicMessageBody = Anthropic.MessageCreateParamsNonStreaming

/** The decided parameters of one generation, without the key or the signal (a batch item is one). */
export type AnthropicMessageRequest = Omit<InvokeRequest, keyof ProviderCredentials | keyof CallOptions>

/**
 * The Messages API body for one generation: what `invoke` sends and what a batch item carries as its `params`, so
 * the two can never drift. Fields the request leaves out are left out of the body.
 */
export function anthropicMessageBody (request: AnthropicMessageRequest, reasoning: AnthropicReasoning): { body: AnthropicMessageBody, adjustments: readonly string[] } {
  const wire = reasoningWire(request.modelId, reasoning, request.reasoningEffort, request.maxOutputTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS)
  const outputConfig: NonNullable<AnthropicMessageBody['output_config']> = {
    ...(wire.effort === undefined ? {} : { effort: wire.effort }),
    ...(request.jsonSchema === undefined ? {} : { format: { type: 'json_schema', schema: { ...request.jsonSchema } } })
  }
  const body: AnthropicMessageBody = {
    model: request.modelId,
    max_tokens: wire.maxTokens,
    messages: [{ role: 'user', content: request.prompt }],
    ...(request.instructions === undefined ? {} : { system: request.instructions }),
    ...(Object.keys(outputConfig).length === 0 ? {} : { output_config: outputConfig }),
    ...(wire.thinking === undefined ? {} : { thinking: wire.thinking })
  }
  return { body, adjustments: wire.adjustments }
}
