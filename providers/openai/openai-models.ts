import type { ModelCapabilities, ProviderModel, ReasoningEffort } from '../contract.ts'

const ALL_EFFORTS: readonly ReasoningEffort[] = ['low', 'medium', 'high']

const CLASSIC: ModelCapabilities = { temperature: true, temperatureRange: [0, 2], reasoningEfforts: [], structuredOutput: true, maxOutputTokens: 32768 }
/** gpt-5, gpt-5-mini/nano and the o-series: reasoning always on, temperature refused. */
const EARLY_REASONING: ModelCapabilities = { temperature: false, reasoningEfforts: ALL_EFFORTS, structuredOutput: true, maxOutputTokens: 128000 }
/** gpt-5.1 and later: temperature only when no effort is sent. */
const REASONING: ModelCapabilities = { ...EARLY_REASONING, temperature: true, temperatureRange: [0, 2], temperatureExcludesReasoning: true }

/**
 * Capabilities by model family, so ids the curated list has never seen still get sensible rules. Fine-tunes
 * (`ft:gpt-4.1:org::id`) take their base model's rules. Unknown families get the cautious reasoning rules:
 * a refused temperature is retried without it, a refused effort too, and both are reported.
 */
export function openaiCapabilities (modelId: string): ModelCapabilities {
  const capabilities = familyCapabilities(modelId)
  return hasFlexTier(modelId) ? { ...capabilities, flexTier: true } : capabilities
}

/**
 * Flex processing (`service_tier: "flex"`, batch prices on a synchronous call) is in beta for the models OpenAI's
 * pricing page lists: the GPT-5 families, o3 and o4-mini [UNCONFIRMED: the list changes; a model that refuses it
 * is called again on the standard tier].
 */
function hasFlexTier (modelId: string): boolean {
  const id = modelId.toLowerCase()
  return (/^gpt-([5-9]|\d{2,})/.test(id) && !/-chat-latest$/.test(id)) || /^o(3|4-mini)(-\d{4}-\d{2}-\d{2})?$/.test(id)
}

function familyCapabilities (modelId: string): ModelCapabilities {
  const id = modelId.replace(/^ft:/, '').toLowerCase()
  if (/-chat-latest$|^chatgpt-/.test(id)) return CLASSIC
  if (/^gpt-5(\.\d+)?-pro/.test(id)) return { ...EARLY_REASONING, reasoningEfforts: ['high'] }
  if (/^gpt-5(-mini|-nano)?(-\d{4}-\d{2}-\d{2})?$/.test(id) || /^o\d/.test(id)) return EARLY_REASONING
  if (/^gpt-([5-9]|\d{2,})/.test(id)) return REASONING
  if (/^gpt-(4|3\.5)/.test(id)) return id.startsWith('gpt-3.5') ? { ...CLASSIC, structuredOutput: false, maxOutputTokens: 4096 } : CLASSIC
  return REASONING
}

/** Text models only: the list also holds embeddings, audio, image and moderation models. */
export function isOpenAITextModel (modelId: string): boolean {
  return /^(gpt-|o\d|chatgpt-)/.test(modelId) &&
    !/(audio|realtime|tts|transcribe|image|embedding|moderation|search|whisper|dall-e|instruct)/.test(modelId)
}

const CURATED: ReadonlyArray<[string, string, string?]> = [
  ['gpt-5.4', 'GPT-5.4'],
  ['gpt-5.4-mini', 'GPT-5.4 mini'],
  ['gpt-5.1', 'GPT-5.1'],
  ['gpt-5', 'GPT-5', '2026-12-11'],
  ['gpt-5-mini', 'GPT-5 mini', '2026-12-11'],
  ['gpt-4.1', 'GPT-4.1', '2027-01-14'],
  ['gpt-4.1-mini', 'GPT-4.1 mini', '2027-01-14'],
  ['gpt-4o', 'GPT-4o', '2027-01-14']
]

/** Offered while the live list cannot be fetched. */
export const OPENAI_MODELS: readonly ProviderModel[] = CURATED.map(([id, label, deprecatedAfter]) => ({
  id, label, capabilities: openaiCapabilities(id), ...(deprecatedAfter === undefined ? {} : { deprecatedAfter })
}))
