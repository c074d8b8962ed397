import t, { type Test } from 'tap'
import { ANTHROPIC_MODELS } from '../../providers/anthropic/anthropic-models.ts'
import { COHERE_MODELS } from '../../providers/cohere/cohere-models.ts'
import { GEMINI_MODELS } from '../../providers/gemini/gemini-models.ts'
import { OPENAI_MODELS } from '../../providers/openai/openai-models.ts'
import { XAI_MODELS } from '../../providers/xai/xai-models.ts'
import { costAt, createPriceBook } from '../../providers/pricing/create-price-book.ts'
import { formatCost } from '../../providers/pricing/attempt-cost.ts'

/** The OpenAI stub's usage: 12 input of which 2 cached, 20 output of which 8 reasoning. */
const STUB_USAGE = { inputTokens: 12, cachedInputTokens: 2, outputTokens: 20, reasoningTokens: 8 }
const book = createPriceBook()
const near = (t: Test, actual: number | undefined, expected: number, what: string) =>
  t.ok(actual !== undefined && Math.abs(actual - expected) < 1e-12, `${what}: ${String(actual)} ≈ ${expected}`)

t.test('table prices by hand: ordinary, cached and reasoning tokens, per provider', async t => {
  // Published prices in the bundled table (USD per million): gpt-4.1 2 / cached 0.5 / 8.
  near(t, book.cost('openai', 'gpt-4.1', STUB_USAGE), (10 * 2 + 2 * 0.5 + 20 * 8) / 1e6, 'openai gpt-4.1')
  near(t, book.cost('openai', 'gpt-4.1', { inputTokens: 1000, outputTokens: 0 }), 1000 * 2 / 1e6, 'input only')
  // claude-sonnet-4-6 3 / cached 0.3 / 15.
  near(t, book.cost('anthropic', 'claude-sonnet-4-6', STUB_USAGE), (10 * 3 + 2 * 0.3 + 20 * 15) / 1e6, 'anthropic')
  // command-a-03-2025 2.5 / 10 and no cache price: cached tokens cost as input.
  near(t, book.cost('cohere', 'command-a-03-2025', STUB_USAGE), (12 * 2.5 + 20 * 10) / 1e6, 'cohere')
  // grok-3-mini 0.3 / cached 0.075 / 0.5.
  near(t, book.cost('xai', 'grok-3-mini', STUB_USAGE), (10 * 0.3 + 2 * 0.075 + 20 * 0.5) / 1e6, 'xai')
  // gemini-2.5-flash 0.3 / cached 0.03 / 2.5.
  near(t, book.cost('gemini', 'gemini-2.5-flash', STUB_USAGE), (10 * 0.3 + 2 * 0.03 + 20 * 2.5) / 1e6, 'gemini')
  // gemini-2.5-pro is tiered by prompt length: 1.25 / 10 up to 200k input tokens, 2.5 / 15 beyond.
  near(t, book.cost('gemini', 'gemini-2.5-pro', { inputTokens: 1000, outputTokens: 100 }), (1000 * 1.25 + 100 * 10) / 1e6, 'gemini tier 1')
  near(t, book.cost('gemini', 'gemini-2.5-pro', { inputTokens: 300_000, outputTokens: 100 }), (300_000 * 2.5 + 100 * 15) / 1e6, 'gemini tier 2')
})

t.test('price() gives per-million prices, the highest tier where tiered (a cautious estimate)', async t => {
  t.same(book.price('openai', 'gpt-4.1'), { input: 2, cachedInput: 0.5, output: 8 })
  t.same(book.price('cohere', 'command-a-03-2025'), { input: 2.5, output: 10 })
  t.same(book.price('gemini', 'gemini-2.5-pro'), { input: 2.5, cachedInput: 0.25, output: 15 })
})

t.test('unknown providers and models have no price, never zero', async t => {
  t.equal(book.cost('openai-compatible', 'llama3.3:70b', STUB_USAGE), undefined)
  t.equal(book.price('openai-compatible', 'llama3.3:70b'), undefined)
  t.equal(book.cost('openai', 'no-such-model-xyz', STUB_USAGE), undefined)
  t.equal(book.cost('my-plugin', 'gpt-4.1', STUB_USAGE), undefined, 'a plugin provider is not priced from another vendor\'s table')
  t.equal(book.price('openai', 'constructor'), undefined)
})

t.test('overrides win over the table and price any provider', async t => {
  const overridden = createPriceBook({ overrides: { openai: { 'gpt-4.1': { input: 1, output: 4 } }, 'openai-compatible': { 'llama3.3:70b': { input: 0.5, cachedInput: 0.1, output: 1 } } } })
  near(t, overridden.cost('openai', 'gpt-4.1', STUB_USAGE), (12 * 1 + 20 * 4) / 1e6, 'override without cachedInput charges cached at input')
  near(t, overridden.cost('openai-compatible', 'llama3.3:70b', STUB_USAGE), (10 * 0.5 + 2 * 0.1 + 20 * 1) / 1e6, 'self-hosted')
  t.same(overridden.price('openai-compatible', 'llama3.3:70b'), { input: 0.5, cachedInput: 0.1, output: 1 })
  near(t, overridden.cost('openai', 'gpt-5', STUB_USAGE), book.cost('openai', 'gpt-5', STUB_USAGE) ?? NaN, 'other models still from the table')
  t.equal(costAt({ input: 1, output: 1 }, { inputTokens: 0, outputTokens: 0 }), 0)
})

t.test('costs render with up to six decimals', async t => {
  t.equal(formatCost(0.000123), '0.000123')
  t.equal(formatCost(0.00021275), '0.000213')
  t.equal(formatCost(1.5), '1.5')
  t.equal(formatCost(0), '0')
  t.equal(formatCost((10 * 2.5 + 2 * 0.25 + 20 * 15) / 1e6), '0.000326', 'a float just below the half still rounds up')
})

/** Curated models the bundled table (genai-prices 0.1.8) does not price yet: known gaps, reported, not failed. */
const KNOWN_UNPRICED = ['anthropic/claude-haiku-5-5', 'cohere/command-a-reasoning-08-2025', 'xai/grok-4.20-reasoning', 'xai/grok-4.20-non-reasoning']

t.test('price-table coverage of the curated models', async t => {
  const curated = { openai: OPENAI_MODELS, anthropic: ANTHROPIC_MODELS, cohere: COHERE_MODELS, xai: XAI_MODELS, gemini: GEMINI_MODELS }
  const missing: string[] = []
  for (const [provider, models] of Object.entries(curated)) {
    for (const model of models) if (book.price(provider, model.id) === undefined) missing.push(`${provider}/${model.id}`)
  }
  t.comment(`curated models without a table price: ${missing.join(', ') || 'none'}`)
  t.same(missing.filter(id => !KNOWN_UNPRICED.includes(id)), [], 'no new gaps')
  for (const id of ['openai/gpt-5.4', 'openai/gpt-5', 'openai/gpt-4.1', 'anthropic/claude-sonnet-4-5', 'anthropic/claude-opus-4-6', 'gemini/gemini-2.5-pro', 'xai/grok-4.5', 'cohere/command-a-03-2025']) {
    t.notOk(missing.includes(id), `${id} is priced`)
  }
})
