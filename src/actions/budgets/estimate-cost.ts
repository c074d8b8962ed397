import type { ModelCapabilities } from '../../../providers/contract.ts'
import type { ModelPrice } from '../../../providers/pricing/price-book.ts'

/**
 * The output-token cap assumed for a model that declares none and a request that sets none. Generous on purpose:
 * the estimate only holds budget while the call runs, and the real cost replaces it when the call ends.
 */
export const DEFAULT_OUTPUT_TOKENS_ESTIMATE = 8192

/**
 * The output cap a call of a portal with a budget is held to when its action sets none: about the 65,536
 * characters a HubSpot property holds. Without it each call would hold the model's whole output limit of the
 * budget while it runs (128k tokens of a large model cost dollars), and a few concurrent calls would hold all of it.
 */
export const BUDGETED_OUTPUT_TOKENS = 16_384

/**
 * The request a budgeted call is sent as: its own cap if it sets one, else BUDGETED_OUTPUT_TOKENS (or the model's
 * own limit, if lower), with the adjustment that says so.
 */
export function heldToBudgetCap<Request extends { readonly maxOutputTokens?: number }> (request: Request, capabilities: Pick<ModelCapabilities, 'maxOutputTokens'>): { request: Request, adjustment?: string } {
  if (request.maxOutputTokens !== undefined) return { request }
  const cap = Math.min(BUDGETED_OUTPUT_TOKENS, capabilities.maxOutputTokens ?? BUDGETED_OUTPUT_TOKENS)
  return { request: { ...request, maxOutputTokens: cap }, adjustment: `maxOutputTokens set to ${cap}: the portal has a budget, and a call holds its largest possible cost while it runs` }
}

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
