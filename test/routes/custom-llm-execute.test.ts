import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { buildApp, type TestApp } from '../helpers/build-app.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'
import { openAIError, startOpenAIStub, type OpenAIStub } from '../stubs/openai-stub.ts'

const PORTAL = 4242
const CANARY = 'sk-canary-KEY-must-never-leak-7f3a9c2e1b'
const PATH = '/hubspot/actions/custom-llm'

async function setup (t: Test, environment: Record<string, string> = {}): Promise<TestApp & { stub: OpenAIStub }> {
  const stub = await startOpenAIStub({ goodKeys: [CANARY], answer: request => `Hello ${String(request.json?.input).includes('Ada') ? 'Ada' : 'there'}` })
  t.teardown(() => stub.close())
  const built = await buildApp(t, { OPENAI_BASE_URL: stub.baseUrl, ...environment })
  const connect = await built.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai`, headers: built.admin, payload: { apiKey: CANARY } })
  t.equal(connect.statusCode, 201, 'connected')
  return { ...built, stub }
}

async function execute (built: TestApp, body: Record<string, unknown>, options: { version?: 'v2' | 'v3', timestamp?: number, secret?: string, tamper?: boolean } = {}) {
  const payload = JSON.stringify(body)
  const headers = signedHeaders('POST', PATH, payload, options)
  return built.app.inject({ method: 'POST', url: PATH, headers, payload: options.tamper === true ? payload.replace('Hi', 'Ho') : payload })
}

const fields = (extra: Record<string, string> = {}) => ({ provider: 'openai', model: 'gpt-5.4', prompt: 'Hi {{firstname}}, say hello', ...extra })

t.test('connect, then a signed execution answers with the model\'s text', async t => {
  const built = await setup(t)
  for (const version of ['v3', 'v2'] as const) {
    const response = await execute(built, executionBody(PORTAL, fields()), { version })
    t.equal(response.statusCode, 200, version)
    t.same(response.json(), {
      outputFields: { response: 'Hello Ada', provider: 'openai', model: 'gpt-5.4', inputTokens: '12', outputTokens: '20', costUsd: '0.000326', hs_execution_state: 'SUCCESS' }
    })
  }
  const sent = built.stub.generations().at(-1)?.json
  t.match(sent.input, '<record-data name="firstname">Ada</record-data>', 'record data is delimited')
  t.match(sent.instructions, /record-data/, 'the model is told record data is data')
  t.equal(sent.store, false)
})

t.test('bad signatures get 401 and the provider is never called', async t => {
  const built = await setup(t)
  const before = built.stub.generations().length
  const cases = {
    tampered: await execute(built, executionBody(PORTAL, fields()), { tamper: true }),
    'wrong secret': await execute(built, executionBody(PORTAL, fields()), { secret: 'not-the-secret' }),
    stale: await execute(built, executionBody(PORTAL, fields()), { timestamp: Date.now() - 6 * 60 * 1000 }),
    future: await execute(built, executionBody(PORTAL, fields()), { timestamp: Date.now() + 6 * 60 * 1000 }),
    unsigned: await built.app.inject({ method: 'POST', url: PATH, payload: executionBody(PORTAL, fields()) })
  }
  for (const [name, response] of Object.entries(cases)) {
    t.equal(response.statusCode, 401, name)
    t.equal(response.json().code, 'INVALID_SIGNATURE', name)
  }
  t.equal(built.stub.generations().length, before, 'no provider call')
})

t.test('a signed but malformed body is 400 INVALID_INPUT', async t => {
  const built = await setup(t)
  const response = await execute(built, { callbackId: 'x', origin: {}, inputFields: {} })
  t.equal(response.statusCode, 400)
  t.equal(response.json().code, 'INVALID_INPUT')
  t.match(response.json().message, /portalId/)
})

t.test('without HUBSPOT_CLIENT_SECRET HubSpot routes answer 503 HUBSPOT_NOT_CONFIGURED', async t => {
  const built = await buildApp(t, { HUBSPOT_CLIENT_SECRET: undefined })
  const response = await built.app.inject({ method: 'POST', url: PATH, payload: {} })
  t.equal(response.statusCode, 503)
  t.equal(response.json().code, 'HUBSPOT_NOT_CONFIGURED')
})

t.test('permanent failures are FAIL_CONTINUE with a code and a readable message', async t => {
  const built = await setup(t)
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['not connected', executionBody(PORTAL + 1, fields()), 'PROVIDER_NOT_CONNECTED'],
    ['unknown provider', executionBody(PORTAL, fields({ provider: 'mistral' })), 'PROVIDER_UNKNOWN'],
    ['empty prompt', executionBody(PORTAL, fields({ prompt: '  ' })), 'INVALID_INPUT'],
    ['bad temperature', executionBody(PORTAL, fields({ temperature: '7' })), 'INVALID_INPUT'],
    ['unresolved placeholder', executionBody(PORTAL, fields({ prompt: 'Hi {{lastname}}' })), 'TEMPLATE_UNRESOLVED']
  ]
  for (const [name, body, code] of cases) {
    const response = await execute(built, body)
    t.equal(response.statusCode, 200, name)
    t.equal(response.json().outputFields.hs_execution_state, 'FAIL_CONTINUE', name)
    t.equal(response.json().outputFields.errorCode, code, name)
    t.ok(response.json().outputFields.errorMessage.length > 10, `${name}: ${response.json().outputFields.errorMessage}`)
  }
})

t.test('an input over its limit is INVALID_INPUT, and is neither stored nor echoed whole', async t => {
  const built = await setup(t)
  const huge = 'a'.repeat(900_000)
  const folderBytes = () => readdirSync(built.dataDir).reduce((sum, file) => sum + statSync(join(built.dataDir, file)).size, 0)
  const before = { bytes: folderBytes(), generations: built.stub.generations().length }
  const cases: Array<[string, Record<string, string>]> = [
    ['model', fields({ model: huge })],
    ['temperature', fields({ temperature: huge })],
    ['provider', fields({ provider: huge })],
    ['choices, from a record property', fields({ outputFormat: 'choice', choices: `hot;${huge}` })]
  ]
  for (const [name, inputFields] of cases) {
    const response = await execute(built, executionBody(PORTAL, inputFields))
    t.equal(response.statusCode, 200, name)
    const output = response.json().outputFields
    t.same([output.hs_execution_state, output.errorCode], ['FAIL_CONTINUE', 'INVALID_INPUT'], name)
    t.ok(response.body.length < 500, `${name}: the answer is ${response.body.length} bytes`)
    t.match(output.errorMessage, /^An input field is too long: "\w+" takes at most [\d,]+ characters, got "[^"]{40}…" \([\d,]+ characters\)/, `${name}: ${output.errorMessage}`)
  }
  const rows = await built.app.repositories.executions.recent(PORTAL, 10)
  t.equal(rows.length, cases.length)
  for (const row of rows) {
    t.same([row.status, row.errorCode, row.provider, row.model, row.request], ['failed', 'INVALID_INPUT', null, null, null])
    t.ok(JSON.stringify(row).length < 1_500, `the row holds ${JSON.stringify(row).length} characters`)
  }
  const grown = folderBytes() - before.bytes
  t.ok(grown < 400_000, `the data folder grew by ${grown} bytes for ${(cases.length * huge.length).toLocaleString('en-US')} characters refused`)
  t.notOk(built.logs.some(line => line.includes('a'.repeat(100))), 'no log line quotes them')
  t.equal(built.stub.generations().length, before.generations, 'no provider call')
})

t.test('record data over its limit is INVALID_INPUT, and is neither stored nor sent to a provider', async t => {
  const built = await setup(t)
  const before = built.stub.generations().length
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['one long property', { firstname: 'Ada', notes: 'n'.repeat(300_000) }, /^The record's properties come to 300,01\d characters; at most 200,000 are taken/],
    ['many properties', Object.fromEntries(Array.from({ length: 1_001 }, (_, index) => [`p${index}`, 'x'])), /^The record carries 1,001 properties; at most 1,000 are taken/]
  ]
  for (const [name, properties, message] of cases) {
    const response = await execute(built, executionBody(PORTAL, fields({}), { object: { objectId: 904, objectType: 'CONTACT', properties } }))
    const output = response.json().outputFields
    t.same([output.hs_execution_state, output.errorCode], ['FAIL_CONTINUE', 'INVALID_INPUT'], name)
    t.match(output.errorMessage, message, `${name}: ${output.errorMessage}`)
    t.ok(response.body.length < 500, `${name}: the answer is ${response.body.length} bytes`)
  }
  for (const row of await built.app.repositories.executions.recent(PORTAL, 10)) t.equal(row.request, null, 'no request stored')
  t.equal(built.stub.generations().length, before, 'no provider call')
  const fits = await execute(built, executionBody(PORTAL, fields({}), { object: { objectId: 904, objectType: 'CONTACT', properties: { firstname: 'Ada', notes: 'n'.repeat(150_000) } } }))
  t.equal(fits.json().outputFields.hs_execution_state, 'SUCCESS', 'record data within the limit runs')
})

t.test('several inputs over their limits are named together, each by an excerpt', async t => {
  const built = await setup(t)
  const response = await execute(built, executionBody(PORTAL, fields({ model: 'm'.repeat(201), temperature: '0.'.padEnd(33, '5'), fallbackModel: 'f'.repeat(300), reasoningEffort: 'high'.repeat(9) })))
  const message = response.json().outputFields.errorMessage
  t.match(message, /^4 input fields are too long: "model" takes at most 200 characters, got "m{40}…" \(201 characters\); "temperature" takes at most 32 characters, got "0\.5{31}"; "fallbackModel" .*; and 1 more\. Shorten them/)
})

t.test('allowlist: another model fails MODEL_NOT_ALLOWED', async t => {
  const built = await setup(t)
  const allow = await built.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai/allowed-models`, headers: built.admin, payload: { models: ['gpt-4.1'] } })
  t.same(allow.json().allowedModels, ['gpt-4.1'])
  const refused = await execute(built, executionBody(PORTAL, fields()))
  t.equal(refused.json().outputFields.errorCode, 'MODEL_NOT_ALLOWED')
  const allowed = await execute(built, executionBody(PORTAL, fields({ model: 'gpt-4.1' })))
  t.equal(allowed.json().outputFields.hs_execution_state, 'SUCCESS')
})

t.test('provider rate limit comes back as 429 with Retry-After, outage as 503', async t => {
  const built = await setup(t, { SYNC_BUDGET_MS: '1000' })
  built.stub.once('POST /v1/responses', { ...openAIError(429, 'Rate limit reached', 'rate_limit_exceeded'), headers: { 'retry-after': '30' } })
  const limited = await execute(built, executionBody(PORTAL, fields()))
  t.equal(limited.statusCode, 429)
  t.equal(limited.headers['retry-after'], '30')
  t.equal(limited.json().code, 'PROVIDER_RATE_LIMITED')

  built.stub.once('POST /v1/responses', openAIError(500, 'boom'), openAIError(500, 'boom'))
  const before = built.stub.generations().length
  const down = await execute(built, executionBody(PORTAL, fields()))
  t.equal(down.statusCode, 503)
  t.ok(Number(down.headers['retry-after']) >= 1)
  t.equal(down.json().code, 'PROVIDER_UNAVAILABLE')
  t.equal(built.stub.generations().length - before, 2, 'retried once within the sync budget, then handed to HubSpot')

  built.stub.once('POST /v1/responses', openAIError(500, 'boom'))
  const recovered = await execute(built, executionBody(PORTAL, fields()))
  t.equal(recovered.json().outputFields?.hs_execution_state, 'SUCCESS', `one 500 is retried away: ${recovered.body}`)
})

t.test('a quota error is permanent: FAIL_CONTINUE, never retried', async t => {
  const built = await setup(t)
  built.stub.once('POST /v1/responses', openAIError(429, 'You exceeded your current quota', 'insufficient_quota', null, 'insufficient_quota'))
  const before = built.stub.generations().length
  const response = await execute(built, executionBody(PORTAL, fields()))
  t.equal(response.json().outputFields.errorCode, 'PROVIDER_QUOTA')
  t.equal(built.stub.generations().length - before, 1)
})

t.test('a hang past PROVIDER_TIMEOUT_MS is FAIL_CONTINUE PROVIDER_TIMEOUT', async t => {
  const built = await setup(t, { PROVIDER_TIMEOUT_MS: '1000' })
  built.stub.once('POST /v1/responses', { delayMs: 5000, body: {} })
  const response = await execute(built, executionBody(PORTAL, fields()))
  t.equal(response.statusCode, 200)
  t.equal(response.json().outputFields.errorCode, 'PROVIDER_TIMEOUT')
})

t.test('the same callbackId twice: one provider call, the same answer', async t => {
  const built = await setup(t)
  const body = executionBody(PORTAL, fields())
  const before = built.stub.generations().length
  const first = await execute(built, body)
  const second = await execute(built, body)
  t.same(second.json(), first.json())
  t.equal(built.stub.generations().length - before, 1)
})

t.test('a revoked key: PROVIDER_AUTH, and the connection shows invalid', async t => {
  const built = await setup(t)
  built.stub.once('POST /v1/responses', openAIError(401, `Incorrect API key provided: ${CANARY.slice(0, 8)}***${CANARY.slice(-4)}`, 'invalid_api_key'))
  const response = await execute(built, executionBody(PORTAL, fields()))
  t.equal(response.json().outputFields.errorCode, 'PROVIDER_AUTH')
  const list = await built.app.inject({ method: 'GET', url: `/api/portals/${PORTAL}/connections`, headers: built.admin })
  t.equal(list.json().items[0].status, 'invalid')
})

t.test('the canary key never appears in logs, responses, errors or the database file', async t => {
  const built = await setup(t)
  const bodies: string[] = []
  const record = async (promise: Promise<{ body: string }>) => { bodies.push((await promise).body) }
  await record(execute(built, executionBody(PORTAL, fields())))
  built.stub.once('POST /v1/responses', openAIError(401, `Incorrect API key provided: ${CANARY}`, 'invalid_api_key'))
  await record(execute(built, executionBody(PORTAL, fields())))
  built.stub.once('POST /v1/responses', openAIError(400, `Bad request for key ${CANARY}`))
  await record(execute(built, executionBody(PORTAL, fields())))
  await record(built.app.inject({ method: 'GET', url: `/api/portals/${PORTAL}/connections`, headers: built.admin }))
  await record(built.app.inject({ method: 'GET', url: `/api/portals/${PORTAL}/connections/openai/models`, headers: built.admin }))
  await record(built.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai`, headers: built.admin, payload: { apiKey: CANARY } }))
  await record(built.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai`, headers: built.admin, payload: { apiKey: `${CANARY}-wrong` } }))
  await record(built.app.inject({ method: 'GET', url: '/api/portals', headers: built.admin }))
  await built.app.close()

  const fragment = CANARY.slice(10, 30)
  for (const body of bodies) t.notMatch(body, fragment, 'response body')
  t.notMatch(built.logs.join('\n'), fragment, 'logs')
  t.ok(built.logs.length > 5, 'logs were captured')
  for (const file of readdirSync(built.dataDir)) {
    t.equal(readFileSync(join(built.dataDir, file)).includes(Buffer.from(fragment)), false, `${file} bytes`)
  }
})
