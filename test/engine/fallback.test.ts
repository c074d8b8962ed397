import t, { type Test } from 'tap'
import { durableSetup, PORTAL } from '../helpers/durable-setup.ts'
import { ANTHROPIC_GOOD_KEY, startAnthropicStub, type AnthropicStub } from '../stubs/anthropic-stub.ts'
import { OPENAI_FAILURES, openAIError } from '../stubs/openai-stub.ts'

const FALLBACK = { fallbackProvider: 'anthropic', fallbackModel: 'claude-sonnet-4-6' }

async function withFallback (t: Test) {
  const anthropic: AnthropicStub = await startAnthropicStub()
  t.teardown(() => anthropic.close())
  const setup = await durableSetup(t, { ANTHROPIC_BASE_URL: anthropic.baseUrl, SYNC_BUDGET_MS: '5000' }, { install: false })
  const connect = await setup.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/anthropic`, headers: setup.admin, payload: { apiKey: ANTHROPIC_GOOD_KEY } })
  t.equal(connect.statusCode, 201)
  const latest = async () => (await setup.app.inject({ url: `/api/portals/${PORTAL}/executions`, headers: setup.admin })).json().items[0]
  return { setup, anthropic, latest }
}

t.test('the primary rejects its key: the fallback answers, the outputs name it, the record says why', async t => {
  const { setup, anthropic, latest } = await withFallback(t)
  setup.openai.once('POST /v1/responses', OPENAI_FAILURES.unauthorized)
  const response = await setup.execute(setup.body(FALLBACK))
  const outputs = response.json().outputFields
  t.equal(outputs.hs_execution_state, 'SUCCESS', response.body)
  t.equal(outputs.provider, 'anthropic')
  t.equal(outputs.model, 'claude-sonnet-4-6')
  t.equal(anthropic.requests.filter(request => request.path === '/v1/messages').length, 1)
  const record = await latest()
  t.equal(record.provider, 'anthropic')
  t.match(record.fallbackReason, /openai\/gpt-4\.1 failed with PROVIDER_AUTH/)
  t.match(record.fallbackReason, /anthropic\/claude-sonnet-4-6/)
})

t.test('out of quota: the fallback answers, the primary is asked once', async t => {
  const { setup } = await withFallback(t)
  setup.openai.once('POST /v1/responses', openAIError(429, 'You exceeded your current quota', 'insufficient_quota', null, 'insufficient_quota'))
  const before = setup.openai.generations().length
  const response = await setup.execute(setup.body(FALLBACK))
  t.equal(response.json().outputFields.provider, 'anthropic')
  t.equal(setup.openai.generations().length - before, 1, 'quota is never retried')
})

t.test('a 503 storm: one quick retry of the primary, then the fallback (not the primary\'s full backoff)', async t => {
  const { setup, latest } = await withFallback(t)
  setup.openai.on('POST /v1/responses', OPENAI_FAILURES.unavailable)
  const response = await setup.execute(setup.body(FALLBACK))
  t.equal(response.json().outputFields.provider, 'anthropic', response.body)
  t.equal(setup.openai.generations().length, 2, 'two attempts on the primary instead of the default three')
  t.match((await latest()).fallbackReason, /PROVIDER_UNAVAILABLE/)

  const without = await setup.execute(setup.body())
  t.equal(without.statusCode, 503, 'without a fallback the outage goes back to HubSpot')
  t.equal(setup.openai.generations().length, 5, 'after the default three attempts')
})

t.test('no fallback for a refused request, and a fallback that cannot be used is named in the error', async t => {
  const { setup, anthropic } = await withFallback(t)
  setup.openai.once('POST /v1/responses', openAIError(400, 'Invalid prompt', 'invalid_prompt'))
  const rejected = await setup.execute(setup.body(FALLBACK))
  t.equal(rejected.json().outputFields.errorCode, 'PROVIDER_REJECTED')
  t.equal(anthropic.requests.filter(request => request.path === '/v1/messages').length, 0)

  setup.openai.once('POST /v1/responses', OPENAI_FAILURES.unauthorized)
  const unusable = await setup.execute(setup.body({ fallbackProvider: 'cohere', fallbackModel: 'command-a' }))
  const fields = unusable.json().outputFields
  t.equal(fields.errorCode, 'PROVIDER_AUTH')
  t.match(fields.errorMessage, /fallback cohere\/command-a could not be used/)

  const half = await setup.execute(setup.body({ fallbackProvider: 'anthropic' }))
  t.equal(half.json().outputFields.errorCode, 'INVALID_INPUT')
  t.match(half.json().outputFields.errorMessage, /fallbackModel/)
})
