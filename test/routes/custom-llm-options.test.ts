import t, { type Test } from 'tap'
import { buildApp, type TestApp } from '../helpers/build-app.ts'
import { signedHeaders } from '../helpers/hubspot-request.ts'
import { ANTHROPIC_GOOD_KEY, startAnthropicStub } from '../stubs/anthropic-stub.ts'
import { OPENAI_GOOD_KEY, startOpenAIStub } from '../stubs/openai-stub.ts'

/** The fallback fields' options, and options of a connection whose stored key this service cannot decrypt. */

const PORTAL = 9101
const PATH = '/hubspot/actions/custom-llm/options'

interface Option { label: string, value: string, description?: string }

async function setup (t: Test): Promise<TestApp> {
  const openai = await startOpenAIStub()
  const anthropic = await startAnthropicStub()
  t.teardown(() => Promise.all([openai.close(), anthropic.close()]))
  const built = await buildApp(t, { OPENAI_BASE_URL: openai.baseUrl, ANTHROPIC_BASE_URL: anthropic.baseUrl })
  for (const [provider, apiKey] of [['openai', OPENAI_GOOD_KEY], ['anthropic', ANTHROPIC_GOOD_KEY]]) {
    const connected = await built.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/${provider}`, headers: built.admin, payload: { apiKey } })
    t.equal(connected.statusCode, 201, `${provider} connected`)
  }
  return built
}

/** Asks the signed options route for one field's options, with the other fields filled in as static values. */
async function optionsOf (built: TestApp, fieldName: string, filled: Record<string, string> = {}): Promise<{ statusCode: number, options: Option[] }> {
  const inputFields = Object.fromEntries(Object.entries(filled).map(([name, value]) => [name, { type: 'STATIC_VALUE', value }]))
  const payload = JSON.stringify({ origin: { portalId: PORTAL, actionDefinitionId: 1, actionDefinitionVersion: 1 }, objectTypeId: '0-1', inputFieldName: fieldName, inputFields })
  const response = await built.app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
  return { statusCode: response.statusCode, options: response.statusCode === 200 ? response.json().options : [] }
}

const values = (options: Option[]) => options.map(option => option.value)

t.test('fallbackProvider lists the connected providers, as provider does', async t => {
  const built = await setup(t)
  const providers = await optionsOf(built, 'provider')
  const fallbacks = await optionsOf(built, 'fallbackProvider', { provider: 'openai', model: 'gpt-4.1' })
  t.equal(fallbacks.statusCode, 200)
  t.same(values(fallbacks.options).sort(), ['anthropic', 'openai'])
  t.same(fallbacks.options, providers.options)
})

t.test('fallbackModel lists the models of the fallback provider, cut to its allowlist', async t => {
  const built = await setup(t)
  const openaiModels = values((await optionsOf(built, 'model', { provider: 'openai' })).options)
  const anthropicModels = values((await optionsOf(built, 'model', { provider: 'anthropic' })).options)
  t.ok(openaiModels.length > 1 && anthropicModels.length > 0, 'both providers list models')

  const fallback = await optionsOf(built, 'fallbackModel', { provider: 'anthropic', model: anthropicModels[0] ?? '', fallbackProvider: 'openai' })
  t.equal(fallback.statusCode, 200)
  t.same(values(fallback.options), openaiModels, 'the fallback provider\'s models, not the primary\'s')
  t.match(fallback.options[0]?.description, /reasoning effort|temperature/, 'described like the model options')

  t.same((await optionsOf(built, 'fallbackModel', { provider: 'openai' })).options, [], 'no fallback provider chosen: no models')
  t.same((await optionsOf(built, 'fallbackModel', { fallbackProvider: 'cohere' })).options, [], 'a provider the portal has not connected: no models')

  const allowed = await built.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai/allowed-models`, headers: built.admin, payload: { models: ['gpt-4.1'] } })
  t.equal(allowed.statusCode, 200)
  t.same(values((await optionsOf(built, 'fallbackModel', { fallbackProvider: 'openai' })).options), ['gpt-4.1'], 'cut to the allowlist')
  t.same(values((await optionsOf(built, 'model', { provider: 'openai' })).options), ['gpt-4.1'], 'the same list as model')
})

t.test('a stored key the service cannot read: no models and a warning, never a 500', async t => {
  const built = await setup(t)
  const { connections } = built.app.repositories
  const openai = await connections.find(PORTAL, 'openai')
  if (openai === undefined) throw new Error('openai is not connected')
  await connections.replaceCiphertext(openai.id, 'v1.default.AAAA.AAAA')
  // Connecting warmed the model list; a cold cache makes the options read the key again.
  built.app.modelCatalogue.forget('openai', String(PORTAL))

  for (const [fieldName, providerField] of [['model', 'provider'], ['fallbackModel', 'fallbackProvider']] as const) {
    const answer = await optionsOf(built, fieldName, { [providerField]: 'openai' })
    t.equal(answer.statusCode, 200, `${fieldName}: answered`)
    t.same(answer.options, [], `${fieldName}: no models`)
  }
  const warnings = built.logs.map(line => JSON.parse(line) as { level: number, msg?: string, provider?: string })
    .filter(entry => entry.level === 40 && entry.provider === 'openai' && /cannot be read/.test(entry.msg ?? ''))
  t.equal(warnings.length, 2, 'each unreadable fetch is logged as a warning')
  t.notOk(built.logs.some(line => line.includes(OPENAI_GOOD_KEY)), 'the key is never logged')
  t.ok((await optionsOf(built, 'fallbackModel', { fallbackProvider: 'anthropic' })).options.length > 0, 'other connections still list their models')
})

t.test('a connection marked key_unreadable says so in the provider options', async t => {
  const built = await setup(t)
  await built.app.repositories.connections.setStatus(PORTAL, 'openai', 'key_unreadable', Date.now())
  await built.app.repositories.connections.setStatus(PORTAL, 'anthropic', 'invalid', Date.now())
  for (const fieldName of ['provider', 'fallbackProvider']) {
    const byValue = Object.fromEntries((await optionsOf(built, fieldName)).options.map(option => [option.value, option]))
    t.match(byValue.openai?.description, /stored key cannot be read/, `${fieldName}: unreadable key described`)
    t.match(byValue.anthropic?.description, /rejected the stored key/, `${fieldName}: rejected key described`)
  }
})

t.test('a filled-in value over its input limit is refused with INVALID_INPUT, quoted by an excerpt only', async t => {
  const built = await setup(t)
  const payload = JSON.stringify({ origin: { portalId: PORTAL }, inputFieldName: 'model', inputFields: { provider: { type: 'STATIC_VALUE', value: 'o'.repeat(900_000) } } })
  const response = await built.app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
  t.equal(response.statusCode, 400)
  t.equal(response.json().code, 'INVALID_INPUT')
  t.match(response.json().message, /"provider" takes at most 100 characters, got "o{40}…" \(900,000 characters\)/)
  t.ok(response.body.length < 500, `the answer is ${response.body.length} bytes`)
  t.equal((await optionsOf(built, 'model', { provider: 'openai' })).statusCode, 200, 'a value within its limit is answered')
})
