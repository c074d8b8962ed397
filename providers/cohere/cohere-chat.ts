import type { Cohere, CohereClientV2 } from 'cohere-ai'
import type { FinishReason, InvokeRequest, InvokeResult, ReasoningEffort } from '../contract.ts'
import type { ProviderError } from '../errors.ts'

export interface CohereChatOptions {
  readonly client: CohereClientV2
  readonly mapError: (error: unknown, signal: AbortSignal) => ProviderError
}

/**
 * Cohere has no effort levels, only a thinking-token budget, so the levels become budgets (our choice). "high" sends
 * no budget: the model then thinks as long as it needs, which is also what it does when no effort is sent at all.
 */
const THINKING: Readonly<Record<ReasoningEffort, Cohere.Thinking>> = {
  low: { type: 'enabled', tokenBudget: 1024 },
  medium: { type: 'enabled', tokenBudget: 4096 },
  high: { type: 'enabled' }
}

/** One generation through v2 chat (`POST /v2/chat`). The SDK turns camelCase fields into the snake_case wire names. */
export async function invokeCohereChat (request: InvokeRequest, options: CohereChatOptions): Promise<InvokeResult> {
  const messages: Cohere.ChatMessageV2[] = [
    ...(request.instructions === undefined || request.instructions === '' ? [] : [{ role: 'system' as const, content: request.instructions }]),
    { role: 'user', content: request.prompt }
  ]
  const body: Cohere.V2ChatRequest = {
    model: request.modelId,
    messages,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.maxOutputTokens === undefined ? {} : { maxTokens: request.maxOutputTokens }),
    ...(request.reasoningEffort === undefined ? {} : { thinking: THINKING[request.reasoningEffort] }),
    ...(request.jsonSchema === undefined ? {} : { responseFormat: { type: 'json_object', jsonSchema: { ...request.jsonSchema } } })
  }
  let response: Cohere.V2ChatResponse
  try {
    // maxRetries here as well as on the client: the service's retry policy is the only one.
    response = await options.client.chat(body, { abortSignal: request.signal, maxRetries: 0 })
  } catch (error) {
    throw options.mapError(error, request.signal)
  }
  return toResult(response)
}

function toResult (response: Cohere.V2ChatResponse): InvokeResult {
  const text = (response.message?.content ?? [])
    .map(item => item.type === 'text' ? item.text : '')
    .join('')
  const usage = response.usage
  // `tokens` are the tokens the model actually processed; `billedUnits` is the (smaller) billed count, a fallback.
  const inputTokens = usage?.tokens?.inputTokens ?? usage?.billedUnits?.inputTokens ?? 0
  const outputTokens = usage?.tokens?.outputTokens ?? usage?.billedUnits?.outputTokens ?? 0
  return {
    text,
    finishReason: finishReason(response.finishReason),
    usage: {
      inputTokens,
      outputTokens,
      ...(typeof usage?.cachedTokens === 'number' ? { cachedInputTokens: usage.cachedTokens } : {})
    }
  }
}

function finishReason (reason: string | undefined): FinishReason {
  switch (reason) {
    case 'COMPLETE':
    case 'STOP_SEQUENCE':
      return 'stop'
    case 'MAX_TOKENS':
      return 'length'
    case 'ERROR':
      return 'error'
    default:
      // TIMEOUT (Cohere stopped the generation at its own limit), TOOL_CALL, and values newer than this table.
      return 'other'
  }
}
