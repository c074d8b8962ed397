import type { ThinkingConfig, ThinkingLevel } from '@google/genai'
import type { ModelCapabilities, ProviderModel, ReasoningEffort } from '../contract.ts'

const ALL_EFFORTS: readonly ReasoningEffort[] = ['low', 'medium', 'high']

/** Gemini 2.5 and 3+: thinking models (a budget for 2.5, a level for 3+), 64K output, JSON schema output. */
const THINKING: ModelCapabilities = { temperature: true, temperatureRange: [0, 2], reasoningEfforts: ALL_EFFORTS, structuredOutput: true, maxOutputTokens: 65536 }
/** Gemini 1.x and 2.0: no thinking control. */
const CLASSIC: ModelCapabilities = { ...THINKING, reasoningEfforts: [], maxOutputTokens: 8192 }
/** Gemma on the Gemini API refuses JSON mode (and system instructions, see `acceptsSystemInstruction`). */
const GEMMA: ModelCapabilities = { ...CLASSIC, structuredOutput: false }
/** Anything else answering generateContent (LearnLM, experiments): the settings every model takes, nothing more. */
const CAUTIOUS: ModelCapabilities = { temperature: true, temperatureRange: [0, 2], reasoningEfforts: [], structuredOutput: false }

function bareId (modelId: string): string {
  return modelId.replace(/^models\//, '').toLowerCase()
}

/**
 * Capabilities by model family, so ids the curated list has never seen still get sensible rules. Unknown `gemini-*`
 * ids (a new generation, the `-latest` aliases) are taken to be thinking models of the newest kind.
 */
export function geminiCapabilities (modelId: string): ModelCapabilities {
  const id = bareId(modelId)
  if (id.startsWith('gemma-')) return GEMMA
  if (/^gemini-(1\.|2\.0)/.test(id)) return CLASSIC
  // Gemini 3 Pro takes only LOW and HIGH; the service sends "medium" as "high" and says so.
  if (/^gemini-3-pro/.test(id)) return { ...THINKING, reasoningEfforts: ['low', 'high'] }
  if (id.startsWith('gemini-')) return THINKING
  return CAUTIOUS
}

/** What the live list knows better than the family rules: a model that says it cannot think gets no effort. */
export function liveGeminiCapabilities (modelId: string, live: { readonly thinking?: boolean }): ModelCapabilities {
  const capabilities = geminiCapabilities(modelId)
  return live.thinking === false && capabilities.reasoningEfforts.length > 0 ? { ...capabilities, reasoningEfforts: [] } : capabilities
}

/**
 * Text models only: the list also holds speech, image, live-audio, embedding and robotics models, several of which
 * answer generateContent too.
 */
export function isGeminiTextModel (modelId: string, supportedActions: readonly string[] | undefined): boolean {
  return (supportedActions ?? []).includes('generateContent') &&
    !/(^|-)(tts|image|audio|live|embedding|robotics|computer-use|imagen|veo|lyria|aqa)(-|$)/.test(bareId(modelId))
}

/** Gemma refuses a `systemInstruction` with 400 "Developer instruction is not enabled". */
export function acceptsSystemInstruction (modelId: string): boolean {
  return !bareId(modelId).startsWith('gemma-')
}

/** Our budgets for Gemini 2.5 (our choice); each model's own ceiling below caps them. */
const THINKING_BUDGETS: Readonly<Record<ReasoningEffort, number>> = { low: 1024, medium: 8192, high: 24576 }
// The SDK's `ThinkingLevel` values, written out so this table needs no SDK loaded; the template type checks each one.
const THINKING_LEVELS: Readonly<Record<ReasoningEffort, `${ThinkingLevel}`>> = { low: 'LOW', medium: 'MEDIUM', high: 'HIGH' }

/**
 * Gemini 2.5 takes a thinking budget in tokens, Gemini 3 and later a level. Exactly one of the two is sent: Gemini
 * answers 400 when a request carries both.
 */
export function geminiThinkingConfig (modelId: string, effort: ReasoningEffort): ThinkingConfig {
  const id = bareId(modelId)
  if (id.startsWith('gemini-2.5')) {
    // 2.5 Pro thinks up to 32768 tokens; Flash and Flash-Lite up to 24576.
    const ceiling = id.startsWith('gemini-2.5-pro') ? 32768 : 24576
    return { thinkingBudget: Math.min(THINKING_BUDGETS[effort], ceiling) }
  }
  return { thinkingLevel: THINKING_LEVELS[effort] as ThinkingLevel }
}

const CURATED: ReadonlyArray<[string, string]> = [
  ['gemini-3.5-flash', 'Gemini 3.5 Flash'],
  ['gemini-2.5-pro', 'Gemini 2.5 Pro'],
  ['gemini-2.5-flash', 'Gemini 2.5 Flash'],
  ['gemini-2.5-flash-lite', 'Gemini 2.5 Flash-Lite']
]

/** Offered while the live list cannot be fetched. */
export const GEMINI_MODELS: readonly ProviderModel[] = CURATED.map(([id, label]) => ({ id, label, capabilities: geminiCapabilities(id) }))
