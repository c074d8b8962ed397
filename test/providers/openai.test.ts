import t from 'tap'
import openai from '../../providers/openai/index.ts'
import { ProviderError } from '../../providers/errors.ts'
import { decideParameters } from '../../providers/parameters.ts'
import { OPENAI_GOOD_KEY, openAIError, startOpenAIStub } from '../stubs/openai-stub.ts'
import { buildProvider, signal } from '../helpers/provider-context.ts'

t.test('openai provider against the loopback stub', async t => {
  const stub = await startOpenAIStub()
  t.teardown(() => stub.close())
  const provider = buildProvider(openai, { baseUrl: stub.baseUrl })
  const credentials = { apiKey: OPENAI_GOOD_KEY }

  t.test('a good key validates, a bad one does not, and its reason hides the key', async t => {
    t.same(await provider.validateKey(credentials, { signal: signal() }), { valid: true })
    const bad = await provider.validateKey({ apiKey: 'sk-bad-canary-1234567890abcdef' }, { signal: signal() })
    t.equal(bad.valid, false)
    t.notMatch(JSON.stringify(bad), /canary|cdef/)
    t.match(stub.requests.at(-1)?.headers.authorization, 'Bearer sk-bad-canary')
  })

  t.test('live models: text models only, newest first, capabilities from family rules', async t => {
    const models = await provider.listModels(credentials, { signal: signal() })
    t.same(models.map(model => model.id), ['gpt-7-preview', 'gpt-5.4', 'gpt-4.1'])
    t.same(models[0]?.capabilities.reasoningEfforts, ['low', 'medium', 'high'])
    t.same(models[2]?.capabilities.reasoningEfforts, [])
  })

  t.test('invoke sends exactly the decided parameters through the Responses API', async t => {
    const result = await provider.invoke({ ...credentials, modelId: 'gpt-5.4', prompt: 'Say hi', instructions: 'Be brief', reasoningEffort: 'low', maxOutputTokens: 256, signal: signal() })
    t.same(stub.generations().at(-1)?.json, { model: 'gpt-5.4', input: 'Say hi', store: false, instructions: 'Be brief', max_output_tokens: 256, reasoning: { effort: 'low' } })
    t.equal(result.text, 'Hello from stub')
    t.same(result.usage, { inputTokens: 12, outputTokens: 20, cachedInputTokens: 2, reasoningTokens: 8 })
    t.equal(result.finishReason, 'stop')
  })

  t.test('no settings: only model, input and store', async t => {
    await provider.invoke({ ...credentials, modelId: 'gpt-4.1', prompt: 'x', signal: signal() })
    t.same(stub.generations().at(-1)?.json, { model: 'gpt-4.1', input: 'x', store: false })
    await provider.invoke({ ...credentials, modelId: 'gpt-4.1', prompt: 'x', temperature: 0.3, signal: signal() })
    t.same(stub.generations().at(-1)?.json, { model: 'gpt-4.1', input: 'x', store: false, temperature: 0.3 })
  })

  t.test('each effort level on a reasoning and on a non-reasoning model, as decided for that model', async t => {
    for (const effort of ['low', 'medium', 'high'] as const) {
      for (const modelId of ['gpt-5.4', 'gpt-4.1']) {
        const decided = decideParameters(modelId, provider.capabilities(modelId), { reasoningEffort: effort, temperature: 0.3 })
        await provider.invoke({ ...credentials, modelId, prompt: 'x', ...decided, signal: signal() })
        const sent = stub.generations().at(-1)?.json
        if (modelId === 'gpt-5.4') {
          t.same(sent, { model: modelId, input: 'x', store: false, reasoning: { effort } }, `${modelId} ${effort}`)
          t.match(decided.adjustments, [/Temperature 0.3 ignored/])
        } else {
          t.same(sent, { model: modelId, input: 'x', store: false, temperature: 0.3 }, `${modelId} ${effort}`)
          t.match(decided.adjustments, [new RegExp(`Reasoning effort "${effort}" ignored`)])
        }
      }
    }
  })

  t.test('a JSON schema becomes a strict json_schema text format', async t => {
    const schema = { type: 'object', properties: { value: { type: 'number' } }, required: ['value'], additionalProperties: false }
    await provider.invoke({ ...credentials, modelId: 'gpt-5.4', prompt: 'x', jsonSchema: schema, signal: signal() })
    t.same(stub.generations().at(-1)?.json.text, { format: { type: 'json_schema', name: 'response', schema, strict: true } })
  })

  t.test('a temperature the model refuses is dropped once, and reported', async t => {
    stub.once('POST /v1/responses', openAIError(400, "Unsupported parameter: 'temperature' is not supported with this model.", null, 'temperature'))
    const result = await provider.invoke({ ...credentials, modelId: 'gpt-7-preview', prompt: 'x', temperature: 0.2, signal: signal() })
    t.equal(result.text, 'Hello from stub')
    t.match(result.adjustments?.[0], /Temperature 0.2 ignored/)
    t.equal(stub.generations().at(-1)?.json.temperature, undefined)
  })

  t.test('errors map to the contract codes', async t => {
    const cases: Array<[ReturnType<typeof openAIError> & { headers?: Record<string, string> }, string, Partial<ProviderError>]> = [
      [{ ...openAIError(429, 'Rate limit reached for requests', 'rate_limit_exceeded'), headers: { 'retry-after': '7' } }, 'PROVIDER_RATE_LIMITED', { retryAfterMs: 7000 }],
      [openAIError(429, 'You exceeded your current quota', 'insufficient_quota', null, 'insufficient_quota'), 'PROVIDER_QUOTA', {}],
      [openAIError(500, 'The server had an error'), 'PROVIDER_UNAVAILABLE', {}],
      [openAIError(503, 'Slow Down', 'slow_down'), 'PROVIDER_UNAVAILABLE', {}],
      [openAIError(404, 'The model does not exist', 'model_not_found'), 'PROVIDER_REJECTED', {}],
      [openAIError(403, 'Country, region, or territory not supported'), 'PROVIDER_AUTH', {}]
    ]
    for (const [reply, code, extra] of cases) {
      stub.once('POST /v1/responses', reply)
      const error = await provider.invoke({ ...credentials, modelId: 'gpt-4.1', prompt: 'x', signal: signal() }).catch((thrown: unknown) => thrown)
      t.ok(ProviderError.is(error), `${reply.status} is a ProviderError`)
      t.match(error, { code, ...extra }, `${reply.status} ${code}`)
    }
    t.equal(stub.generations().filter(request => request.headers['x-stainless-retry-count'] !== '0').length, 0, 'the SDK itself never retries')
  })

  t.test('a bad key at invoke is PROVIDER_AUTH without the key in the message', async t => {
    const error = await provider.invoke({ apiKey: 'sk-canary-invoke-99999999', modelId: 'gpt-4.1', prompt: 'x', signal: signal() }).catch((thrown: unknown) => thrown) as ProviderError
    t.equal(error.code, 'PROVIDER_AUTH')
    t.notMatch(error.message, /canary|9999/)
  })

  t.test('a hang past the deadline is PROVIDER_TIMEOUT', async t => {
    stub.once('POST /v1/responses', { delayMs: 3000, body: {} })
    const error = await provider.invoke({ ...credentials, modelId: 'gpt-4.1', prompt: 'x', signal: signal(200) }).catch((thrown: unknown) => thrown)
    t.match(error, { code: 'PROVIDER_TIMEOUT' })
  })

  t.test('a refused connection is PROVIDER_UNAVAILABLE', async t => {
    const offline = buildProvider(openai, { baseUrl: 'http://127.0.0.1:9/v1' })
    const error = await offline.invoke({ ...credentials, modelId: 'gpt-4.1', prompt: 'x', signal: signal() }).catch((thrown: unknown) => thrown)
    t.match(error, { code: 'PROVIDER_UNAVAILABLE' })
  })
})

t.test('family rules for ids the curated list has never seen', async t => {
  const provider = buildProvider(openai)
  t.equal(provider.capabilities('gpt-5').temperature, false)
  t.equal(provider.capabilities('o3').temperature, false)
  t.equal(provider.capabilities('gpt-5.1').temperatureExcludesReasoning, true)
  t.same(provider.capabilities('gpt-5-pro').reasoningEfforts, ['high'])
  t.same(provider.capabilities('ft:gpt-4.1-mini:acme::abc').reasoningEfforts, [])
  t.same(provider.capabilities('gpt-5-chat-latest').reasoningEfforts, [])
  t.equal(provider.capabilities('gpt-6.2').temperatureExcludesReasoning, true)
  t.same(provider.hosts, ['api.openai.com'])
})
