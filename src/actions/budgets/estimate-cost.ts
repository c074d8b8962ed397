import type { ModelCapabilities } from '../../../providers/contract.ts'
import type { ModelPrice } from '../pricing/price-book.ts'

/**
 * The output-token cap assumed for a model that declares none and a request that sets none. Generous on purpose:
 * the estimate only holds budget while the call runs, and the real cost replaces it when the call ends.
 */
export const DEFAULT_OUTPUT_TOKENS_ESTIMATE = 8192

/** Characters per token for the estimate: English runs near four, code and most other scripts fewer, so three errs high. */
const CHARACTERS_PER_TOKEN = 3

/** What of a provider request the estimate reads. */
export interface EstimatedRequest {
  readonly prompt: string
  readonly instructions?: string
  readonly maxOutputTokens?: number
}

/**
 * A cautious upper guess of one call's cost in USD, made before the call: the prompt and instructions at about
 * three characters a token and the input price, plus the most output the call may produce (its cap, else the
 * model's largest, else DEFAULT_OUTPUT_TOKENS_ESTIMATE) at the output price. A model without a known price is
 * estimated at 0: the budget then stops it only once the recorded spend reaches the limit.
 */
export function estimateCallCost (price: ModelPrice | undefined, request: EstimatedRequest, capabilities: Pick<ModelCapabilities, 'maxOutputTokens'>): number {
  if (price === undefined) return 0
  const inputTokens = Math.ceil((request.prompt.length + (request.instructions?.length ?? 0)) / CHARACTERS_PER_TOKEN)
  const outputTokens = request.maxOutputTokens ?? capabilities.maxOutputTokens ?? DEFAULT_OUTPUT_TOKENS_ESTIMATE
  return (inputTokens * price.input + outputTokens * price.output) / 1_000_000
}
