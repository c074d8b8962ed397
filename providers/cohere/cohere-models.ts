import type { ModelCapabilities, ProviderModel, ReasoningEffort } from '../contract.ts'

const ALL_EFFORTS: readonly ReasoningEffort[] = ['low', 'medium', 'high']

/**
 * Command R and later. Cohere documents 0–1 for temperature (a larger value is a 400), and `response_format` with a
 * JSON schema from Command R on. No output cap is declared: Cohere lowers a too-large `max_tokens` to the model's
 * limit itself, so a guessed number here could only shorten answers for nothing.
 */
const COMMAND: ModelCapabilities = { temperature: true, temperatureRange: [0, 1], reasoningEfforts: [], structuredOutput: true }
/** Reasoning models think by default; our three levels become a thinking budget (see cohere-chat.ts). */
const REASONING: ModelCapabilities = { ...COMMAND, reasoningEfforts: ALL_EFFORTS }
/**
 * Anything else (Aya, fine-tunes named by id, older Command models): no thinking is sent, since whether a
 * non-reasoning model refuses it is unknown, and JSON is asked for in the instructions instead of a schema.
 */
const CAUTIOUS: ModelCapabilities = { ...COMMAND, structuredOutput: false }

/** Capabilities by model family, so ids the curated list has never seen still get sensible rules. */
export function cohereCapabilities (modelId: string): ModelCapabilities {
  const id = modelId.toLowerCase()
  if (id.includes('reasoning')) return REASONING
  if (/^command-[ar](\d|-|$)/.test(id)) return COMMAND
  return CAUTIOUS
}

const CURATED: ReadonlyArray<[string, string]> = [
  ['command-a-03-2025', 'Command A'],
  ['command-a-reasoning-08-2025', 'Command A Reasoning'],
  ['command-r-plus-08-2024', 'Command R+'],
  ['command-r-08-2024', 'Command R'],
  ['command-r7b-12-2024', 'Command R7B']
]

/** Offered while the live list cannot be fetched. */
export const COHERE_MODELS: readonly ProviderModel[] = CURATED.map(([id, label]) => ({ id, label, capabilities: cohereCapabilities(id) }))
