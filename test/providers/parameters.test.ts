import t from 'tap'
import { decideParameters } from '../../providers/parameters.ts'
import type { ModelCapabilities } from '../../providers/contract.ts'

const reasoning: ModelCapabilities = { temperature: true, temperatureExcludesReasoning: true, temperatureRange: [0, 2], reasoningEfforts: ['low', 'medium', 'high'], structuredOutput: true }
const plain: ModelCapabilities = { temperature: true, temperatureRange: [0, 1], reasoningEfforts: [], structuredOutput: false, maxOutputTokens: 1000 }
const noTemperature: ModelCapabilities = { temperature: false, reasoningEfforts: ['low', 'high'], structuredOutput: true, defaultMaxOutputTokens: 4096 }

t.test('nothing requested, nothing adjusted', async t => {
  t.same(decideParameters('m', reasoning, {}), { temperature: undefined, reasoningEffort: undefined, maxOutputTokens: undefined, jsonSchema: undefined, adjustments: [] })
})

t.test('temperature alone passes on a model that takes it', async t => {
  const decided = decideParameters('gpt-5.4', reasoning, { temperature: 0.3 })
  t.equal(decided.temperature, 0.3)
  t.same(decided.adjustments, [])
})

t.test('effort wins over temperature where the model takes only one', async t => {
  const decided = decideParameters('gpt-5.4', reasoning, { temperature: 0.3, reasoningEffort: 'high' })
  t.equal(decided.temperature, undefined)
  t.equal(decided.reasoningEffort, 'high')
  t.match(decided.adjustments[0], /Temperature 0.3 ignored/)
})

t.test('effort on a model without reasoning is ignored and said', async t => {
  const decided = decideParameters('gpt-4.1', plain, { reasoningEffort: 'low', temperature: 1.5 })
  t.equal(decided.reasoningEffort, undefined)
  t.equal(decided.temperature, 1)
  t.equal(decided.adjustments.length, 2)
})

t.test('unsupported effort moves to the nearest level, upward on a tie', async t => {
  t.equal(decideParameters('m', noTemperature, { reasoningEffort: 'medium' }).reasoningEffort, 'high')
})

t.test('temperature refused, default output cap applied, cap lowered, schema refused', async t => {
  const decided = decideParameters('claude', noTemperature, { temperature: 0.2 })
  t.equal(decided.temperature, undefined)
  t.equal(decided.maxOutputTokens, 4096)
  const capped = decideParameters('m', plain, { maxOutputTokens: 5000, jsonSchema: { type: 'object' } })
  t.equal(capped.maxOutputTokens, 1000)
  t.equal(capped.jsonSchema, undefined)
  t.equal(capped.adjustments.length, 2)
})
