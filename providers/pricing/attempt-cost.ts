import type { InvokeResult } from '../contract.ts'
import type { PriceBook } from './price-book.ts'

/**
 * One answered call's cost at its own model's price: the model the workflow asked for (what PRICES_FILE is keyed
 * by), else the snapshot the vendor reports having used. Undefined when neither has a price.
 */
export function attemptCost (prices: PriceBook, providerId: string, modelId: string, result: InvokeResult): number | undefined {
  const requested = prices.cost(providerId, modelId, result.usage)
  if (requested !== undefined || result.model === undefined || result.model === modelId) return requested
  return prices.cost(providerId, result.model, result.usage)
}

/** One batch answer's cost at its model's batch price, found as `attemptCost` finds the standard one. */
export function batchAttemptCost (prices: PriceBook, providerId: string, modelId: string, result: InvokeResult): number | undefined {
  const requested = prices.batchCost(providerId, modelId, result.usage)
  if (requested !== undefined || result.model === undefined || result.model === modelId) return requested
  return prices.batchCost(providerId, result.model, result.usage)
}

/** Renders a cost for HubSpot's output fields: up to six decimals, no trailing zeros (`0.000123`, `0`). */
export function formatCost (costUsd: number): string {
  // Float sums land just below a half (325.49999999999994 micro-dollars for 325.5): 12 digits restore the decimal.
  const micros = Math.round(Number((costUsd * 1e6).toPrecision(12)))
  return (micros / 1e6).toFixed(6).replace(/\.?0+$/, '')
}
