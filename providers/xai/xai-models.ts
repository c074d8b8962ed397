import type { ModelCapabilities, ProviderModel, ReasoningEffort } from '../contract.ts'

const ALL_EFFORTS: readonly ReasoningEffort[] = ['low', 'medium', 'high']

/** Every Grok text model takes a temperature from 0 to 2 and structured outputs on the Responses API. */
const NO_EFFORT: ModelCapabilities = { temperature: true, temperatureRange: [0, 2], reasoningEfforts: [], structuredOutput: true }
const ALL_LEVELS: ModelCapabilities = { ...NO_EFFORT, reasoningEfforts: ALL_EFFORTS }
const LOW_HIGH: ModelCapabilities = { ...NO_EFFORT, reasoningEfforts: ['low', 'high'] }

/**
 * Capabilities by model family (dated snapshots and `-latest` aliases follow theirs):
 * - grok-4.3, grok-4.5 and the later grok-4.6 to 4.9 take low/medium/high;
 * - grok-3-mini takes low and high only;
 * - grok-4.20-*, grok-4-1-fast-* reason on their own and answer an error to any effort;
 * - anything else (grok-4, grok-3, ids never seen) gets no effort: sending none is always accepted, and a
 *   model our table underrates still answers, with the user's effort reported as ignored.
 */
export function xaiCapabilities (modelId: string): ModelCapabilities {
  const id = modelId.toLowerCase()
  if (/^grok-3-mini/.test(id)) return LOW_HIGH
  if (/^grok-4\.[3-9](?![0-9])/.test(id)) return ALL_LEVELS
  return NO_EFFORT
}

/** Text models only: the list also holds image and video generators. */
export function isXaiTextModel (modelId: string): boolean {
  return /^grok-/.test(modelId) && !/(image|imagine|video|tts|voice|embed)/.test(modelId)
}

const CURATED: ReadonlyArray<[string, string]> = [
  ['grok-4.5', 'Grok 4.5'],
  ['grok-4.3', 'Grok 4.3'],
  ['grok-4.20-reasoning', 'Grok 4.20 Reasoning'],
  ['grok-4.20-non-reasoning', 'Grok 4.20 (non-reasoning)'],
  ['grok-4-1-fast-reasoning', 'Grok 4.1 Fast Reasoning'],
  ['grok-4-1-fast-non-reasoning', 'Grok 4.1 Fast (non-reasoning)'],
  ['grok-3-mini', 'Grok 3 mini']
]

/** Offered while the live list cannot be fetched. */
export const XAI_MODELS: readonly ProviderModel[] = CURATED.map(([id, label]) => ({ id, label, capabilities: xaiCapabilities(id) }))
