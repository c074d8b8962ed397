import type OpenAI from 'openai'
import type { FinishReason, InvokeRequest, InvokeResult } from '../contract.ts'
import type { ProviderError } from '../errors.ts'

type ChatBody = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming
type ChatCompletion = OpenAI.Chat.ChatCompletion

export interface ChatCompletionsOptions {
  readonly client: OpenAI
  readonly mapError: (error: unknown, signal: AbortSignal) => ProviderError
  /**
   * Which field carries the output cap: `max_completion_tokens` (OpenAI, xAI; the default) or the older
   * `max_tokens`, which every self-hosted server (Ollama, vLLM, LM Studio, LiteLLM) reads.
   */
  readonly maxTokensField?: 'max_completion_tokens' | 'max_tokens'
}

/**
 * One generation through Chat Completions, for servers that do not speak the Responses API. The body holds
 * only what the request carries: `messages` (system instructions, then the prompt), and `temperature`,
 * `reasoning_effort`, the output cap and a strict `json_schema` response format when given.
 */
export async function invokeChatCompletions (request: InvokeRequest, options: ChatCompletionsOptions): Promise<InvokeResult> {
  const body: ChatBody = {
    model: request.modelId,
    messages: [
      ...(request.instructions === undefined ? [] : [{ role: 'system' as const, content: request.instructions }]),
      { role: 'user', content: request.prompt }
    ],
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.reasoningEffort === undefined ? {} : { reasoning_effort: request.reasoningEffort }),
    ...(request.maxOutputTokens === undefined ? {} : { [options.maxTokensField ?? 'max_completion_tokens']: request.maxOutputTokens }),
    ...(request.jsonSchema === undefined
      ? {}
      : { response_format: { type: 'json_schema', json_schema: { name: 'response', schema: request.jsonSchema as Record<string, unknown>, strict: true } } })
  }
  let completion: ChatCompletion
  try {
    completion = await options.client.chat.completions.create(body, { signal: request.signal })
  } catch (error) {
    throw options.mapError(error, request.signal)
  }
  return toResult(completion)
}

function toResult (completion: ChatCompletion): InvokeResult {
  const choice = completion.choices?.[0]
  const usage = completion.usage
  return {
    text: answerText(choice?.message.content ?? ''),
    finishReason: choice?.message.refusal != null && choice.message.refusal !== '' ? 'content-filter' : finishReason(choice?.finish_reason),
    usage: {
      inputTokens: usage?.prompt_tokens ?? 0,
      outputTokens: usage?.completion_tokens ?? 0,
      ...(usage?.prompt_tokens_details?.cached_tokens === undefined ? {} : { cachedInputTokens: usage.prompt_tokens_details.cached_tokens }),
      ...(usage?.completion_tokens_details?.reasoning_tokens === undefined ? {} : { reasoningTokens: usage.completion_tokens_details.reasoning_tokens })
    },
    ...(typeof completion.model === 'string' ? { model: completion.model } : {})
  }
}

/** Reasoning models served without a reasoning parser (DeepSeek-R1, Qwen3) put their thinking inline first. */
function answerText (content: string): string {
  return content.replace(/^\s*<think>[\s\S]*?<\/think>\s*/, '')
}

function finishReason (reason: string | null | undefined): FinishReason {
  if (reason === 'stop') return 'stop'
  if (reason === 'length') return 'length'
  return reason === 'content_filter' ? 'content-filter' : 'other'
}
