import t from 'tap'
import { buildApp, type TestApp } from '../helpers/build-app.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'
import { OPENAI_GOOD_KEY, startOpenAIStub } from '../stubs/openai-stub.ts'

const PATH = '/hubspot/actions/custom-llm'
const fields = { provider: 'openai', model: 'gpt-4.1', prompt: 'Hi' }

async function execute (built: TestApp, portalId: number) {
  const payload = JSON.stringify(executionBody(portalId, fields))
  return built.app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
}

t.test('RATE_LIMIT_PER_PORTAL: the portal over its limit gets 429 with Retry-After; others are not affected', async t => {
  const stub = await startOpenAIStub()
  t.teardown(() => stub.close())
  const built = await buildApp(t, { OPENAI_BASE_URL: stub.baseUrl, RATE_LIMIT_PER_PORTAL: '2' })
  for (const portal of [1, 2]) await built.app.inject({ method: 'PUT', url: `/api/portals/${portal}/connections/openai`, headers: built.admin, payload: { apiKey: OPENAI_GOOD_KEY } })
  t.equal((await execute(built, 1)).statusCode, 200)
  t.equal((await execute(built, 1)).statusCode, 200)
  const before = stub.generations().length
  const limited = await execute(built, 1)
  t.equal(limited.statusCode, 429)
  t.equal(limited.json().code, 'RATE_LIMITED')
  t.ok(Number(limited.headers['retry-after']) >= 1)
  t.equal(stub.generations().length, before, 'no provider call')
  t.equal((await execute(built, 2)).statusCode, 200, 'another portal still runs')
})

t.test('MAX_IN_FLIGHT: beyond it, 429 with Retry-After instead of queueing', async t => {
  const stub = await startOpenAIStub()
  t.teardown(() => stub.close())
  const built = await buildApp(t, { OPENAI_BASE_URL: stub.baseUrl, MAX_IN_FLIGHT: '1' })
  await built.app.inject({ method: 'PUT', url: '/api/portals/1/connections/openai', headers: built.admin, payload: { apiKey: OPENAI_GOOD_KEY } })
  stub.once('POST /v1/responses', { delayMs: 400, body: (await import('../stubs/openai-stub.ts')).openAIResponse('slow') })
  const slow = execute(built, 1)
  await new Promise(resolve => setTimeout(resolve, 100))
  const refused = await execute(built, 1)
  t.equal(refused.statusCode, 429)
  t.equal(refused.headers['retry-after'], '5')
  t.equal((await slow).statusCode, 200)
  t.equal((await execute(built, 1)).statusCode, 200, 'the slot is free again')
})
