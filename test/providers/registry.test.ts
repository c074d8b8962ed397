import t from 'tap'
import { defineProvider } from '../../providers/define-provider.ts'
import { createProviderRegistry, ProviderRegistrationError } from '../../providers/registry.ts'
import openai from '../../providers/openai/index.ts'
import { captureLogger } from '../helpers/provider-context.ts'

const context = () => ({ fetch: globalThis.fetch, timeoutMs: 1000, log: captureLogger() })
const implementation = { models: [], capabilities: () => ({ temperature: false, reasoningEfforts: [], structuredOutput: false }), validateKey: async () => ({ valid: true as const }), listModels: async () => [], invoke: async () => ({ text: '', finishReason: 'stop' as const, usage: { inputTokens: 0, outputTokens: 0 } }) }
const good = defineProvider({ id: 'good', label: 'Good', hosts: ['good.example'], create: () => implementation })

t.test('registers and finds providers, built-ins through the same checks', async t => {
  const registry = createProviderRegistry([{ definition: openai, origin: 'built-in openai' }, { definition: good, origin: 'test good' }], context)
  t.same(registry.list().map(provider => provider.id), ['openai', 'good'])
  t.equal(registry.find('good')?.label, 'Good')
  t.equal(registry.find('nope'), undefined)
})

t.test('refuses, naming the module, anything that does not keep the contract', async t => {
  const cases: Array<[unknown, RegExp]> = [
    [null, /must be made with defineProvider/],
    [{ ...good, specificationVersion: 2 }, /written for contract version 2, this service speaks version 1/],
    [{ ...good, id: 'Bad_Id' }, /id must be lowercase/],
    [{ ...good, label: ' ' }, /label is missing/],
    [{ ...good, hosts: 'x' }, /hosts must list/],
    [{ ...good, hosts: [] }, /hosts is empty, so requiresBaseUrl must be true/],
    [{ ...good, create: undefined }, /create\(\) is missing/],
    [{ ...good, create: () => null }, /create\(\) must return an object/],
    [{ ...good, create: () => ({ ...implementation, invoke: undefined }) }, /no invoke\(\) method/],
    [{ ...good, create: () => ({ ...implementation, models: undefined }) }, /no models array/]
  ]
  for (const [definition, message] of cases) {
    t.throws(() => createProviderRegistry([{ definition, origin: 'package hubspot-llm-provider-bad' }], context), message)
    t.throws(() => createProviderRegistry([{ definition, origin: 'package hubspot-llm-provider-bad' }], context), /^provider package hubspot-llm-provider-bad: /)
  }
  t.throws(() => createProviderRegistry([{ definition: good, origin: 'a' }, { definition: good, origin: 'b' }], context), new ProviderRegistrationError('b', 'id "good" is already registered'))
  t.doesNotThrow(() => createProviderRegistry([{ definition: { ...good, hosts: [], requiresBaseUrl: true }, origin: 'c' }], context))
})
