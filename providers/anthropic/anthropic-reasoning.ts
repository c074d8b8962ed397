import type Anthropic from '@anthropic-ai/sdk'
import type { ReasoningEffort } from '../contract.ts'
import type { AnthropicReasoning } from './anthropic-models.ts'

// Our choice, not Anthropic's: its minimum budget for "low", then four times more per level.
export const ANTHROPIC_THINKING_BUDGETS: Readonly<Record<ReasoningEffort, number>> = { low: 1024, medium: 4096, high: 16384 }
// Thinking spends from max_tokens, so the answer needs room of its own beyond the budget.
const ANSWER_ROOM = 1024

export interface ReasoningWire {
  readonly effort?: ReasoningEffort
  readonly thinking?: Anthropic.ThinkingConfigParam
  /** The `max_tokens` to send, raised when a thinking budget would leave no room for the answer. */
  readonly maxTokens: number
  readonly adjustments: readonly string[]
}

/** The suggested mapping of the providers reference (§2.5): effort where the model takes it, else a budget. */
export function reasoningWire (modelId: string, reasoning: AnthropicReasoning, effort: ReasoningEffort | undefined, maxTokens: number): ReasoningWire {
  if (effort === undefined) return { maxTokens, adjustments: [] }
  if (reasoning === 'adaptive') return { effort, thinking: { type: 'adaptive' }, maxTokens, adjustments: [] }
  if (reasoning === 'effort') return { effort, maxTokens, adjustments: [] }
  if (reasoning === 'none') {
    return { maxTokens, adjustments: [`Reasoning effort "${effort}" ignored: ${modelId} has no reasoning setting.`] }
  }
  const budget = ANTHROPIC_THINKING_BUDGETS[effort]
  const thinking = { type: 'enabled', budget_tokens: budget } as const
  if (maxTokens > budget) return { thinking, maxTokens, adjustments: [] }
  const raised = budget + ANSWER_ROOM
  return {
    thinking,
    maxTokens: raised,
    adjustments: [`Output-token cap ${maxTokens} raised to ${raised}: ${modelId} thinks with a ${budget}-token budget at "${effort}" effort and needs room left to answer.`]
  }
}
