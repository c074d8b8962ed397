import type OpenAI from 'openai'
import type { FinishReason, InvokeRequest, InvokeResult } from '../contract.ts'
import { ProviderError } from '../errors.ts'

export type ResponsesBody = OpenAI.Responses.ResponseCreateParamsNonStreaming
export type ResponsesObject = OpenAI.Responses.Response

/** The decided parameters of one generation: what `invoke` and a batch line both carry. */
export type GenerationParameters = Pick<InvokeRequest, 'modelId' | 'prompt' | 'instructions' | 'maxOutputTokens' | 'temperature' | 'reasoningEffort' | 'jsonSchema' | 'serviceTier'>

export interface ResponsesOptions {
  readonly client: OpenAI
  readonly mapError: (error: unknown, signal: AbortSignal) => ProviderError
}

/**
 * The Responses API body for one generation: exactly the parameters given, and nothing stored at the vendor.
 * `invoke` and the batch file both build their bodies here, so a batch line is the body `invoke` would send.
 */
export function responsesBody (parameters: GenerationParameters): ResponsesBody {
  return {
    model: parameters.modelId,
    input: parameters.prompt,
    store: false,
    ...(parameters.instructions === undefined ? {} : { instructions: parameters.instructions }),
    ...(parameters.maxOutputTokens === undefined ? {} : { max_output_tokens: parameters.maxOutputTokens }),
    ...(parameters.temperature === undefined ? {} : { temperature: parameters.temperature }),
    ...(parameters.reasoningEffort === undefined ? {} : { reasoning: { effort: parameters.reasoningEffort } }),
    ...(parameters.serviceTier === undefined ? {} : { service_tier: parameters.serviceTier }),
    ...(parameters.jsonSchema === undefined
      ? {}
      : { text: { format: { type: 'json_schema', name: 'response', schema: parameters.jsonSchema as Record<string, unknown>, strict: true } } })
  }
}

/**
 * One generation through the Responses API (OpenAI, xAI, and OpenAI-compatible servers that speak it). Nothing is
 * stored at the vendor. When the vendor refuses `temperature` or `reasoning` for a model our tables misjudged,
 * the call is repeated once without it and the adjustment reported.
 */
export async function invokeResponses (request: InvokeRequest, options: ResponsesOptions): Promise<InvokeResult> {
  const body = responsesBody(request)
  const adjustments: string[] = []
  let response: ResponsesObject
  try {
    response = await send(body, request.signal, options)
  } catch (error) {
    const mapped = ProviderError.is(error) ? error : options.mapError(error, request.signal)
    const refused = refusedParameter(mapped, body)
    if (refused === undefined) throw mapped
    const { [refused]: _dropped, ...rest } = body
    adjustments.push(refused === 'temperature'
      ? `Temperature ${String(body.temperature)} ignored: ${request.modelId} refused it.`
      : `Reasoning effort "${String(body.reasoning?.effort)}" ignored: ${request.modelId} refused it.`)
    response = await send(rest as ResponsesBody, request.signal, options)
  }
  return responsesResult(response, adjustments)
}

async function send (body: ResponsesBody, signal: AbortSignal, options: ResponsesOptions): Promise<ResponsesObject> {
  try {
    return await options.client.responses.create(body, { signal })
  } catch (error) {
    throw options.mapError(error, signal)
  }
}

function refusedParameter (error: ProviderError, body: ResponsesBody): 'temperature' | 'reasoning' | undefined {
  if (error.code !== 'PROVIDER_REJECTED' || error.status !== 400) return undefined
  const said = `${error.param ?? ''} ${error.message}`.toLowerCase()
  if (body.temperature !== undefined && said.includes('temperature')) return 'temperature'
  if (body.reasoning !== undefined && said.includes('reasoning')) return 'reasoning'
  return undefined
}

/**
 * The result of a Responses API object as the vendor sent it. The text is read from the output items rather than
 * the SDK's `output_text`, which only `responses.create` adds: a batch output line carries the bare object. Both
 * concatenate every `output_text` part of every message item (openai-node `addOutputText`), so the two paths agree.
 */
export function responsesResult (response: ResponsesObject, adjustments: readonly string[] = []): InvokeResult {
  const usage = response.usage
  return {
    text: outputText(response),
    finishReason: finishReason(response),
    usage: {
      inputTokens: usage?.input_tokens ?? 0,
      outputTokens: usage?.output_tokens ?? 0,
      ...(usage?.input_tokens_details?.cached_tokens === undefined ? {} : { cachedInputTokens: usage.input_tokens_details.cached_tokens }),
      ...(usage?.output_tokens_details?.reasoning_tokens === undefined ? {} : { reasoningTokens: usage.output_tokens_details.reasoning_tokens })
    },
    model: response.model,
    ...(response.service_tier === 'flex' ? { serviceTier: 'flex' as const } : {}),
    ...(adjustments.length === 0 ? {} : { adjustments: [...adjustments] })
  }
}

function outputText (response: ResponsesObject): string {
  const parts: string[] = []
  // A batch line's body is read as it arrived, so nothing here is assumed to be well formed.
  for (const item of Array.isArray(response.output) ? response.output : []) {
    if (item?.type !== 'message' || !Array.isArray(item.content)) continue
    for (const content of item.content) {
      if (content?.type === 'output_text' && typeof content.text === 'string') parts.push(content.text)
    }
  }
  return parts.join('')
}

function finishReason (response: ResponsesObject): FinishReason {
  if (response.status === 'completed') return 'stop'
  if (response.status === 'incomplete') {
    const reason = response.incomplete_details?.reason
    return reason === 'max_output_tokens' ? 'length' : reason === 'content_filter' ? 'content-filter' : 'other'
  }
  return response.status === 'failed' ? 'error' : 'other'
}
