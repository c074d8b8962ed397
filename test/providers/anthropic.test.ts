import t from 'tap'
import anthropic from '../../providers/anthropic/index.ts'
import { REASONING_EFFORTS } from '../../providers/contract.ts'
import { ProviderError } from '../../providers/errors.ts'
import { decideParameters } from '../../providers/parameters.ts'
import { ANTHROPIC_GOOD_KEY, anthropicError, anthropicMessage, startAnthropicStub } from '../stubs/anthropic-stub.ts'
import { buildProvider, signal } from '../helpers/provider-context.ts'

const CANARY_KEY = 'sk-ant-api03-canary-key-7777777777777777'

t.test('anthropic provider against the loopback stub', async t => {
  const stub = await startAnthropicStub()
  t.teardown(() => stub.close())
  const provider = buildProvider(anthropic, { baseUrl: stub.baseUrl })
  const credentials = { apiKey: ANTHROPIC_GOOD_KEY }
  const lastBody = () => stub.generations().at(-1)?.json
  const invokeFailure = (request: Partial<Parameters<typeof provider.invoke>[0]> = {}) =>
    provider.invoke({ ...credentials, modelId: 'claude-sonnet-5-5', prompt: 'x', signal: signal(), ...request })
      .then(() => undefined, (thrown: unknown) => thrown as ProviderError)

  t.test('a good key validates with GET /v1/models?limit=1, a bad one does not, and its reason hides the key', async t => {
    t.same(await provider.validateKey(credentials, { signal: signal() }), { valid: true })
    const check = stub.requests.at(-1)
    t.equal(check?.url, '/v1/models?limit=1')
    t.equal(check?.headers['anthropic-version'], '2026-10-21')
    t.equal(check?.headers.authorization, `Bearer ${ANTHROPIC_GOOD_KEY}`)

    const bad = await provider.validateKey({ apiKey: CANARY_KEY }, { signal: signal() })
    t.equal(bad.valid, false)
    t.notMatch(JSON.stringify(bad), /canary|7777/)
  })

  t.test('a vendor outage at validation is thrown, never read as a bad key', async t => {
    stub.once('GET /v1/models', anthropicError(529, 'overloaded_error', 'Overloaded'))
    const error = await provider.validateKey(credentials, { signal: signal() }).catch((thrown: unknown) => thrown)
    t.match(error, { code: 'PROVIDER_UNAVAILABLE', status: 529 })
  })

  t.test('live models: every page, retired ones left out, live capabilities over family rules', async t => {
    const before = stub.requests.length
    const models = await provider.listModels(credentials, { signal: signal() })
    t.same(models.map(model => model.id), ['claude-sonnet-5-5', 'claude-opus-4-5-20251101', 'claude-haiku-4-5', 'claude-opus-6'])
    t.equal(stub.requests.length - before, 3, 'the SDK iterator followed has_more through three pages')
    t.equal(stub.requests.at(-1)?.url, '/v1/models?limit=1000&after_id=claude-opus-6')
    t.same(models.map(model => model.label), ['Claude Sonnet 5.5', 'Claude Opus 4.5', 'Claude Haiku 4.5', 'Claude Opus 6'])
    t.equal(models[1]?.deprecatedAfter, '2027-01-22')
    for (const model of models) {
      t.equal(model.capabilities.temperature, false, `${model.id} never takes a temperature`)
      t.same(model.capabilities.reasoningEfforts, REASONING_EFFORTS, `${model.id} takes the three efforts`)
      t.equal(model.capabilities.defaultMaxOutputTokens, 4096)
    }
    t.equal(models[3]?.capabilities.maxOutputTokens, 128000, 'no live data: the family rules decide')
  })

  t.test('invoke with no settings sends model, max_tokens and the prompt only', async t => {
    const result = await provider.invoke({ ...credentials, modelId: 'claude-sonnet-5-5', prompt: 'Say hi', signal: signal() })
    const request = stub.generations().at(-1)
    t.same(request?.json, { model: 'claude-sonnet-5-5', max_tokens: 4096, messages: [{ role: 'user', content: 'Say hi' }] })
    t.equal(request?.headers['anthropic-version'], '2026-10-21')
    t.equal(request?.headers.authorization, `Bearer ${ANTHROPIC_GOOD_KEY}`)
    t.equal(result.text, 'Hello from Claude stub again', 'text blocks only, thinking skipped')
    t.same(result.usage, { inputTokens: 15, outputTokens: 25, cachedInputTokens: 2, reasoningTokens: 9 })
    t.equal(result.finishReason, 'stop')
    t.equal(result.model, 'claude-sonnet-5-5')
    t.equal(result.adjustments, undefined)

    await provider.invoke({ ...credentials, modelId: 'claude-sonnet-5-5', prompt: 'Say hi', instructions: 'Be brief', maxOutputTokens: 300, signal: signal() })
    t.same(lastBody(), { model: 'claude-sonnet-5-5', max_tokens: 300, system: 'Be brief', messages: [{ role: 'user', content: 'Say hi' }] })
  })

  t.test('a requested temperature is decided away and never reaches the wire', async t => {
    for (const modelId of ['claude-sonnet-5-5', 'claude-haiku-4-5', 'claude-3-5-haiku-20241022', 'my-proxy-alias']) {
      const decided = decideParameters(modelId, provider.capabilities(modelId), { temperature: 0.3 })
      t.match(decided.adjustments, [/Temperature 0.3 ignored/])
      await provider.invoke({ ...credentials, modelId, prompt: 'x', signal: signal(), ...decided })
      t.same(lastBody(), { model: modelId, max_tokens: 4096, messages: [{ role: 'user', content: 'x' }] }, `${modelId}: no temperature sent`)
    }
  })

  t.test('effort on an effort model: output_config.effort with adaptive thinking', async t => {
    for (const effort of REASONING_EFFORTS) {
      const result = await provider.invoke({ ...credentials, modelId: 'claude-sonnet-5-5', prompt: 'x', reasoningEffort: effort, signal: signal() })
      t.same(lastBody(), {
        model: 'claude-sonnet-5-5', max_tokens: 4096, messages: [{ role: 'user', content: 'x' }], output_config: { effort }, thinking: { type: 'adaptive' }
      }, effort)
      t.equal(result.adjustments, undefined)
    }
  })

  t.test('effort on a model whose live capabilities take effort but not adaptive thinking: effort alone', async t => {
    await provider.listModels(credentials, { signal: signal() })
    for (const effort of REASONING_EFFORTS) {
      await provider.invoke({ ...credentials, modelId: 'claude-opus-4-5-20251101', prompt: 'x', reasoningEffort: effort, signal: signal() })
      t.same(lastBody(), { model: 'claude-opus-4-5-20251101', max_tokens: 4096, messages: [{ role: 'user', content: 'x' }], output_config: { effort } }, effort)
    }
  })

  t.test('effort on a manual-thinking model: a thinking budget, max_tokens raised above it and reported', async t => {
    const expected = { low: [1024, 4096], medium: [4096, 5120], high: [16384, 17408] } as const
    for (const effort of REASONING_EFFORTS) {
      const decided = decideParameters('claude-haiku-4-5', provider.capabilities('claude-haiku-4-5'), { reasoningEffort: effort })
      t.same(decided.adjustments, [])
      const result = await provider.invoke({ ...credentials, modelId: 'claude-haiku-4-5', prompt: 'x', signal: signal(), ...decided })
      const [budget, maxTokens] = expected[effort]
      t.same(lastBody(), {
        model: 'claude-haiku-4-5', max_tokens: maxTokens, messages: [{ role: 'user', content: 'x' }], thinking: { type: 'enabled', budget_tokens: budget }
      }, effort)
      if (maxTokens === 4096) t.equal(result.adjustments, undefined, `${effort}: nothing raised`)
      else t.match(result.adjustments, [new RegExp(`Output-token cap 4096 raised to ${maxTokens}`)], `${effort}: the raise is reported`)
    }
    const roomy = await provider.invoke({ ...credentials, modelId: 'claude-haiku-4-5', prompt: 'x', reasoningEffort: 'high', maxOutputTokens: 20000, signal: signal() })
    t.equal(lastBody().max_tokens, 20000)
    t.equal(roomy.adjustments, undefined)
  })

  t.test('effort on a model without reasoning: neither field is sent', async t => {
    const modelId = 'claude-3-5-haiku-20241022'
    t.same(provider.capabilities(modelId).reasoningEfforts, [])
    for (const effort of REASONING_EFFORTS) {
      const decided = decideParameters(modelId, provider.capabilities(modelId), { reasoningEffort: effort })
      t.match(decided.adjustments, [/ignored: claude-3-5-haiku-20241022 has no reasoning-effort setting/])
      await provider.invoke({ ...credentials, modelId, prompt: 'x', signal: signal(), ...decided })
      t.same(lastBody(), { model: modelId, max_tokens: 4096, messages: [{ role: 'user', content: 'x' }] }, effort)
    }
    const undecided = await provider.invoke({ ...credentials, modelId, prompt: 'x', reasoningEffort: 'high', signal: signal() })
    t.same(lastBody(), { model: modelId, max_tokens: 4096, messages: [{ role: 'user', content: 'x' }] })
    t.match(undecided.adjustments, [/Reasoning effort "high" ignored/], 'an effort that slips through is dropped aloud, not silently')
  })

  t.test('an output-token cap above the model maximum is lowered before it is sent', async t => {
    const decided = decideParameters('claude-sonnet-5-5', provider.capabilities('claude-sonnet-5-5'), { maxOutputTokens: 500000 })
    t.equal(decided.maxOutputTokens, 64000)
    await provider.invoke({ ...credentials, modelId: 'claude-sonnet-5-5', prompt: 'x', signal: signal(), ...decided })
    t.equal(lastBody().max_tokens, 64000)
  })

  t.test('a JSON schema becomes output_config.format, beside the effort', async t => {
    const schema = { type: 'object', properties: { value: { type: 'number' } }, required: ['value'], additionalProperties: false }
    t.equal(provider.capabilities('claude-sonnet-5-5').structuredOutput, true)
    await provider.invoke({ ...credentials, modelId: 'claude-sonnet-5-5', prompt: 'x', jsonSchema: schema, reasoningEffort: 'low', signal: signal() })
    t.same(lastBody().output_config, { effort: 'low', format: { type: 'json_schema', schema } })
  })

  t.test('reasoning settings the vendor refuses are dropped once, and reported', async t => {
    stub.once('POST /v1/messages', anthropicError(400, 'invalid_request_error', 'output_config.effort "low" is not supported by model claude-opus-6'))
    const before = stub.generations().length
    const result = await provider.invoke({ ...credentials, modelId: 'claude-opus-6', prompt: 'x', reasoningEffort: 'low', signal: signal() })
    t.equal(stub.generations().length - before, 2)
    t.same(lastBody(), { model: 'claude-opus-6', max_tokens: 4096, messages: [{ role: 'user', content: 'x' }] })
    t.match(result.adjustments, [/Reasoning effort "low" ignored: claude-opus-6 refused it/])

    stub.once('POST /v1/messages', anthropicError(400, 'invalid_request_error', 'messages: roles must alternate'))
    const error = await invokeFailure({ reasoningEffort: 'low' })
    t.match(error, { code: 'PROVIDER_REJECTED', status: 400 }, 'other 400s are not retried')
  })

  t.test('stop reasons map to finish reasons', async t => {
    const cases = [['max_tokens', 'length'], ['model_context_window_exceeded', 'length'], ['stop_sequence', 'stop'], ['refusal', 'content-filter'], ['pause_turn', 'other']]
    for (const [stopReason, finishReason] of cases) {
      stub.once('POST /v1/messages', { body: anthropicMessage('partial', { stop_reason: stopReason }) })
      const result = await provider.invoke({ ...credentials, modelId: 'claude-sonnet-5-5', prompt: 'x', signal: signal() })
      t.equal(result.finishReason, finishReason, String(stopReason))
    }
  })

  t.test('errors map to the contract codes, one attempt each', async t => {
    const cases: Array<[ReturnType<typeof anthropicError>, string, Record<string, unknown>]> = [
      [{ ...anthropicError(429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'), headers: { 'retry-after': '7' } }, 'PROVIDER_RATE_LIMITED', { retryAfterMs: 7000, transient: true }],
      [anthropicError(429, 'rate_limit_error', 'You have reached your monthly spend limit', { error_code: 'enforced_spend_limit_reached' }), 'PROVIDER_QUOTA', { vendorCode: 'enforced_spend_limit_reached', transient: false }],
      [anthropicError(402, 'billing_error', 'Payment required'), 'PROVIDER_QUOTA', { transient: false }],
      [anthropicError(400, 'invalid_request_error', 'Your credit balance is too low to access the Anthropic API.'), 'PROVIDER_QUOTA', {}],
      [anthropicError(529, 'overloaded_error', 'Overloaded'), 'PROVIDER_UNAVAILABLE', { transient: true }],
      [anthropicError(500, 'api_error', 'Internal server error'), 'PROVIDER_UNAVAILABLE', { transient: true }],
      [anthropicError(404, 'not_found_error', 'model: claude-nope'), 'PROVIDER_REJECTED', { message: /Anthropic answered HTTP 404: model: claude-nope/ }],
      [anthropicError(403, 'permission_error', 'Your API key does not have permission'), 'PROVIDER_AUTH', { message: 'Anthropic rejected the API key (HTTP 403).' }]
    ]
    for (const [reply, code, extra] of cases) {
      stub.once('POST /v1/messages', reply)
      const before = stub.generations().length
      const error = await invokeFailure()
      t.ok(ProviderError.is(error), `${reply.status} is a ProviderError`)
      t.match(error, { code, status: reply.status, ...extra }, `${reply.status} ${code}`)
      t.equal(stub.generations().length - before, 1, `${reply.status}: one attempt`)
    }
    t.equal(stub.generations().filter(request => request.headers['x-stainless-retry-count'] !== '0').length, 0, 'the SDK itself never retries')
  })

  t.test('a bad key at invoke is PROVIDER_AUTH and no error text carries the key', async t => {
    const error = await invokeFailure({ apiKey: CANARY_KEY })
    t.match(error, { code: 'PROVIDER_AUTH', status: 401, message: 'Anthropic rejected the API key (HTTP 401).' })
    t.notMatch(`${String(error)} ${JSON.stringify(error)}`, /canary|7777/)
    const listing = await provider.listModels({ apiKey: CANARY_KEY }, { signal: signal() }).catch((thrown: unknown) => thrown as ProviderError)
    t.match(listing, { code: 'PROVIDER_AUTH' })
    t.notMatch(`${String(listing)} ${JSON.stringify(listing)}`, /canary|7777/)
  })

  t.test('a hang past the deadline is PROVIDER_TIMEOUT after one attempt', async t => {
    stub.once('POST /v1/messages', { delayMs: 3000, body: {} })
    const before = stub.generations().length
    const started = Date.now()
    const error = await invokeFailure({ signal: signal(200) })
    t.match(error, { code: 'PROVIDER_TIMEOUT' })
    t.ok(Date.now() - started < 2000, 'the call gave up at the deadline')
    t.equal(stub.generations().length - before, 1)
  })

  t.test('the client timeout alone also ends in PROVIDER_TIMEOUT', async t => {
    const impatient = buildProvider(anthropic, { baseUrl: stub.baseUrl, timeoutMs: 200 })
    stub.once('POST /v1/messages', { delayMs: 3000, body: {} })
    const error = await impatient.invoke({ ...credentials, modelId: 'claude-sonnet-5-5', prompt: 'x', signal: signal() }).catch((thrown: unknown) => thrown)
    t.match(error, { code: 'PROVIDER_TIMEOUT' })
  })

  t.test('a refused connection is PROVIDER_UNAVAILABLE', async t => {
    const offline = buildProvider(anthropic, { baseUrl: 'http://127.0.0.1:9' })
    const error = await offline.invoke({ ...credentials, modelId: 'claude-sonnet-5-5', prompt: 'x', signal: signal() }).catch((thrown: unknown) => thrown)
    t.match(error, { code: 'PROVIDER_UNAVAILABLE' })
  })

  t.test('a connection base URL overrides the context one', async t => {
    const elsewhere = buildProvider(anthropic, { baseUrl: 'http://127.0.0.1:9' })
    const result = await elsewhere.invoke({ ...credentials, baseUrl: stub.baseUrl, modelId: 'claude-sonnet-5-5', prompt: 'x', signal: signal() })
    t.equal(result.text, 'Hello from Claude stub again')
  })

  t.test('nothing ever sent temperature, top_p or top_k', async t => {
    for (const request of stub.generations()) {
      t.notOk(request.json !== undefined && ('temperature' in request.json || 'top_p' in request.json || 'top_k' in request.json))
    }
  })
})

t.test('family rules for ids the curated list has never seen', async t => {
  const provider = buildProvider(anthropic)
  const efforts = (modelId: string) => provider.capabilities(modelId).reasoningEfforts
  t.same(efforts('claude-sonnet-7-1'), REASONING_EFFORTS)
  t.same(efforts('claude-mythos-preview'), REASONING_EFFORTS)
  t.same(efforts('claude-opus-4-5-20251101'), REASONING_EFFORTS, '4.5 reasons through a thinking budget')
  t.same(efforts('claude-3-7-sonnet-20250219'), REASONING_EFFORTS)
  t.same(efforts('claude-3-5-sonnet-20241022'), [])
  t.same(efforts('claude-instant-1.2'), [])
  t.equal(provider.capabilities('claude-opus-4-6').maxOutputTokens, 128000)
  t.equal(provider.capabilities('claude-sonnet-4-20250514').maxOutputTokens, 32000, 'a snapshot date is not read as a minor version')
  t.equal(provider.capabilities('claude-sonnet-4-20250514').structuredOutput, false)
  t.equal(provider.capabilities('my-proxy-alias').structuredOutput, false)
  for (const model of provider.models) {
    t.equal(model.capabilities.temperature, false, `${model.id}: no temperature`)
    t.ok((model.capabilities.defaultMaxOutputTokens ?? 0) > 0, `${model.id}: a default max_tokens`)
  }
  t.same(provider.hosts, ['api.anthropic.com'])
  t.equal(provider.label, 'Anthropic (Claude)')
})
