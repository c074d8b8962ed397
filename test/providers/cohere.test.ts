import t from 'tap'
import cohere from '../../providers/cohere/index.ts'
import { ProviderError } from '../../providers/errors.ts'
import { decideParameters, type RequestedParameters } from '../../providers/parameters.ts'
import type { LlmProvider } from '../../providers/contract.ts'
import { COHERE_GOOD_KEY, cohereChatResponse, cohereError, startCohereStub } from '../stubs/cohere-stub.ts'
import { buildProvider, signal } from '../helpers/provider-context.ts'
import type { StubReply } from '../helpers/stub-server.ts'

const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (thrown: unknown) => thrown)

/** Invokes the way the service does: parameters decided from the model's capabilities first. */
async function invokeDecided (provider: LlmProvider, modelId: string, requested: RequestedParameters) {
  const decided = decideParameters(modelId, provider.capabilities(modelId), requested)
  const { adjustments, ...parameters } = decided
  const result = await provider.invoke({ apiKey: COHERE_GOOD_KEY, modelId, prompt: 'x', ...parameters, signal: signal() })
  return { result, adjustments }
}

t.test('cohere provider against the loopback stub', async t => {
  const stub = await startCohereStub()
  t.teardown(() => stub.close())
  const provider = buildProvider(cohere, { baseUrl: stub.baseUrl })
  const credentials = { apiKey: COHERE_GOOD_KEY }

  t.test('a good key validates through the models list, a bad one does not, and its reason hides the key', async t => {
    t.same(await provider.validateKey(credentials, { signal: signal() }), { valid: true })
    t.equal(stub.requests.at(-1)?.path, '/v1/models')
    t.equal(stub.requests.at(-1)?.query.get('page_size'), '1')
    const bad = await provider.validateKey({ apiKey: 'co-bad-canary-2222222222' }, { signal: signal() })
    t.equal(bad.valid, false)
    t.notMatch(JSON.stringify(bad), /canary|2222/)
    t.equal(stub.requests.at(-1)?.headers.authorization, 'Bearer co-bad-canary-2222222222')
  })

  t.test('an outage at validation is thrown, never read as a bad key', async t => {
    stub.once('GET /v1/models', cohereError(503, 'service unavailable'))
    t.match(await failure(provider.validateKey(credentials, { signal: signal() })), { code: 'PROVIDER_UNAVAILABLE' })
  })

  t.test('live models: chat models of every page, deprecated ones left out, name as id and label', async t => {
    const before = stub.requests.length
    const models = await provider.listModels(credentials, { signal: signal() })
    const pages = stub.requests.slice(before)
    t.same(pages.map(request => request.query.get('page_token')), [null, 'page-2'])
    t.ok(pages.every(request => request.query.get('endpoint') === 'chat' && request.query.get('page_size') === '100'))
    t.same(models.map(model => [model.id, model.label]), [
      ['command-a-03-2025', 'command-a-03-2025'],
      ['command-a-reasoning-08-2025', 'command-a-reasoning-08-2025'],
      ['c4ai-aya-expanse-32b', 'c4ai-aya-expanse-32b']
    ])
    t.same(models[0]?.capabilities.reasoningEfforts, [])
    t.same(models[1]?.capabilities.reasoningEfforts, ['low', 'medium', 'high'])
    t.equal(models[2]?.capabilities.structuredOutput, false)
  })

  t.test('a bad key at listing is PROVIDER_AUTH', async t => {
    t.match(await failure(provider.listModels({ apiKey: 'co-canary-list' }, { signal: signal() })), { code: 'PROVIDER_AUTH' })
  })

  t.test('invoke: system and user messages, text without thinking, real token usage', async t => {
    const result = await provider.invoke({ ...credentials, modelId: 'command-a-03-2025', prompt: 'Say hi', instructions: 'Be brief', maxOutputTokens: 300, signal: signal() })
    t.same(stub.chats().at(-1)?.json, {
      model: 'command-a-03-2025',
      messages: [{ role: 'system', content: 'Be brief' }, { role: 'user', content: 'Say hi' }],
      max_tokens: 300,
      stream: false
    })
    t.equal(result.text, 'Hello from Cohere stub')
    t.same(result.usage, { inputTokens: 70, outputTokens: 9, cachedInputTokens: 3 })
    t.equal(result.finishReason, 'stop')
  })

  t.test('no settings: only model, the user message and stream; temperature 0.3 adds only itself', async t => {
    await provider.invoke({ ...credentials, modelId: 'command-a-03-2025', prompt: 'x', signal: signal() })
    t.same(stub.chats().at(-1)?.json, { model: 'command-a-03-2025', messages: [{ role: 'user', content: 'x' }], stream: false })
    await provider.invoke({ ...credentials, modelId: 'command-a-03-2025', prompt: 'x', temperature: 0.3, signal: signal() })
    t.same(stub.chats().at(-1)?.json, { model: 'command-a-03-2025', messages: [{ role: 'user', content: 'x' }], temperature: 0.3, stream: false })
  })

  t.test('efforts become thinking budgets on a reasoning model', async t => {
    const expected = {
      low: { type: 'enabled', token_budget: 1024 },
      medium: { type: 'enabled', token_budget: 4096 },
      high: { type: 'enabled' }
    } as const
    for (const [reasoningEffort, thinking] of Object.entries(expected)) {
      const { adjustments } = await invokeDecided(provider, 'command-a-reasoning-08-2025', { reasoningEffort: reasoningEffort as keyof typeof expected })
      t.same(stub.chats().at(-1)?.json, { model: 'command-a-reasoning-08-2025', messages: [{ role: 'user', content: 'x' }], thinking, stream: false }, reasoningEffort)
      t.same(adjustments, [])
    }
  })

  t.test('efforts are never sent to a model without reasoning, and the service says so', async t => {
    for (const reasoningEffort of ['low', 'medium', 'high'] as const) {
      const { adjustments } = await invokeDecided(provider, 'command-a-03-2025', { reasoningEffort })
      t.same(stub.chats().at(-1)?.json, { model: 'command-a-03-2025', messages: [{ role: 'user', content: 'x' }], stream: false }, reasoningEffort)
      t.match(adjustments[0], /ignored: command-a-03-2025 has no reasoning-effort setting/)
    }
  })

  t.test('a temperature above 1 is clamped by the service before it reaches Cohere', async t => {
    const { adjustments } = await invokeDecided(provider, 'command-a-03-2025', { temperature: 1.5 })
    t.equal(stub.chats().at(-1)?.json.temperature, 1)
    t.match(adjustments[0], /sent as 1/)
  })

  t.test('a JSON schema becomes a json_object response format, the schema untouched', async t => {
    const schema = { type: 'object', properties: { firstName: { type: 'string' } }, required: ['firstName'], additionalProperties: false }
    await provider.invoke({ ...credentials, modelId: 'command-a-03-2025', prompt: 'x', jsonSchema: schema, signal: signal() })
    t.same(stub.chats().at(-1)?.json.response_format, { type: 'json_object', json_schema: schema })
  })

  t.test('finish reasons', async t => {
    const cases: Array<[string, string]> = [['STOP_SEQUENCE', 'stop'], ['MAX_TOKENS', 'length'], ['ERROR', 'error'], ['TIMEOUT', 'other'], ['TOOL_CALL', 'other']]
    for (const [vendor, ours] of cases) {
      stub.once('POST /v2/chat', { body: cohereChatResponse('partial', { finish_reason: vendor }) })
      const result = await provider.invoke({ ...credentials, modelId: 'command-a-03-2025', prompt: 'x', signal: signal() })
      t.equal(result.finishReason, ours, vendor)
    }
    stub.once('POST /v2/chat', { body: { id: 'c-2', finish_reason: 'COMPLETE', message: { role: 'assistant', content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }] }, usage: { billed_units: { input_tokens: 4, output_tokens: 2 } } } })
    const result = await provider.invoke({ ...credentials, modelId: 'command-a-03-2025', prompt: 'x', signal: signal() })
    t.equal(result.text, 'AB')
    t.same(result.usage, { inputTokens: 4, outputTokens: 2 }, 'billed units when real tokens are missing')
  })

  t.test('errors map to the contract codes, in one attempt, without the key', async t => {
    const cases: Array<[StubReply, string, Partial<ProviderError>]> = [
      [cohereError(401, 'invalid api token'), 'PROVIDER_AUTH', { status: 401 }],
      [cohereError(403, 'forbidden'), 'PROVIDER_AUTH', { status: 403 }],
      [cohereError(498, 'invalid token'), 'PROVIDER_AUTH', { status: 498 }],
      [cohereError(402, 'Please add a payment method'), 'PROVIDER_QUOTA', { status: 402 }],
      [cohereError(429, 'You are past the per minute request limit, please wait and try again later.', { 'retry-after': '7' }), 'PROVIDER_RATE_LIMITED', { retryAfterMs: 7000 }],
      [cohereError(429, 'You are using a Trial key, which is limited to 1000 API calls / month.'), 'PROVIDER_QUOTA', {}],
      [cohereError(400, 'invalid request: model not found'), 'PROVIDER_REJECTED', {}],
      [cohereError(500, 'internal server error'), 'PROVIDER_UNAVAILABLE', {}],
      [cohereError(503, 'service unavailable'), 'PROVIDER_UNAVAILABLE', {}],
      [{ status: 502, body: '<html>Bad Gateway</html>' }, 'PROVIDER_UNAVAILABLE', {}]
    ]
    for (const [reply, code, extra] of cases) {
      stub.once('POST /v2/chat', reply)
      const before = stub.chats().length
      const error = await failure(provider.invoke({ ...credentials, modelId: 'command-a-03-2025', prompt: 'x', signal: signal() })) as ProviderError
      t.ok(ProviderError.is(error), `${String(reply.status)} is a ProviderError`)
      t.match(error, { code, ...extra }, `${String(reply.status)} ${code}`)
      t.equal(stub.chats().length - before, 1, `${String(reply.status)}: exactly one HTTP attempt`)
      t.notMatch(`${error.message} ${JSON.stringify(error)}`, /canary/, `${String(reply.status)}: no key text`)
    }
  })

  t.test('a bad key at invoke is PROVIDER_AUTH without the key in the message', async t => {
    const error = await failure(provider.invoke({ apiKey: 'co-canary-invoke-99999999', modelId: 'command-a-03-2025', prompt: 'x', signal: signal() })) as ProviderError
    t.equal(error.code, 'PROVIDER_AUTH')
    t.equal(error.message, 'Cohere rejected the API key (HTTP 401).')
    t.notMatch(`${error.message} ${JSON.stringify(error)}`, /canary|9999/)
  })

  t.test('a hang past the call deadline is PROVIDER_TIMEOUT, in one attempt', async t => {
    stub.once('POST /v2/chat', { delayMs: 3000, body: {} })
    const before = stub.chats().length
    const error = await failure(provider.invoke({ ...credentials, modelId: 'command-a-03-2025', prompt: 'x', signal: signal(200) }))
    t.match(error, { code: 'PROVIDER_TIMEOUT' })
    t.equal(stub.chats().length - before, 1)
  })

  t.test('the SDK\'s own timeout (a plain CohereError "timeout" in 8.1.0) is PROVIDER_TIMEOUT too', async t => {
    const impatient = buildProvider(cohere, { baseUrl: stub.baseUrl, timeoutMs: 1000 })
    stub.once('POST /v2/chat', { delayMs: 3000, body: {} })
    const error = await failure(impatient.invoke({ ...credentials, modelId: 'command-a-03-2025', prompt: 'x', signal: signal(5000) })) as ProviderError
    t.match(error, { code: 'PROVIDER_TIMEOUT' })
    t.match(error.cause, { name: 'CohereError', statusCode: undefined })
  })

  t.test('a refused connection is PROVIDER_UNAVAILABLE', async t => {
    const offline = buildProvider(cohere, { baseUrl: 'http://127.0.0.1:9' })
    t.match(await failure(offline.invoke({ ...credentials, modelId: 'command-a-03-2025', prompt: 'x', signal: signal() })), { code: 'PROVIDER_UNAVAILABLE' })
  })

  t.test('a connection-level base URL wins over the context one', async t => {
    const elsewhere = buildProvider(cohere, { baseUrl: 'http://127.0.0.1:9' })
    const result = await elsewhere.invoke({ ...credentials, baseUrl: stub.baseUrl, modelId: 'command-a-03-2025', prompt: 'x', signal: signal() })
    t.equal(result.text, 'Hello from Cohere stub')
  })
})

t.test('family rules for ids the curated list has never seen', async t => {
  const provider = buildProvider(cohere)
  t.same(provider.capabilities('command-a-reasoning-08-2025').reasoningEfforts, ['low', 'medium', 'high'])
  t.same(provider.capabilities('command-b-reasoning-02-2027').reasoningEfforts, ['low', 'medium', 'high'])
  t.same(provider.capabilities('command-a-03-2025').reasoningEfforts, [])
  t.same(provider.capabilities('command-r7b-12-2024').temperatureRange, [0, 1])
  t.equal(provider.capabilities('command-r-plus-08-2024').structuredOutput, true)
  t.equal(provider.capabilities('command-light').structuredOutput, false)
  t.equal(provider.capabilities('c4ai-aya-vision-8b').structuredOutput, false)
  t.ok(provider.models.some(model => model.id === 'command-a-reasoning-08-2025'))
  t.same(provider.hosts, ['api.cohere.com'])
  t.equal(provider.label, 'Cohere')
})
