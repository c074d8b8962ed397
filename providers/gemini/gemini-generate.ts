import type { ContentListUnion, GenerateContentConfig, GenerateContentResponse, GoogleGenAI } from '@google/genai'
import type { FinishReason, InvokeRequest, InvokeResult } from '../contract.ts'
import type { ProviderError } from '../errors.ts'
import { acceptsSystemInstruction, geminiThinkingConfig } from './gemini-models.ts'

export interface GeminiGenerateOptions {
  readonly client: GoogleGenAI
  readonly mapError: (error: unknown, signal: AbortSignal) => ProviderError
}

const CONTENT_FILTER_REASONS: ReadonlySet<string> = new Set(['SAFETY', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'RECITATION', 'IMAGE_SAFETY'])

/**
 * One generation through `generateContent`: stable and fully supported, where Google's newer Interactions API
 * changed its schema as recently as May 2026.
 *
 * Automatic continuation stays on (the SDK's default): when Gemini splits one long answer and returns a
 * continuation token, the SDK asks for the rest and merges text and usage. That resumes the same generation rather
 * than retrying a failed one, and every request it makes is bounded by the call's signal.
 */
export async function invokeGemini (request: InvokeRequest, options: GeminiGenerateOptions): Promise<InvokeResult> {
  const instructions = request.instructions === undefined || request.instructions === '' ? undefined : request.instructions
  const systemInstruction = instructions !== undefined && acceptsSystemInstruction(request.modelId) ? instructions : undefined
  // A model that refuses system instructions gets them as the opening part of the user's turn, as Google's ADK does.
  const contents: ContentListUnion = instructions !== undefined && systemInstruction === undefined
    ? [{ role: 'user', parts: [{ text: instructions }, { text: request.prompt }] }]
    : request.prompt
  const config: GenerateContentConfig = {
    ...(systemInstruction === undefined ? {} : { systemInstruction }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.maxOutputTokens === undefined ? {} : { maxOutputTokens: request.maxOutputTokens }),
    ...(request.reasoningEffort === undefined ? {} : { thinkingConfig: geminiThinkingConfig(request.modelId, request.reasoningEffort) }),
    ...(request.jsonSchema === undefined
      ? {}
      : { responseMimeType: 'application/json', responseJsonSchema: request.jsonSchema }),
    abortSignal: request.signal
  }
  let response: GenerateContentResponse
  try {
    response = await options.client.models.generateContent({ model: request.modelId, contents, config })
  } catch (error) {
    throw options.mapError(error, request.signal)
  }
  return toResult(response)
}

function toResult (response: GenerateContentResponse): InvokeResult {
  const candidate = response.candidates?.[0]
  const blocked = candidate === undefined && response.promptFeedback?.blockReason !== undefined
  const usage = response.usageMetadata
  const thoughts = usage?.thoughtsTokenCount
  return {
    // `text` joins the first candidate's text parts, thought summaries left out.
    text: blocked ? '' : response.text ?? '',
    finishReason: blocked ? 'content-filter' : finishReason(candidate?.finishReason),
    usage: {
      inputTokens: usage?.promptTokenCount ?? 0,
      // Gemini counts thinking apart from the answer (`candidatesTokenCount` excludes it) but bills it as output, and
      // the contract counts reasoning inside output: so output is answer plus thoughts.
      outputTokens: (usage?.candidatesTokenCount ?? 0) + (thoughts ?? 0),
      ...(usage?.cachedContentTokenCount === undefined ? {} : { cachedInputTokens: usage.cachedContentTokenCount }),
      ...(thoughts === undefined ? {} : { reasoningTokens: thoughts })
    },
    ...(response.modelVersion === undefined ? {} : { model: response.modelVersion })
  }
}

function finishReason (reason: string | undefined): FinishReason {
  if (reason === 'STOP') return 'stop'
  if (reason === 'MAX_TOKENS') return 'length'
  if (reason !== undefined && CONTENT_FILTER_REASONS.has(reason)) return 'content-filter'
  return 'other'
}
