import t from 'tap'
import xai, { XAI_DEFAULT_BASE_URL } from '../../providers/xai/index.ts'
import type { ReasoningEffort } from '../../providers/contract.ts'
import { ProviderError } from '../../providers/errors.ts'
import { decideParameters, type RequestedParameters } from '../../providers/parameters.ts'
import { buildProvider, captureLogger, signal } from '../helpers/provider-context.ts'
import { HANG_REPLY } from '../helpers/conformance-scenarios.ts'
import { XAI_BLOCKED_KEY, XAI_FAILURES, XAI_GOOD_KEY, startXaiStub, xaiError } from '../stubs/xai-stub.ts'

const CANARY_KEY = 'xai-canary-QWERTY-7777777777777777'

t.test('xai provider against the loopback stub', async t => {
  const stub = await startXaiStub()
  t.teardown(() => stub.close())
  const logger = captureLogger()
  const provider = buildProvider(xai, { baseUrl: stub.baseUrl, log: logger })
  const credentials = { apiKey: XAI_GOOD_KEY }

  /** Runs the service's parameter decision, then invokes with exactly what it decided; returns the body sent. */
  async function sent (modelId: string, requested: RequestedParameters) {
    const decided = decideParameters(modelId, provider.capabilities(modelId), requested)
    const result = await provider.invoke({
      ...credentials,
      modelId,
      prompt: 'Say hi',
      temperature: decided.temperature,
      reasoningEffort: decided.reasoningEffort,
      maxOutputTokens: decided.maxOutputTokens,
      signal: signal()
    })
    return { body: stub.generations().at(-1)?.json, adjustments: decided.adjustments, text: result.text }
  }

  t.test('declares its id, label and host', async t => {
    t.equal(provider.id, 'xai')
    t.equal(provider.label, 'xAI (Grok)')
    t.same(provider.hosts, ['api.x.ai'])
  })

  t.test('validateKey: GET /v1/api-key; xAI\'s 400 bad-key answer and a blocked key are invalid', async t => {
    t.same(await provider.validateKey(credentials, { signal: signal() }), { valid: true })
    t.equal(stub.requests.at(-1)?.url, '/v1/api-key')

    const bad = await provider.validateKey({ apiKey: CANARY_KEY }, { signal: signal() })
    t.same(bad, { valid: false, reason: 'xAI rejected the API key (HTTP 400).' })

    const blocked = await provider.validateKey({ apiKey: XAI_BLOCKED_KEY }, { signal: signal() })
    t.same(blocked, { valid: false, reason: 'xAI accepted the API key, but it is blocked.' })
  })

  t.test('validateKey throws for an outage instead of calling the key bad', async t => {
    stub.once('GET /v1/api-key', XAI_FAILURES.unavailable)
    await t.rejects(provider.validateKey(credentials, { signal: signal() }), { code: 'PROVIDER_UNAVAILABLE' })
  })

  t.test('listModels: Grok text models only, newest first, with family capabilities', async t => {
    const models = await provider.listModels(credentials, { signal: signal() })
    t.same(models.map(model => model.id), ['grok-4.5', 'grok-4.20-non-reasoning', 'grok-4.3', 'grok-3-mini'])
    t.same(models.map(model => model.capabilities.reasoningEfforts), [['low', 'medium', 'high'], [], ['low', 'medium', 'high'], ['low', 'high']])
    t.ok(models.every(model => model.capabilities.structuredOutput && model.capabilities.temperatureRange?.[1] === 2))
  })

  t.test('no settings: model, input and store:false only', async t => {
    const { body, text } = await sent('grok-4.3', {})
    t.same(body, { model: 'grok-4.3', input: 'Say hi', store: false })
    t.equal(text, 'Hello from stub')
  })

  t.test('temperature 0.3 is sent as is', async t => {
    t.same((await sent('grok-4.3', { temperature: 0.3 })).body, { model: 'grok-4.3', input: 'Say hi', store: false, temperature: 0.3 })
    t.same((await sent('grok-4.20-non-reasoning', { temperature: 0.3 })).body, { model: 'grok-4.20-non-reasoning', input: 'Say hi', store: false, temperature: 0.3 })
  })

  t.test('each effort level on a reasoning model (grok-4.3) passes through', async t => {
    for (const effort of ['low', 'medium', 'high'] as const) {
      const { body, adjustments } = await sent('grok-4.3', { reasoningEffort: effort })
      t.same(body, { model: 'grok-4.3', input: 'Say hi', store: false, reasoning: { effort } }, effort)
      t.same(adjustments, [])
    }
  })

  t.test('each effort level on models without effort control (grok-4.20-*) is left out, and reported', async t => {
    for (const modelId of ['grok-4.20-non-reasoning', 'grok-4.20-reasoning', 'grok-4-1-fast-reasoning']) {
      for (const effort of ['low', 'medium', 'high'] as const) {
        const { body, adjustments } = await sent(modelId, { reasoningEffort: effort })
        t.same(body, { model: modelId, input: 'Say hi', store: false }, `${modelId} ${effort}`)
        t.match(adjustments, [new RegExp(`Reasoning effort "${effort}" ignored: ${modelId} has no reasoning-effort setting`)])
      }
    }
  })

  t.test('grok-3-mini takes low and high; medium goes up to high', async t => {
    const expected: Array<[ReasoningEffort, ReasoningEffort]> = [['low', 'low'], ['medium', 'high'], ['high', 'high']]
    for (const [asked, effort] of expected) {
      t.same((await sent('grok-3-mini', { reasoningEffort: asked })).body.reasoning, { effort }, asked)
    }
  })

  t.test('an effort xAI refuses for a model newer than our table is dropped once, and reported', async t => {
    stub.once('POST /v1/responses', xaiError(400, 'Model grok-4.20-reasoning does not support parameter reasoningEffort.'))
    const result = await provider.invoke({ ...credentials, modelId: 'grok-4.20-reasoning', prompt: 'x', reasoningEffort: 'high', signal: signal() })
    t.equal(result.text, 'Hello from stub')
    t.match(result.adjustments, [/Reasoning effort "high" ignored: grok-4.20-reasoning refused it/])
    t.same(stub.generations().at(-1)?.json, { model: 'grok-4.20-reasoning', input: 'x', store: false })
  })

  t.test('instructions, an output cap and a JSON schema use the Responses fields', async t => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false }
    await provider.invoke({ ...credentials, modelId: 'grok-4.5', prompt: 'x', instructions: 'Be brief', maxOutputTokens: 100, jsonSchema: schema, signal: signal() })
    t.same(stub.generations().at(-1)?.json, {
      model: 'grok-4.5', input: 'x', store: false, instructions: 'Be brief', max_output_tokens: 100,
      text: { format: { type: 'json_schema', name: 'response', schema, strict: true } }
    })
  })

  t.test('a bad key at invoke (HTTP 400) is PROVIDER_AUTH, and the key never shows', async t => {
    const error = await provider.invoke({ apiKey: CANARY_KEY, modelId: 'grok-4.3', prompt: 'x', signal: signal() }).catch((thrown: unknown) => thrown) as ProviderError
    t.ok(ProviderError.is(error))
    t.match(error, { code: 'PROVIDER_AUTH', status: 400, message: 'xAI rejected the API key (HTTP 400).' })
    t.notMatch(JSON.stringify({ ...error, message: error.message, stack: error.stack }), /canary|QWERTY|7777|xa\*\*\*77/)
  })

  t.test('other 400s stay PROVIDER_REJECTED with xAI\'s message', async t => {
    stub.once('POST /v1/responses', xaiError(400, 'Model not found: grok-9'))
    await t.rejects(provider.invoke({ ...credentials, modelId: 'grok-9', prompt: 'x', signal: signal() }), {
      code: 'PROVIDER_REJECTED', message: 'xAI answered HTTP 400: Model not found: grok-9'
    })
  })

  t.test('429 with retry-after is PROVIDER_RATE_LIMITED and carries the wait', async t => {
    stub.once('POST /v1/responses', { ...XAI_FAILURES['rate-limited'], headers: { 'retry-after': '7' } })
    await t.rejects(provider.invoke({ ...credentials, modelId: 'grok-4.3', prompt: 'x', signal: signal() }), { code: 'PROVIDER_RATE_LIMITED', status: 429, retryAfterMs: 7000 })
  })

  t.test('5xx is PROVIDER_UNAVAILABLE, and the SDK never retries on its own', async t => {
    for (const status of [500, 502, 503]) {
      stub.once('POST /v1/responses', xaiError(status, 'The service is currently unavailable.', 'Service unavailable'))
      const before = stub.generations().length
      await t.rejects(provider.invoke({ ...credentials, modelId: 'grok-4.3', prompt: 'x', signal: signal() }), { code: 'PROVIDER_UNAVAILABLE', status })
      t.equal(stub.generations().length, before + 1, `${status}: one attempt`)
    }
  })

  t.test('a hang past the signal is PROVIDER_TIMEOUT', async t => {
    stub.once('POST /v1/responses', HANG_REPLY)
    await t.rejects(provider.invoke({ ...credentials, modelId: 'grok-4.3', prompt: 'x', signal: signal(200) }), { code: 'PROVIDER_TIMEOUT' })
  })

  t.test('a connection\'s own base URL wins over the operator\'s', async t => {
    const offline = buildProvider(xai, { baseUrl: 'http://127.0.0.1:9/v1' })
    const result = await offline.invoke({ ...credentials, baseUrl: stub.baseUrl, modelId: 'grok-4.3', prompt: 'x', signal: signal() })
    t.equal(result.model, 'grok-4.3')
    await t.rejects(offline.invoke({ ...credentials, modelId: 'grok-4.3', prompt: 'x', signal: signal() }), { code: 'PROVIDER_UNAVAILABLE' })
  })

  t.test('nothing logged holds a key', async t => {
    t.notMatch(logger.lines.join('\n'), /canary|xai-test/)
  })
})

t.test('without a base URL it calls https://api.x.ai/v1 with the bearer key', async t => {
  const seen: Array<{ url: string, authorization: string | null }> = []
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init)
    seen.push({ url: request.url, authorization: request.headers.get('authorization') })
    return Response.json({ team_blocked: false, api_key_blocked: false, api_key_disabled: false })
  }
  const provider = buildProvider(xai, { fetch })
  t.same(await provider.validateKey({ apiKey: XAI_GOOD_KEY }, { signal: signal() }), { valid: true })
  t.same(seen, [{ url: `${XAI_DEFAULT_BASE_URL}/api-key`, authorization: `Bearer ${XAI_GOOD_KEY}` }])
  t.equal(XAI_DEFAULT_BASE_URL, 'https://api.x.ai/v1')
})

t.test('family rules for ids the curated list has never seen', async t => {
  const provider = buildProvider(xai)
  const efforts = (id: string) => provider.capabilities(id).reasoningEfforts
  t.same(efforts('grok-4.3-latest'), ['low', 'medium', 'high'])
  t.same(efforts('grok-4.5-0715'), ['low', 'medium', 'high'])
  t.same(efforts('grok-4.7'), ['low', 'medium', 'high'])
  t.same(efforts('grok-4.20-multi-agent-0309'), [])
  t.same(efforts('grok-4-1-fast-non-reasoning'), [])
  t.same(efforts('grok-3-mini-fast'), ['low', 'high'])
  t.same(efforts('grok-4-0709'), [])
  t.same(efforts('grok-3'), [])
  t.same(efforts('grok-99-experimental'), [])
  t.same(provider.capabilities('grok-99-experimental').temperatureRange, [0, 2])
  t.ok(provider.models.some(model => model.id === 'grok-4.5'))
})
