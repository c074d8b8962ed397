import type { Usage } from '../contract.ts'
import { BATCH_DISCOUNT, batchPriceOf, type ModelPrice, type PriceBook } from './price-book.ts'
import { MILLION, tableCost, tablePrice } from './price-table.ts'

export interface PriceBookOptions {
  /** PRICES_FILE: USD per million tokens by provider id, then model id; these win over the table. */
  readonly overrides?: Readonly<Record<string, Readonly<Record<string, ModelPrice>>>>
}

/** The operator's prices first, then the bundled, dated table; nothing is fetched, ever. */
export function createPriceBook (options: PriceBookOptions = {}): PriceBook {
  const overrides = options.overrides ?? {}
  // Own properties only: a model named `constructor` or `__proto__` must not find Object's members.
  const override = (provider: string, model: string): ModelPrice | undefined => {
    const models = Object.hasOwn(overrides, provider) ? overrides[provider] : undefined
    return models !== undefined && Object.hasOwn(models, model) ? models[model] : undefined
  }

  return {
    cost (provider, model, usage) {
      const price = override(provider, model)
      return price === undefined ? tableCost(provider, model, usage) : costAt(price, usage)
    },
    price (provider, model) {
      return override(provider, model) ?? tablePrice(provider, model)
    },
    batchCost (provider, model, usage) {
      const price = override(provider, model)
      if (price !== undefined) return costAt(batchPriceOf(price), usage)
      const standard = tableCost(provider, model, usage)
      return standard === undefined ? undefined : standard * BATCH_DISCOUNT
    }
  }
}

/** Cached input is part of the input count (providers/contract.ts), so it is taken out and charged at its own price. */
export function costAt (price: Omit<ModelPrice, 'batch'>, usage: Usage): number {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens)
  const uncached = usage.inputTokens - cached
  return (uncached * price.input + cached * (price.cachedInput ?? price.input) + usage.outputTokens * price.output) / MILLION
}
