import type { Usage } from '../contract.ts'

/** A model's price in USD per million tokens. Reasoning tokens are output tokens (the providers count them so). */
export interface ModelPrice {
  readonly input: number
  /** Input tokens served from the provider's prompt cache; `input` when absent. */
  readonly cachedInput?: number
  readonly output: number
}

/**
 * Prices of the models the providers offer: the operator's PRICES_FILE first, then the bundled, dated price table.
 * Never fetches anything at run time. An unknown price is `undefined`, never zero.
 */
export interface PriceBook {
  /** USD for one attempt's usage (input, cached input and output tokens each at their own price), or undefined. */
  cost (provider: string, model: string, usage: Usage): number | undefined
  /** The model's price, for estimates before a call, or undefined when it is not known. */
  price (provider: string, model: string): ModelPrice | undefined
}
