import type { GenerateContentResponse } from '@google/genai'
import type { FinishReason, InvokeResult } from '../contract.ts'

const CONTENT_FILTER_REASONS: ReadonlySet<string> = new Set(['SAFETY', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'RECITATION', 'IMAGE_SAFETY'])

/**
 * The one reading of a Gemini answer, for `invoke` and for a batch's inline responses alike. It takes the SDK's
 * `GenerateContentResponse` class, whose `text` getter leaves thought summaries out: a batch's inline response
 * arrives as a plain object and must be wrapped in that class first.
 */
export function geminiResult (response: GenerateContentResponse): InvokeResult {
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
