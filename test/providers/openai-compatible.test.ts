import t from 'tap'
import compatible from '../../providers/openai-compatible/index.ts'
import { ProviderError } from '../../providers/errors.ts'
import { decideParameters } from '../../providers/parameters.ts'
import { buildProvider, signal } from '../helpers/provider-context.ts'
import { HANG_REPLY } from '../helpers/conformance-scenarios.ts'
import { OPENAI_FAILURES, openAIError } from '../stubs/openai-stub.ts'
import { COMPATIBLE_GOOD_KEY, chatCompletion, startCompatibleStub } from '../stubs/openai-compatible-stub.ts'

const CANARY_KEY = 'sk-canary-compatible-ZXCVB-4444444444'

t.test('openai-compatible provider against a Chat Completions server', async t => {
  const stub = await startCompatibleStub()
  t.teardown(() => stub.close())
  // The operator's base URL does not apply to this provider: only the connection's does.
  const provider = buildProvider(compatible, { baseUrl: 'http://127.0.0.1:9/v1' })
  const credentials = { apiKey: COMPATIBLE_GOOD_KEY, baseUrl: stub.baseUrl }

  t.test('declares no hosts and needs a base URL per connection', async t => {
    t.equal(provider.id, 'openai-compatible')
    t.equal(provider.label, 'OpenAI-compatible endpoint')
    t.same(provider.hosts, [])
    t.equal(provider.requiresBaseUrl, true)
    t.same(provider.models, [])
  })

  t.test('every call without a connection base URL is PROVIDER_REJECTED, saying why', async t => {
    const withoutBaseUrl = { apiKey: COMPATIBLE_GOOD_KEY }
    const expected = { code: 'PROVIDER_REJECTED', message: /needs a base URL/ }
    await t.rejects(provider.invoke({ ...withoutBaseUrl, modelId: 'llama3.3:70b', prompt: 'x', signal: signal() }), expected)
    await t.rejects(provider.listModels(withoutBaseUrl, { signal: signal() }), expected)
    await t.rejects(provider.validateKey(withoutBaseUrl, { signal: signal() }), expected)
    t.equal(stub.requests.length, 0)
  })

  t.test('conservative capabilities for any model', async t => {
    for (const id of ['llama3.3:70b', 'gpt-5.4', 'anything/else']) {
      t.same(provider.capabilities(id), { temperature: true, temperatureRange: [0, 2], reasoningEfforts: [], structuredOutput: false }, id)
    }
  })

  t.test('validateKey lists the models: a good key is valid, a 401 is not and hides the key', async t => {
    t.same(await provider.validateKey(credentials, { signal: signal() }), { valid: true })
    t.equal(stub.requests.at(-1)?.url, '/v1/models')
    const bad = await provider.validateKey({ ...credentials, apiKey: CANARY_KEY }, { signal: signal() })
    t.same(bad, { valid: false, reason: 'The OpenAI-compatible endpoint rejected the API key (HTTP 401).' })
  })

  t.test('listModels: the server\'s models without embedding and reranking ones, newest first', async t => {
    const models = await provider.listModels(credentials, { signal: signal() })
    t.same(models.map(model => model.id), ['qwen3:8b', 'llama3.3:70b'])
    t.same(models[0]?.capabilities.reasoningEfforts, [])
  })

  t.test('no settings: model and the user message only, through Chat Completions', async t => {
    const result = await provider.invoke({ ...credentials, modelId: 'llama3.3:70b', prompt: 'Say hi', signal: signal() })
    t.same(stub.chats().at(-1)?.json, { model: 'llama3.3:70b', messages: [{ role: 'user', content: 'Say hi' }] })
    t.same(result, { text: 'Hello from stub', finishReason: 'stop', usage: { inputTokens: 14, outputTokens: 5 }, model: 'llama3.3:70b' })
    t.equal(stub.generations().length, 0, 'the Responses API is never called')
  })

  t.test('temperature 0.3, instructions and an output cap', async t => {
    const decided = decideParameters('qwen3:8b', provider.capabilities('qwen3:8b'), { temperature: 0.3, reasoningEffort: 'high', maxOutputTokens: 200 })
    t.match(decided.adjustments, [/Reasoning effort "high" ignored/])
    await provider.invoke({
      ...credentials, modelId: 'qwen3:8b', prompt: 'Say hi', instructions: 'Be brief', signal: signal(),
      temperature: decided.temperature, reasoningEffort: decided.reasoningEffort, maxOutputTokens: decided.maxOutputTokens
    })
    t.same(stub.chats().at(-1)?.json, {
      model: 'qwen3:8b',
      messages: [{ role: 'system', content: 'Be brief' }, { role: 'user', content: 'Say hi' }],
      temperature: 0.3,
      max_tokens: 200
    })
  })

  t.test('an inline <think> block is not part of the answer; a cut-off answer says length', async t => {
    stub.once('POST /v1/chat/completions', {
      body: chatCompletion('<think>\nThe user wants a greeting.\n</think>\n\nHello!', {
        choices: [{ index: 0, message: { role: 'assistant', content: '<think>\nThe user wants a greeting.\n</think>\n\nHello!' }, finish_reason: 'length' }],
        usage: { prompt_tokens: 9, completion_tokens: 30, total_tokens: 39, completion_tokens_details: { reasoning_tokens: 12 }, prompt_tokens_details: { cached_tokens: 4 } }
      })
    })
    const result = await provider.invoke({ ...credentials, modelId: 'qwen3:8b', prompt: 'x', signal: signal() })
    t.same(result, { text: 'Hello!', finishReason: 'length', usage: { inputTokens: 9, outputTokens: 30, cachedInputTokens: 4, reasoningTokens: 12 }, model: 'llama3.3:70b' })
  })

  t.test('a server that omits usage and the finish reason still answers', async t => {
    stub.once('POST /v1/chat/completions', { body: { id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' } }] } })
    const result = await provider.invoke({ ...credentials, modelId: 'm', prompt: 'x', signal: signal() })
    t.same(result, { text: 'ok', finishReason: 'other', usage: { inputTokens: 0, outputTokens: 0 }, model: 'm' })
  })

  t.test('the shared Chat Completions mapping carries an effort and a JSON schema when a request has them', async t => {
    const schema = { type: 'object', properties: { value: { type: 'number' } }, required: ['value'], additionalProperties: false }
    await provider.invoke({ ...credentials, modelId: 'qwen3:8b', prompt: 'x', reasoningEffort: 'low', jsonSchema: schema, signal: signal() })
    t.same(stub.chats().at(-1)?.json, {
      model: 'qwen3:8b',
      messages: [{ role: 'user', content: 'x' }],
      reasoning_effort: 'low',
      response_format: { type: 'json_schema', json_schema: { name: 'response', schema, strict: true } }
    })
  })

  t.test('a refusal or a filtered answer is content-filter', async t => {
    const replies = [
      { index: 0, message: { role: 'assistant', content: null, refusal: 'I cannot help with that.' }, finish_reason: 'stop' },
      { index: 0, message: { role: 'assistant', content: '' }, finish_reason: 'content_filter' }
    ]
    for (const choice of replies) {
      stub.once('POST /v1/chat/completions', { body: chatCompletion('', { choices: [choice] }) })
      const result = await provider.invoke({ ...credentials, modelId: 'qwen3:8b', prompt: 'x', signal: signal() })
      t.match(result, { text: '', finishReason: 'content-filter' })
    }
  })

  t.test('listModels with a bad key is PROVIDER_AUTH', async t => {
    await t.rejects(provider.listModels({ ...credentials, apiKey: CANARY_KEY }, { signal: signal() }), { code: 'PROVIDER_AUTH' })
  })

  t.test('a bad key at invoke is PROVIDER_AUTH, and the key never shows', async t => {
    const error = await provider.invoke({ ...credentials, apiKey: CANARY_KEY, modelId: 'qwen3:8b', prompt: 'x', signal: signal() }).catch((thrown: unknown) => thrown) as ProviderError
    t.ok(ProviderError.is(error))
    t.match(error, { code: 'PROVIDER_AUTH', status: 401 })
    t.notMatch(JSON.stringify({ ...error, message: error.message, stack: error.stack }), /canary|ZXCVB|4444/)
  })

  t.test('429 with retry-after, 5xx, an unknown model and a vLLM-style error body', async t => {
    stub.once('POST /v1/chat/completions', { ...OPENAI_FAILURES['rate-limited'], headers: { 'retry-after': '3' } })
    await t.rejects(provider.invoke({ ...credentials, modelId: 'qwen3:8b', prompt: 'x', signal: signal() }), { code: 'PROVIDER_RATE_LIMITED', retryAfterMs: 3000 })
    stub.once('POST /v1/chat/completions', OPENAI_FAILURES.unavailable)
    await t.rejects(provider.invoke({ ...credentials, modelId: 'qwen3:8b', prompt: 'x', signal: signal() }), { code: 'PROVIDER_UNAVAILABLE', status: 503 })
    stub.once('POST /v1/chat/completions', openAIError(404, 'model "nope" not found, try pulling it first', null, null, 'api_error'))
    await t.rejects(provider.invoke({ ...credentials, modelId: 'nope', prompt: 'x', signal: signal() }), {
      code: 'PROVIDER_REJECTED', message: 'The OpenAI-compatible endpoint answered HTTP 404: model "nope" not found, try pulling it first'
    })
    stub.once('POST /v1/chat/completions', { status: 500, body: { object: 'error', message: 'CUDA out of memory', type: 'InternalServerError', param: null, code: 500 } })
    await t.rejects(provider.invoke({ ...credentials, modelId: 'qwen3:8b', prompt: 'x', signal: signal() }), { code: 'PROVIDER_UNAVAILABLE', status: 500 })
    t.equal(stub.chats().filter(request => request.headers['x-stainless-retry-count'] !== '0').length, 0, 'the SDK never retries on its own')
  })

  t.test('a hang past the signal is PROVIDER_TIMEOUT', async t => {
    stub.once('POST /v1/chat/completions', HANG_REPLY)
    await t.rejects(provider.invoke({ ...credentials, modelId: 'qwen3:8b', prompt: 'x', signal: signal(200) }), { code: 'PROVIDER_TIMEOUT' })
  })

  t.test('one client per key and base URL: two servers with the same key stay apart', async t => {
    const other = await startCompatibleStub({ answer: () => 'from the other server' })
    t.teardown(() => other.close())
    const result = await provider.invoke({ ...credentials, baseUrl: other.baseUrl, modelId: 'qwen3:8b', prompt: 'x', signal: signal() })
    t.equal(result.text, 'from the other server')
  })
})

t.test('a keyless server (Ollama, LM Studio): an empty key sends no Authorization header', async t => {
  const stub = await startCompatibleStub({ goodKeys: [''] })
  t.teardown(() => stub.close())
  const provider = buildProvider(compatible)
  const credentials = { apiKey: '', baseUrl: stub.baseUrl }
  t.same(await provider.validateKey(credentials, { signal: signal() }), { valid: true })
  const result = await provider.invoke({ ...credentials, modelId: 'llama3.3:70b', prompt: 'x', signal: signal() })
  t.equal(result.text, 'Hello from stub')
  t.ok(stub.requests.every(request => request.headers.authorization === undefined))
})
