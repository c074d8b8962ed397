import type { ContentListUnion, GenerateContentConfig } from '@google/genai'
import type { InvokeRequest, ProviderCredentials } from '../contract.ts'
import { acceptsSystemInstruction, geminiThinkingConfig } from './gemini-models.ts'

/** The decided parameters of one generation, without where it goes or when it must end. */
export type GeminiGenerationParameters = Omit<InvokeRequest, keyof ProviderCredentials | 'signal'>

/** What one generation asks of Gemini: the user's turn and the generation config. */
export interface GeminiGeneration {
  readonly contents: ContentListUnion
  readonly config: GenerateContentConfig
}

/**
 * The one mapping from decided parameters to Gemini's request. `invoke` and the batch's inline requests both send
 * exactly this, so an economy execution asks the model the same as a standard one (the SDK maps an inline request's
 * config with the same code as `generateContent`'s). The abort signal is the caller's to add: a batch item has none.
 */
export function geminiGeneration (parameters: GeminiGenerationParameters): GeminiGeneration {
  const instructions = parameters.instructions === undefined || parameters.instructions === '' ? undefined : parameters.instructions
  const systemInstruction = instructions !== undefined && acceptsSystemInstruction(parameters.modelId) ? instructions : undefined
  // A model that refuses system instructions gets them as the opening part of the user's turn, as Google's ADK does.
  const contents: ContentListUnion = instructions !== undefined && systemInstruction === undefined
    ? [{ role: 'user', parts: [{ text: instructions }, { text: parameters.prompt }] }]
    : parameters.prompt
  const config: GenerateContentConfig = {
    ...(systemInstruction === undefined ? {} : { systemInstruction }),
    ...(parameters.temperature === undefined ? {} : { temperature: parameters.temperature }),
    ...(parameters.maxOutputTokens === undefined ? {} : { maxOutputTokens: parameters.maxOutputTokens }),
    ...(parameters.reasoningEffort === undefined ? {} : { thinkingConfig: geminiThinkingConfig(parameters.modelId, parameters.reasoningEffort) }),
    ...(parameters.jsonSchema === undefined
      ? {}
      : { responseMimeType: 'application/json', responseJsonSchema: parameters.jsonSchema })
  }
  return { contents, config }
}
