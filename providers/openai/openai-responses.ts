import type OpenAI from 'openai'
import type { FinishReason, InvokeRequest, InvokeResult } from '../contract.ts'
import { ProviderError } from '../errors.ts'

type ResponseBody = OpenAI.Responses.ResponseCreateParamsNonStreaming
type Response = OpenAI.Responses.Response

export interface ResponsesOptions {
  readonly client: OpenAI
  readonly mapError: (error: unknown, signal: AbortSignal) => ProviderError
}

/**
 * One generation through the Responses API (OpenAI, xAI, and OpenAI-compatible servers that speak it). Nothing is
 * stored at the vendor. When the vendor refuses `temperature` or `reasoning` for a model our tables misjudged,
 * the call is repeated once without it and the adjustment reported.
 */
export async function invokeResponses (request: InvokeRequest, options: ResponsesOptions): Promise<InvokeResult> {
  const body: ResponseBody = {
    model: request.modelId,
    input: request.prompt,
    store: false,
    ...(request.instructions === undefined ? {} : { instructions: request.instructions }),
    ...(request.maxOutputTokens === undefined ? {} : { max_output_tokens: request.maxOutputTokens }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.reasoningEffort === undefined ? {} : { reasoning: { effort: request.reasoningEffort } }),
    ...(request.jsonSchema === undefined
      ? {}
      : { text: { format: { type: 'json_schema', name: 'response', schema: request.jsonSchema as Record<string, unknown>, strict: true } } })
  }
  const adjustments: string[] = []
  let response: Response
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
    response = await send(rest as ResponseBody, request.signal, options)
  }
  return toResult(response, adjustments)
}

async function send (body: ResponseBody, signal: AbortSignal, options: ResponsesOptions): Promise<Response> {
  try {
    return await options.client.responses.create(body, { signal })
  } catch (error) {
    throw options.mapError(error, signal)
  }
}

function refusedParameter (error: ProviderError, body: ResponseBody): 'temperature' | 'reasoning' | undefined {
  if (error.code !== 'PROVIDER_REJECTED' || error.status !== 400) return undefined
  const said = `${error.param ?? ''} ${error.message}`.toLowerCase()
  if (body.temperature !== undefined && said.includes('temperature')) return 'temperature'
  if (body.reasoning !== undefined && said.includes('reasoning')) return 'reasoning'
  return undefined
}

function toResult (response: Response, adjustments: string[]): InvokeResult {
  const usage = response.usage
  return {
    text: response.output_text ?? '',
    finishReason: finishReason(response),
    usage: {
      inputTokens: usage?.input_tokens ?? 0,
      outputTokens: usage?.output_tokens ?? 0,
      ...(usage?.input_tokens_details?.cached_tokens === undefined ? {} : { cachedInputTokens: usage.input_tokens_details.cached_tokens }),
      ...(usage?.output_tokens_details?.reasoning_tokens === undefined ? {} : { reasoningTokens: usage.output_tokens_details.reasoning_tokens })
    },
    model: response.model,
    ...(adjustments.length === 0 ? {} : { adjustments })
  }
}

function finishReason (response: Response): FinishReason {
  if (response.status === 'completed') return 'stop'
  if (response.status === 'incomplete') {
    const reason = response.incomplete_details?.reason
    return reason === 'max_output_tokens' ? 'length' : reason === 'content_filter' ? 'content-filter' : 'other'
  }
  return response.status === 'failed' ? 'error' : 'other'
}
