import type { GenerateContentResponse, GoogleGenAI } from '@google/genai'
import type { InvokeRequest, InvokeResult } from '../contract.ts'
import type { ProviderError } from '../errors.ts'
import { geminiGeneration } from './gemini-request.ts'
import { geminiResult } from './gemini-result.ts'

export interface GeminiGenerateOptions {
  readonly client: GoogleGenAI
  readonly mapError: (error: unknown, signal: AbortSignal) => ProviderError
}

/**
 * One generation through `generateContent`: stable and fully supported, where Google's newer Interactions API
 * changed its schema as recently as May 2026.
 *
 * Automatic continuation stays on (the SDK's default): when Gemini splits one long answer and returns a
 * continuation token, the SDK asks for the rest and merges text and usage. That resumes the same generation rather
 * than retrying a failed one, and every request it makes is bounded by the call's signal.
 */
export async function invokeGemini (request: InvokeRequest, options: GeminiGenerateOptions): Promise<InvokeResult> {
  const { contents, config } = geminiGeneration(request)
  let response: GenerateContentResponse
  try {
    response = await options.client.models.generateContent({ model: request.modelId, contents, config: { ...config, abortSignal: request.signal } })
  } catch (error) {
    throw options.mapError(error, request.signal)
  }
  return geminiResult(response)
}
