import t from 'tap'
import gemini from '../../providers/gemini/index.ts'
import { ProviderError } from '../../providers/errors.ts'
import { decideParameters, type RequestedParameters } from '../../providers/parameters.ts'
import type { LlmProvider } from '../../providers/contract.ts'
import { BAD_KEY_REPLY, GEMINI_GOOD_KEY, geminiError, geminiResponse, generateRoute, startGeminiStub } from '../stubs/gemini-stub.ts'
import { buildProvider, signal } from '../helpers/provider-context.ts'
import type { StubReply } from '../helpers/stub-server.ts'

const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (thrown: unknown) => thrown)
const userTurn = (text: string) => [{ parts: [{ text }], role: 'user' }]

/** Invokes the way the service does: parameters decided from the model's capabilities first. */
async function invokeDecided (provider: LlmProvider, modelId: string, requested: RequestedParameters) {
  const { adjustments, ...parameters } = decideParameters(modelId, provider.capabilities(modelId), requested)
  const result = await provider.invoke({ apiKey: GEMINI_GOOD_KEY, modelId, prompt: 'x', ...parameters, signal: signal() })
  return { result, adjustments }
}

t.test('gemini provider against the loopback stub', async t => {
  const stub = await startGeminiStub()
  t.teardown(() => stub.close())
  const provider = buildProvider(gemini, { baseUrl: stub.baseUrl })
  const credentials = { apiKey: GEMINI_GOOD_KEY }

  t.test('a good key validates with a one-model list; a bad one (HTTP 400 API_KEY_INVALID) does not', async t => {
    t.same(await provider.validateKey(credentials, { signal: signal() }), { valid: true })
    t.equal(stub.requests.at(-1)?.path, '/v1beta/models')
    t.equal(stub.requests.at(-1)?.query.get('pageSize'), '1')
    t.equal(stub.requests.at(-1)?.headers['x-goog-api-key'], GEMINI_GOOD_KEY)
    const bad = await provider.validateKey({ apiKey: 'AIza-bad-canary-4444444444' }, { signal: signal() })
    t.equal(bad.valid, false)
    t.notMatch(JSON.stringify(bad), /canary|4444/)
  })

  t.test('a key without permission (403 PERMISSION_DENIED) is invalid too; an outage is thrown', async t => {
    stub.once('GET /v1beta/models', geminiError(403, 'PERMISSION_DENIED', 'Method doesn\'t allow unregistered callers.'))
    t.match(await provider.validateKey(credentials, { signal: signal() }), { valid: false })
    stub.once('GET /v1beta/models', geminiError(503, 'UNAVAILABLE', 'The service is currently unavailable.'))
    t.match(await failure(provider.validateKey(credentials, { signal: signal() })), { code: 'PROVIDER_UNAVAILABLE' })
  })

  t.test('live models: text generateContent models of every page, bare ids, display names', async t => {
    const before = stub.requests.length
    const models = await provider.listModels(credentials, { signal: signal() })
    t.same(stub.requests.slice(before).map(request => request.query.get('pageToken')), [null, 'page-2'])
    t.same(models.map(model => [model.id, model.label]), [
      ['gemini-2.5-flash', 'Gemini 2.5 Flash'],
      ['gemini-2.0-flash', 'Gemini 2.0 Flash'],
      ['gemini-3.5-flash', 'Gemini 3.5 Flash'],
      ['gemma-3-27b-it', 'Gemma 3 27B']
    ])
    t.same(models[0]?.capabilities.reasoningEfforts, ['low', 'medium', 'high'])
    t.same(models[1]?.capabilities.reasoningEfforts, [], 'thinking: false')
    t.same(models[2]?.capabilities.temperatureRange, [0, 2])
    t.equal(models[3]?.capabilities.structuredOutput, false)
  })

  t.test('a bad key at listing is PROVIDER_AUTH', async t => {
    t.match(await failure(provider.listModels({ apiKey: 'AIza-canary-list' }, { signal: signal() })), { code: 'PROVIDER_AUTH' })
  })

  t.test('invoke: system instruction, answer without thoughts, thoughts counted as output', async t => {
    const result = await provider.invoke({ ...credentials, modelId: 'gemini-3.5-flash', prompt: 'Say hi', instructions: 'Be brief', maxOutputTokens: 512, reasoningEffort: 'low', signal: signal() })
    t.same(stub.generations().at(-1)?.json, {
      contents: userTurn('Say hi'),
      systemInstruction: { parts: [{ text: 'Be brief' }], role: 'user' },
      generationConfig: { maxOutputTokens: 512, thinkingConfig: { thinkingLevel: 'LOW' } }
    })
    t.equal(result.text, 'Hello from Gemini stub')
    t.same(result.usage, { inputTokens: 6, outputTokens: 45, cachedInputTokens: 2, reasoningTokens: 40 })
    t.equal(result.finishReason, 'stop')
    t.equal(result.model, 'gemini-3.5-flash-001')
  })

  t.test('no settings: only the contents; temperature 0.3 adds only itself', async t => {
    await provider.invoke({ ...credentials, modelId: 'gemini-2.5-flash', prompt: 'x', signal: signal() })
    // The SDK always writes a generationConfig once a config (here, just the abort signal) is given.
    t.same(stub.generations().at(-1)?.json, { contents: userTurn('x'), generationConfig: {} })
    await provider.invoke({ ...credentials, modelId: 'gemini-2.5-flash', prompt: 'x', temperature: 0.3, signal: signal() })
    t.same(stub.generations().at(-1)?.json, { contents: userTurn('x'), generationConfig: { temperature: 0.3 } })
  })

  t.test('Gemini 2.5 gets a thinking budget, Gemini 3+ a thinking level, never both', async t => {
    const cases: Array<[string, Record<string, Record<string, unknown>>]> = [
      ['gemini-2.5-flash', { low: { thinkingBudget: 1024 }, medium: { thinkingBudget: 8192 }, high: { thinkingBudget: 24576 } }],
      ['gemini-2.5-pro', { low: { thinkingBudget: 1024 }, medium: { thinkingBudget: 8192 }, high: { thinkingBudget: 24576 } }],
      ['gemini-3.5-flash', { low: { thinkingLevel: 'LOW' }, medium: { thinkingLevel: 'MEDIUM' }, high: { thinkingLevel: 'HIGH' } }]
    ]
    for (const [modelId, expected] of cases) {
      for (const [reasoningEffort, thinkingConfig] of Object.entries(expected)) {
        const { adjustments } = await invokeDecided(provider, modelId, { reasoningEffort: reasoningEffort as 'low' | 'medium' | 'high' })
        const body = stub.generations().at(-1)?.json
        t.same(body, { contents: userTurn('x'), generationConfig: { thinkingConfig } }, `${modelId} ${reasoningEffort}`)
        t.equal(Object.keys(body.generationConfig.thinkingConfig).length, 1, `${modelId} ${reasoningEffort}: one of budget or level`)
        t.same(adjustments, [])
      }
    }
  })

  t.test('Gemini 3 Pro has no MEDIUM: the service sends HIGH and says so', async t => {
    const { adjustments } = await invokeDecided(provider, 'gemini-3-pro-preview', { reasoningEffort: 'medium' })
    t.same(stub.generations().at(-1)?.json.generationConfig, { thinkingConfig: { thinkingLevel: 'HIGH' } })
    t.match(adjustments[0], /"medium" sent as "high"/)
  })

  t.test('efforts are never sent to a model without thinking, and the service says so', async t => {
    for (const reasoningEffort of ['low', 'medium', 'high'] as const) {
      const { adjustments } = await invokeDecided(provider, 'gemini-2.0-flash', { reasoningEffort })
      t.same(stub.generations().at(-1)?.json, { contents: userTurn('x'), generationConfig: {} }, reasoningEffort)
      t.match(adjustments[0], /ignored: gemini-2.0-flash has no reasoning-effort setting/)
    }
  })

  t.test('a JSON schema becomes responseMimeType and responseJsonSchema, the schema untouched', async t => {
    const schema = { type: 'object', properties: { firstName: { type: 'string' } }, required: ['firstName'], additionalProperties: false }
    await provider.invoke({ ...credentials, modelId: 'gemini-2.5-flash', prompt: 'x', jsonSchema: schema, signal: signal() })
    t.same(stub.generations().at(-1)?.json.generationConfig, { responseMimeType: 'application/json', responseJsonSchema: schema })
  })

  t.test('Gemma, which refuses system instructions, gets them at the head of the user turn', async t => {
    await provider.invoke({ ...credentials, modelId: 'gemma-3-27b-it', prompt: 'Say hi', instructions: 'Be brief', signal: signal() })
    t.same(stub.generations().at(-1)?.json, { contents: [{ role: 'user', parts: [{ text: 'Be brief' }, { text: 'Say hi' }] }], generationConfig: {} })
  })

  t.test('finish reasons, and a blocked prompt', async t => {
    const cases: Array<[string, string]> = [['MAX_TOKENS', 'length'], ['SAFETY', 'content-filter'], ['RECITATION', 'content-filter'], ['PROHIBITED_CONTENT', 'content-filter'], ['SPII', 'content-filter'], ['BLOCKLIST', 'content-filter'], ['LANGUAGE', 'other'], ['MALFORMED_FUNCTION_CALL', 'other']]
    for (const [vendor, ours] of cases) {
      stub.once(generateRoute('gemini-2.5-flash'), { body: geminiResponse('partial', { candidates: [{ content: { role: 'model', parts: [{ text: 'partial' }] }, finishReason: vendor, index: 0 }] }) })
      const result = await provider.invoke({ ...credentials, modelId: 'gemini-2.5-flash', prompt: 'x', signal: signal() })
      t.equal(result.finishReason, ours, vendor)
    }
    stub.once(generateRoute('gemini-2.5-flash'), { body: { promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 }, modelVersion: 'gemini-2.5-flash' } })
    const blocked = await provider.invoke({ ...credentials, modelId: 'gemini-2.5-flash', prompt: 'x', signal: signal() })
    t.same(blocked, { text: '', finishReason: 'content-filter', usage: { inputTokens: 9, outputTokens: 0 }, model: 'gemini-2.5-flash' })
  })

  t.test('a split answer is resumed by the SDK and merged (a continuation, not a retry)', async t => {
    stub.once(generateRoute('gemini-3.5-flash'), {
      body: { candidates: [{ content: { role: 'model', parts: [{ text: 'Hel' }] }, finishReason: 'CONTINUATION', continuationToken: 'token-1', index: 0 }], usageMetadata: { promptTokenCount: 6, candidatesTokenCount: 3 } }
    }, {
      body: { candidates: [{ content: { role: 'model', parts: [{ text: 'lo' }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 6, candidatesTokenCount: 2 } }
    })
    const before = stub.generations().length
    const result = await provider.invoke({ ...credentials, modelId: 'gemini-3.5-flash', prompt: 'x', signal: signal() })
    const hops = stub.generations().slice(before)
    t.equal(hops.length, 2)
    t.equal(hops[1]?.json.continuationToken, 'token-1')
    t.equal(result.text, 'Hello')
    t.equal(result.finishReason, 'stop')
    t.same(result.usage, { inputTokens: 12, outputTokens: 5 })
  })

  t.test('errors map to the contract codes, in one attempt, without the key', async t => {
    const cases: Array<[string, StubReply, string, Partial<ProviderError>]> = [
      ['bad key', BAD_KEY_REPLY, 'PROVIDER_AUTH', { status: 400, vendorCode: 'API_KEY_INVALID' }],
      ['unauthenticated', geminiError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'), 'PROVIDER_AUTH', { status: 401 }],
      ['no permission', geminiError(403, 'PERMISSION_DENIED', 'Permission denied: Consumer has been suspended.'), 'PROVIDER_AUTH', { status: 403 }],
      ['rate limit', geminiError(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details. Please retry in 7.2s.', [
        { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier', quotaValue: '10' }] },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' }
      ]), 'PROVIDER_RATE_LIMITED', { status: 429, retryAfterMs: 7000, vendorCode: 'RESOURCE_EXHAUSTED' }],
      ['daily quota', geminiError(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details.', [
        { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier', quotaValue: '50' }] }
      ]), 'PROVIDER_QUOTA', { status: 429 }],
      ['billing', geminiError(400, 'FAILED_PRECONDITION', 'User location is not supported for the API use without a billing account linked.'), 'PROVIDER_QUOTA', { status: 400 }],
      ['bad request', geminiError(400, 'INVALID_ARGUMENT', 'Unable to submit request because thinking_level is not supported by this model.'), 'PROVIDER_REJECTED', { status: 400 }],
      ['unknown model', geminiError(404, 'NOT_FOUND', 'models/gemini-9 is not found for API version v1beta.'), 'PROVIDER_REJECTED', { status: 404 }],
      ['internal', geminiError(500, 'INTERNAL', 'An internal error has occurred.'), 'PROVIDER_UNAVAILABLE', {}],
      ['overloaded', geminiError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'), 'PROVIDER_UNAVAILABLE', {}],
      ['deadline', geminiError(504, 'DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'), 'PROVIDER_UNAVAILABLE', {}],
      ['proxy page', { status: 502, body: '<html>Bad Gateway</html>' }, 'PROVIDER_UNAVAILABLE', { status: 502 }]
    ]
    for (const [name, reply, code, extra] of cases) {
      stub.once(generateRoute('gemini-2.5-flash'), reply)
      const before = stub.generations().length
      const error = await failure(provider.invoke({ ...credentials, modelId: 'gemini-2.5-flash', prompt: 'x', signal: signal() })) as ProviderError
      t.ok(ProviderError.is(error), `${name} is a ProviderError`)
      t.match(error, { code, ...extra }, `${name}: ${code}`)
      t.equal(stub.generations().length - before, 1, `${name}: exactly one HTTP attempt`)
      t.notMatch(`${error.message} ${JSON.stringify(error)}`, /canary/, `${name}: no key text`)
    }
  })

  t.test('a bad key at invoke is PROVIDER_AUTH with a message of our own', async t => {
    const error = await failure(provider.invoke({ apiKey: 'AIza-canary-invoke-99999999', modelId: 'gemini-2.5-flash', prompt: 'x', signal: signal() })) as ProviderError
    t.equal(error.code, 'PROVIDER_AUTH')
    t.equal(error.message, 'Google Gemini rejected the API key (HTTP 400).')
    t.equal(error.vendorCode, 'API_KEY_INVALID')
    t.notMatch(`${error.message} ${JSON.stringify(error)}`, /canary|9999/)
  })

  t.test('a hang past the call deadline is PROVIDER_TIMEOUT, in one attempt', async t => {
    stub.once(generateRoute('gemini-2.5-flash'), { delayMs: 3000, body: {} })
    const before = stub.generations().length
    t.match(await failure(provider.invoke({ ...credentials, modelId: 'gemini-2.5-flash', prompt: 'x', signal: signal(200) })), { code: 'PROVIDER_TIMEOUT' })
    t.equal(stub.generations().length - before, 1)
  })

  t.test('the SDK\'s own timeout (a DOM AbortError) is PROVIDER_TIMEOUT too', async t => {
    const impatient = buildProvider(gemini, { baseUrl: stub.baseUrl, timeoutMs: 300 })
    stub.once(generateRoute('gemini-2.5-flash'), { delayMs: 3000, body: {} })
    const error = await failure(impatient.invoke({ ...credentials, modelId: 'gemini-2.5-flash', prompt: 'x', signal: signal(5000) })) as ProviderError
    t.match(error, { code: 'PROVIDER_TIMEOUT' })
    t.match(error.cause, { name: 'AbortError' })
  })

  t.test('a refused connection is PROVIDER_UNAVAILABLE', async t => {
    const offline = buildProvider(gemini, { baseUrl: 'http://127.0.0.1:9' })
    t.match(await failure(offline.invoke({ ...credentials, modelId: 'gemini-2.5-flash', prompt: 'x', signal: signal() })), { code: 'PROVIDER_UNAVAILABLE' })
  })

  t.test('the custom fetch is used, and a connection-level base URL wins over the context one', async t => {
    const fetched: string[] = []
    const tracing: typeof globalThis.fetch = async (input, init) => {
      fetched.push(String(input instanceof Request ? input.url : input))
      return await globalThis.fetch(input, init)
    }
    const elsewhere = buildProvider(gemini, { baseUrl: 'http://127.0.0.1:9', fetch: tracing })
    const result = await elsewhere.invoke({ ...credentials, baseUrl: stub.baseUrl, modelId: 'gemini-2.5-flash', prompt: 'x', signal: signal() })
    t.equal(result.text, 'Hello from Gemini stub')
    t.same(fetched, [`${stub.baseUrl}/v1beta/models/gemini-2.5-flash:generateContent`])
  })

  t.test('the key only ever travelled in the x-goog-api-key header', async t => {
    t.ok(stub.requests.length > 20)
    for (const request of stub.requests) {
      t.notMatch(request.url, /canary|key=/i, `${request.method} ${request.url}`)
      t.ok(typeof request.headers['x-goog-api-key'] === 'string', 'header present')
      t.equal(request.headers.authorization, undefined)
    }
  })
})

t.test('family rules for ids the curated list has never seen', async t => {
  const provider = buildProvider(gemini)
  t.same(provider.capabilities('gemini-2.5-flash-lite').reasoningEfforts, ['low', 'medium', 'high'])
  t.same(provider.capabilities('gemini-3-pro-preview').reasoningEfforts, ['low', 'high'])
  t.same(provider.capabilities('gemini-3.7-flash').reasoningEfforts, ['low', 'medium', 'high'])
  t.same(provider.capabilities('gemini-4-ultra').reasoningEfforts, ['low', 'medium', 'high'])
  t.same(provider.capabilities('gemini-2.0-flash-lite').reasoningEfforts, [])
  t.same(provider.capabilities('models/gemini-1.5-pro').reasoningEfforts, [])
  t.equal(provider.capabilities('gemma-3-12b-it').structuredOutput, false)
  t.equal(provider.capabilities('learnlm-2.0-flash-experimental').structuredOutput, false)
  t.same(provider.capabilities('gemini-2.5-pro').temperatureRange, [0, 2])
  t.ok(provider.models.some(model => model.id === 'gemini-2.5-flash'))
  t.same(provider.hosts, ['generativelanguage.googleapis.com'])
  t.equal(provider.label, 'Google Gemini')
})
