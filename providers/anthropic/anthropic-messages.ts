import type Anthropic from '@anthropic-ai/sdk'
import type { FinishReason, InvokeRequest, InvokeResult } from '../contract.ts'
import type { ProviderError } from '../errors.ts'
import { ANTHROPIC_DEFAULT_MAX_TOKENS, type AnthropicModelProfile, type AnthropicReasoning } from './anthropic-models.ts'
import { reasoningWire } from './anthropic-reasoning.ts'

type MessageBody = Anthropic.MessageCreateParamsNonStreaming

export interface MessagesOptions {
  readonly client: Anthropic
  readonly profile: AnthropicModelProfile
  readonly mapError: (error: unknown, signal: AbortSignal) => ProviderError
}

/**
 * One generation through the Messages API. When the vendor refuses the reasoning settings of a model our tables
 * misjudged, the call is repeated once without them and the adjustment reported.
 */
export async function invokeMessages (request: InvokeRequest, options: MessagesOptions): Promise<InvokeResult> {
  const first = messageBody(request, options.profile.reasoning)
  let adjustments = first.adjustments
  let message: Anthropic.Message
  try {
    message = await send(first.body, request.signal, options)
  } catch (error) {
    const mapped = error as ProviderError // send() throws nothing else
    if (!refusedReasoning(mapped, first.body)) throw mapped
    adjustments = [`Reasoning effort "${String(request.reasoningEffort)}" ignored: ${request.modelId} refused it.`]
    message = await send(messageBody({ ...request, reasoningEffort: undefined }, 'none').body, request.signal, options)
  }
  return toResult(message, adjustments)
}

function messageBody (request: InvokeRequest, reasoning: AnthropicReasoning): { body: MessageBody, adjustments: readonly string[] } {
  const wire = reasoningWire(request.modelId, reasoning, request.reasoningEffort, request.maxOutputTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS)
  const outputConfig: NonNullable<MessageBody['output_config']> = {
    ...(wire.effort === undefined ? {} : { effort: wire.effort }),
    ...(request.jsonSchema === undefined ? {} : { format: { type: 'json_schema', schema: { ...request.jsonSchema } } })
  }
  const body: MessageBody = {
    model: request.modelId,
    max_tokens: wire.maxTokens,
    messages: [{ role: 'user', content: request.prompt }],
    ...(request.instructions === undefined ? {} : { system: request.instructions }),
    ...(Object.keys(outputConfig).length === 0 ? {} : { output_config: outputConfig }),
    ...(wire.thinking === undefined ? {} : { thinking: wire.thinking })
  }
  return { body, adjustments: wire.adjustments }
}

async function send (body: MessageBody, signal: AbortSignal, options: MessagesOptions): Promise<Anthropic.Message> {
  try {
    return await options.client.messages.create(body, { signal })
  } catch (error) {
    throw options.mapError(error, signal)
  }
}

function refusedReasoning (error: ProviderError, body: MessageBody): boolean {
  if (error.code !== 'PROVIDER_REJECTED' || error.status !== 400) return false
  if (body.output_config?.effort == null && body.thinking === undefined) return false
  return /effort|thinking|budget_tokens/i.test(error.message)
}

function toResult (message: Anthropic.Message, adjustments: readonly string[]): InvokeResult {
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
