import type { Usage } from '../contract.ts'

/** A model's price in USD per million tokens. Reasoning tokens are output tokens (the providers count them so). */
export interface ModelPrice {
  readonly input: number
  /** Input tokens served from the provider's prompt cache; `input` when absent. */
  readonly cachedInput?: number
  readonly output: number
  /** The vendor's batch price, where it is set (PRICES_FILE); else BATCH_DISCOUNT of the standard one. */
  readonly batch?: Omit<ModelPrice, 'batch'>
}

/**
 * What a batch costs against the standard price, where no batch price is set: OpenAI, Anthropic and Google each
 * document their batch APIs at 50 % of the standard input and output prices (reference/batch-apis.md).
 */
export const BATCH_DISCOUNT = 0.5

/** The price a batch answer is charged at: the set batch price, else the standard one at BATCH_DISCOUNT. */
export function batchPriceOf (price: ModelPrice): Omit<ModelPrice, 'batch'> {
  if (price.batch !== undefined) return price.batch
  return {
    input: price.input * BATCH_DISCOUNT,
    ...(price.cachedInput === undefined ? {} : { cachedInput: price.cachedInput * BATCH_DISCOUNT }),
    output: price.output * BATCH_DISCOUNT
  }
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
  /** USD for one batch answer's usage: the batch price (see `batchPriceOf`), or undefined. */
  batchCost (provider: string, model: string, usage: Usage): number | undefined
}
