import type Anthropic from '@anthropic-ai/sdk'
import type { InvokeRequest, InvokeResult } from '../contract.ts'
import type { ProviderError } from '../errors.ts'
import { anthropicMessageBody, type AnthropicMessageBody } from './anthropic-message-body.ts'
import { anthropicMessageResult } from './anthropic-message-result.ts'
import type { AnthropicModelProfile } from './anthropic-models.ts'

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
  const first = anthropicMessageBody(request, options.profile.reasoning)
  let adjustments = first.adjustments
  let message: Anthropic.Message
  try {
    message = await send(first.body, request.signal, options)
  } catch (error) {
    const mapped = error as ProviderError // send() throws nothing else
    if (!refusedReasoning(mapped, first.body)) throw mapped
    adjustments = [`Reasoning effort "${String(request.reasoningEffort)}" ignored: ${request.modelId} refused it.`]
    message = await send(anthropicMessageBody({ ...request, reasoningEffort: undefined }, 'none').body, request.signal, options)
  }
  return anthropicMessageResult(message, adjustments)
}

async function send (body: AnthropicMessageBody, signal: AbortSignal, options: MessagesOptions): Promise<Anthropic.Message> {
  try {
    return await options.client.messages.create(body, { signal })
  } catch (error) {
    throw options.mapError(error, signal)
  }
}

function refusedReasoning (error: ProviderError, body: AnthropicMessageBody): boolean {
  if (error.code !== 'PROVIDER_REJECTED' || error.status !== 400) return false
  if (body.output_config?.effort == null && body.thinking === undefined) return false
  return /effort|thinking|budget_tokens/i.test(error.message)
}
