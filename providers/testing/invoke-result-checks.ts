import type { FinishReason, InvokeResult } from '../contract.ts'
import { isCount, shown } from './model-checks.ts'

const FINISH_REASONS: readonly FinishReason[] = ['stop', 'length', 'content-filter', 'error', 'other']

/** Each problem found in what `invoke` resolved (or a batch answered), as a phrase; empty when it is well formed. */
export function invokeResultProblems (result: InvokeResult | undefined): string[] {
  if (typeof result !== 'object' || result === null) return [`expected an object {text, finishReason, usage}, got ${shown(result)}`]
  const problems: string[] = []
  if (typeof result.text !== 'string') problems.push(`expected text to be a string, got ${shown(result.text)}`)
  if (!FINISH_REASONS.includes(result.finishReason)) problems.push(`expected finishReason to be one of ${FINISH_REASONS.join(', ')}, got ${shown(result.finishReason)}`)
  for (const field of ['inputTokens', 'outputTokens', 'cachedInputTokens', 'reasoningTokens'] as const) {
    const count = result.usage?.[field]
    if (count === undefined && (field === 'cachedInputTokens' || field === 'reasoningTokens')) continue
    if (!isCount(count)) problems.push(`expected usage.${field} to be a whole number ≥ 0, got ${shown(count)}`)
  }
  if (result.model !== undefined && typeof result.model !== 'string') problems.push(`expected model, when given, to be a string, got ${shown(result.model)}`)
  if (result.adjustments !== undefined && !(Array.isArray(result.adjustments) && result.adjustments.every(line => typeof line === 'string'))) {
    problems.push(`expected adjustments, when given, to be an array of sentences, got ${shown(result.adjustments)}`)
  }
  return problems
}
