import { calcPrice, type ModelPrice as TableModelPrice, type PriceCalculation } from '@pydantic/genai-prices'
import type { Usage } from '../contract.ts'
import type { ModelPrice } from './price-book.ts'

/**
 * Our provider ids as the bundled table (@pydantic/genai-prices) names them. Providers missing here (the
 * openai-compatible one, plugins) serve models the table cannot know, so only PRICES_FILE prices them.
 */
const TABLE_PROVIDER_IDS: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  cohere: 'cohere',
  xai: 'x-ai',
  gemini: 'google'
}

export const MILLION = 1_000_000

/** The table's price for one attempt, tiers and cache prices applied; undefined when the model is not in it. */
export function tableCost (provider: string, model: string, usage: Usage): number | undefined {
  const calculation = calculate(provider, model, {
    input_tokens: usage.inputTokens,
    cache_read_tokens: usage.cachedInputTokens ?? 0,
    output_tokens: usage.outputTokens
  })
  return calculation?.total_price
}

/**
 * The table's price per million tokens, for estimates before a call. Where a price is tiered by prompt length the
 * highest tier is taken: an estimate that errs should err towards stopping a budget early, not late.
 */
export function tablePrice (provider: string, model: string): ModelPrice | undefined {
  const calculation = calculate(provider, model, { input_tokens: 0, output_tokens: 0 })
  if (calculation === undefined) return undefined
  const prices = calculation.model_price
  const input = highest(prices, 'input_mtok')
  const output = highest(prices, 'output_mtok')
  if (input === undefined || output === undefined) return undefined
  const cachedInput = highest(prices, 'cache_read_mtok')
  return cachedInput === undefined ? { input, output } : { input, cachedInput, output }
}

function calculate (provider: string, model: string, usage: Record<string, number>): PriceCalculation | undefined {
  const providerId = TABLE_PROVIDER_IDS[provider]
  if (providerId === undefined) return undefined
  const calculation = calcPrice(usage, model, { providerId })
  // The table falls back to other vendors' models for some providers; a price is ours only if the vendor matches.
  if (calculation === null || calculation.provider.id !== providerId) return undefined
  return calculation
}

function highest (prices: TableModelPrice, key: string): number | undefined {
  const price = prices[key]
  if (price === undefined) return undefined
  if (typeof price === 'number') return price
  return Math.max(price.base, ...price.tiers.map(tier => tier.price))
}
