import type Anthropic from '@anthropic-ai/sdk'
import type { ModelCapabilities, ProviderModel, ReasoningEffort } from '../contract.ts'
import { REASONING_EFFORTS } from '../contract.ts'

/**
 * How a reasoning effort reaches the wire for one model:
 * `adaptive`: `output_config.effort` with adaptive thinking; `effort`: `output_config.effort` alone;
 * `budget`: manual thinking with a token budget; `none`: the model has no reasoning control.
 */
export type AnthropicReasoning = 'adaptive' | 'effort' | 'budget' | 'none'

export interface AnthropicModelProfile {
  readonly reasoning: AnthropicReasoning
  readonly capabilities: ModelCapabilities
}

/** Small enough for any model and any rate-limit tier: a large cap counts against the key's output budget. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096

function profile (reasoning: AnthropicReasoning, structuredOutput: boolean, maxOutputTokens?: number, efforts: readonly ReasoningEffort[] = REASONING_EFFORTS): AnthropicModelProfile {
  return {
    reasoning,
    capabilities: {
      // API version 2026-10-21 refuses temperature (and top_p/top_k) for every model, even at default values.
      temperature: false,
      reasoningEfforts: reasoning === 'none' ? [] : efforts,
      structuredOutput,
      ...(maxOutputTokens === undefined ? {} : { maxOutputTokens }),
      defaultMaxOutputTokens: Math.min(ANTHROPIC_DEFAULT_MAX_TOKENS, maxOutputTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS)
    }
  }
}

const MODERN_OPUS = profile('adaptive', true, 128000)
const MODERN = profile('adaptive', true, 64000)
// Whether the 4.5 generation takes `output_config.effort` is unconfirmed (only Opus 4.5 is listed, in older docs),
// while manual thinking is documented for all three: a budget never earns a 400. The live list corrects this.
const GENERATION_4_5 = profile('budget', true, 64000)
const EARLY_THINKING = profile('budget', false, 32000)
const LEGACY = profile('none', false, 4096)
// Aliases behind a proxy and ids of no known shape: nothing is sent that could be refused.
const UNKNOWN = profile('none', false)

/**
 * Family rules, so ids never seen still get sensible capabilities: 4.6 and later (and the Fable and Mythos lines,
 * which started after it) take effort with adaptive thinking; 4.5 takes a thinking budget; 3.7 to 4.1 did too.
 * Both id shapes are read: `claude-opus-4-5-20251101` and the older `claude-3-7-sonnet-20250219`.
 */
export function anthropicProfile (modelId: string): AnthropicModelProfile {
  const id = modelId.toLowerCase()
  if (/^claude-(fable|mythos)(-|$)/.test(id)) return MODERN
  const version = modelVersion(id)
  if (version === undefined) return UNKNOWN
  if (version.number >= 406) return version.line === 'opus' ? MODERN_OPUS : MODERN
  if (version.number === 405) return GENERATION_4_5
  if (version.number >= 307) return EARLY_THINKING
  return LEGACY
}

function modelVersion (id: string): { line: string, number: number } | undefined {
  // A one- or two-digit minor, never the eight-digit snapshot date that may follow.
  const current = /^claude-(haiku|sonnet|opus)-(\d+)(?:-(\d{1,2}))?(?:-|$)/.exec(id)
  const older = /^claude-(\d+)(?:-(\d{1,2}))?-(haiku|sonnet|opus)(?:-|$)/.exec(id)
  if (current !== null) return { line: current[1] ?? '', number: Number(current[2]) * 100 + Number(current[3] ?? 0) }
  if (older !== null) return { line: older[3] ?? '', number: Number(older[1]) * 100 + Number(older[2] ?? 0) }
  return undefined
}

/**
 * A live model's own `capabilities` (GET /v1/models) overrule the family rules, aspect by aspect: a proxy or a stub
 * may send only part of the object, and what it leaves out stays as the rules say.
 */
export function anthropicLiveProfile (model: Anthropic.ModelInfo): AnthropicModelProfile {
  const rules = anthropicProfile(model.id)
  const live = model.capabilities as Partial<Anthropic.Models.ModelCapabilities> | null | undefined
  let reasoning = rules.reasoning
  let efforts = rules.capabilities.reasoningEfforts
  if (live?.effort !== undefined || live?.thinking !== undefined) {
    const adaptive = live.thinking?.types?.adaptive?.supported === true
    if (live.effort?.supported === true) {
      reasoning = adaptive ? 'adaptive' : 'effort'
      const effort = live.effort
      efforts = REASONING_EFFORTS.filter(level => effort[level]?.supported !== false)
    } else {
      reasoning = live.thinking?.types?.enabled?.supported === true ? 'budget' : 'none'
      efforts = REASONING_EFFORTS
    }
  }
  const structuredOutput = live?.structured_outputs === undefined ? rules.capabilities.structuredOutput : live.structured_outputs.supported
  return profile(reasoning, structuredOutput, model.max_tokens ?? rules.capabilities.maxOutputTokens, efforts)
}

const CURATED: ReadonlyArray<[string, string, string?]> = [
  ['claude-opus-5-5', 'Claude Opus 5.5'],
  ['claude-sonnet-5-5', 'Claude Sonnet 5.5'],
  ['claude-haiku-5-5', 'Claude Haiku 5.5'],
  ['claude-opus-5', 'Claude Opus 5'],
  ['claude-sonnet-5', 'Claude Sonnet 5'],
  ['claude-opus-4-8', 'Claude Opus 4.8'],
  ['claude-opus-4-7', 'Claude Opus 4.7'],
  ['claude-opus-4-6', 'Claude Opus 4.6'],
  ['claude-sonnet-4-6', 'Claude Sonnet 4.6'],
  ['claude-haiku-4-5', 'Claude Haiku 4.5'],
  ['claude-opus-4-5', 'Claude Opus 4.5', '2027-01-22'],
  ['claude-sonnet-4-5', 'Claude Sonnet 4.5', '2026-11-30']
]

/** Offered while the live list cannot be fetched. */
export const ANTHROPIC_MODELS: readonly ProviderModel[] = CURATED.map(([id, label, deprecatedAfter]) => ({
  id, label, capabilities: anthropicProfile(id).capabilities, ...(deprecatedAfter === undefined ? {} : { deprecatedAfter })
}))
