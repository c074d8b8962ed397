import t, { type Test } from 'tap'
import { buildApp, type TestApp } from '../helpers/build-app.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'
import { OPENAI_GOOD_KEY, startOpenAIStub, type OpenAIStub } from '../stubs/openai-stub.ts'

/**
 * The signature is checked over the bytes received, before anything reads them: an unsigned body is never parsed,
 * a body signed over other bytes (or over nothing) never passes, and v2 can be turned off.
 */

const PORTAL = 5151
const PATH = '/hubspot/actions/custom-llm'

async function setup (t: Test, environment: Record<string, string> = {}): Promise<TestApp & { openai: OpenAIStub }> {
  const openai = await startOpenAIStub()
  t.teardown(() => openai.close())
  const built = await buildApp(t, { OPENAI_BASE_URL: openai.baseUrl, ...environment })
  const connect = await built.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai`, headers: built.admin, payload: { apiKey: OPENAI_GOOD_KEY } })
  t.equal(connect.statusCode, 201, 'connected')
  return { ...built, openai }
}

const fields = { provider: 'openai', model: 'gpt-4.1', prompt: 'Say hello to {{firstname}}' }

/** JSON nested `depth` levels deep: expensive to parse, and pointless to parse when unsigned. */
function deeplyNested (depth: number): string {
  return `{"callbackId":"ap-deep","origin":{"portalId":${PORTAL}},"inputFields":{},"deep":${'['.repeat(depth)}${']'.repeat(depth)}}`
}

t.test('an unsigned body is refused before it is parsed', async t => {
  const { app } = await setup(t)
  const cases: Record<string, string> = {
    'invalid JSON': '{"callbackId": ',
    'a megabyte of nesting, cut short so it is invalid': deeplyNested(500_000).slice(0, -1),
    'a megabyte of nesting': deeplyNested(500_000)
  }
  for (const [name, payload] of Object.entries(cases)) {
    const response = await app.inject({ method: 'POST', url: PATH, headers: { 'content-type': 'application/json' }, payload })
    t.equal(response.statusCode, 401, name)
    t.equal(response.json().code, 'INVALID_SIGNATURE', `${name}: the signature is what fails, not the JSON`)
  }
})

t.test('a correctly signed body that is not JSON is 400 INVALID_INPUT, after the signature passed', async t => {
  const { app } = await setup(t)
  const payload = '{"callbackId": '
  const response = await app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
  t.equal(response.statusCode, 400)
  t.same([response.json().code, response.json().message], ['INVALID_INPUT', 'The body is not valid JSON.'])

  const text = 'hello'
  const plain = await app.inject({ method: 'POST', url: PATH, headers: { ...signedHeaders('POST', PATH, text), 'content-type': 'text/plain' }, payload: text })
  t.equal(plain.statusCode, 400, 'signed, but not JSON')
  t.equal(plain.json().code, 'INVALID_INPUT')
})

t.test('the signature covers the bytes received, whatever their content type', async t => {
  const { app, openai } = await setup(t)
  const overNothing = signedHeaders('POST', PATH, '')
  for (const contentType of ['text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded']) {
    const response = await app.inject({ method: 'POST', url: PATH, headers: { ...overNothing, 'content-type': contentType }, payload: 'callbackId=x' })
    t.equal(response.statusCode, 401, `${contentType} body with a signature over the empty string`)
    t.equal(response.json().code, 'INVALID_SIGNATURE', contentType)
  }
  const { 'content-type': _json, ...withoutContentType } = overNothing
  const bodiless = await app.inject({ method: 'POST', url: PATH, headers: withoutContentType })
  t.equal(bodiless.statusCode, 401, 'a POST with no body at all has nothing that was signed')

  const payload = JSON.stringify(executionBody(PORTAL, fields))
  const charset = await app.inject({ method: 'POST', url: PATH, headers: { ...signedHeaders('POST', PATH, payload), 'content-type': 'application/json; charset=utf-8' }, payload })
  t.equal(charset.statusCode, 200, 'JSON with a charset parameter is still JSON')
  t.equal(charset.json().outputFields.hs_execution_state, 'SUCCESS')
  t.equal(openai.generations().length, 1)
})

t.test('the body limit still applies to signed routes', async t => {
  const { app } = await setup(t)
  const payload = JSON.stringify({ padding: 'x'.repeat(1024 * 1024) })
  const response = await app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
  t.equal(response.statusCode, 413)
})

t.test('a replayed v2-signed execution gets the stored outcome, with no second provider call', async t => {
  const { app, openai } = await setup(t)
  const payload = JSON.stringify(executionBody(PORTAL, fields))
  const headers = signedHeaders('POST', PATH, payload, { version: 'v2' })
  const first = await app.inject({ method: 'POST', url: PATH, headers, payload })
  const replay = await app.inject({ method: 'POST', url: PATH, headers, payload })
  t.equal(first.statusCode, 200)
  t.equal(first.json().outputFields.hs_execution_state, 'SUCCESS')
  t.same(replay.json(), first.json(), 'the replay is answered what was stored')
  t.equal(openai.generations().length, 1, 'the provider was called once')
})

t.test('HUBSPOT_SIGNATURE_V2=false refuses v2-only requests, and says why; v3 still passes', async t => {
  const { app, openai } = await setup(t, { HUBSPOT_SIGNATURE_V2: 'false' })
  const payload = JSON.stringify(executionBody(PORTAL, fields))
  const v2 = await app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload, { version: 'v2' }), payload })
  t.equal(v2.statusCode, 401)
  t.equal(v2.json().code, 'INVALID_SIGNATURE')
  t.match(v2.json().message, /v2 signatures are turned off \(HUBSPOT_SIGNATURE_V2=false\)/)
  t.equal(openai.generations().length, 0, 'no provider call')

  const v3 = await app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
  t.equal(v3.statusCode, 200)
  t.equal(v3.json().outputFields.hs_execution_state, 'SUCCESS')
})
