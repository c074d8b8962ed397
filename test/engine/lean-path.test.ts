import t, { type Test } from 'tap'
import { BACKGROUND_STATEMENT } from '../helpers/background-statements.ts'
import { buildApp, type TestApp } from '../helpers/build-app.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'
import { bearerKey, startOpenAIStub, type OpenAIStub } from '../stubs/openai-stub.ts'

/**
 * The execution path's promises about work: the fewest database round trips (the claim before the call, the
 * outcome after it, nothing else), one log line per execution, and caches that never outlive a change to the
 * connection they hold (switch key, disconnect, allowlist).
 */

const PORTAL = 5150
const PATH = '/hubspot/actions/custom-llm'
const FIRST_KEY = 'sk-test-lean-path-first-key-000000000000'
const SECOND_KEY = 'sk-test-lean-path-second-key-11111111111'

interface Traced extends TestApp {
  readonly stub: OpenAIStub
  readonly statements: string[]
}

async function setup (t: Test): Promise<Traced> {
  const stub = await startOpenAIStub({ goodKeys: [FIRST_KEY, SECOND_KEY] })
  t.teardown(() => stub.close())
  const statements: string[] = []
  const built = await buildApp(t, { OPENAI_BASE_URL: stub.baseUrl }, { databaseTrace: statement => statements.push(statement) })
  const connected = await connect(built, FIRST_KEY)
  t.equal(connected, 201, 'connected')
  return { ...built, stub, statements }
}

async function connect (built: TestApp, apiKey: string): Promise<number> {
  const response = await built.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai`, headers: built.admin, payload: { apiKey } })
  return response.statusCode
}

let callback = 0
async function execute (built: TestApp, fields: Record<string, string> = {}) {
  const payload = JSON.stringify(executionBody(PORTAL, { provider: 'openai', model: 'gpt-5.4', prompt: 'Hello {{firstname}}', ...fields }, { callbackId: `lean-${callback++}` }))
  const response = await built.app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
  return { status: response.statusCode, json: response.json() as { outputFields: Record<string, string> } }
}

t.test('an execution costs two statements: the claim (one insert) and the outcome (one update)', async t => {
  const built = await setup(t)
  t.equal((await execute(built)).json.outputFields.hs_execution_state, 'SUCCESS', 'a first execution fills the caches')
  built.statements.length = 0
  const answer = await execute(built)
  t.equal(answer.json.outputFields.hs_execution_state, 'SUCCESS')
  // The app's own timers (the queues, the lease keeper) may run inside the window: that is not the execution's work.
  const statements = built.statements.filter(statement => !BACKGROUND_STATEMENT.test(statement))
  t.equal(statements.length, 2, `two statements, got: ${statements.join(' | ')}`)
  t.match(statements[0], /^insert into "executions"/i, 'the claim is the insert itself')
  t.match(statements[1], /^update "executions"/i, 'the outcome is one update')
  t.notOk(statements.some(statement => /^(begin|commit|pragma|select)/i.test(statement)), 'no transaction, pragma or lookup around them')
})

t.test('a duplicate delivery is answered from the stored row without a provider call', async t => {
  const built = await setup(t)
  const payload = JSON.stringify(executionBody(PORTAL, { provider: 'openai', model: 'gpt-5.4', prompt: 'Hello' }, { callbackId: 'lean-duplicate' }))
  const send = () => built.app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
  const first = await send()
  const generations = built.stub.generations().length
  built.statements.length = 0
  const second = await send()
  t.same(second.json(), first.json(), 'the same answer')
  t.equal(built.stub.generations().length, generations, 'no second generation')
  t.match(built.statements.join(' | '), /insert into "executions".*select .* from "executions"/i, 'the insert claims nothing, the stored row answers')
})

t.test('one log line per execution at info', async t => {
  const built = await setup(t)
  await execute(built)
  built.logs.length = 0
  await execute(built)
  const lines = built.logs.map(line => JSON.parse(line) as Record<string, unknown>)
  t.equal(lines.length, 1, `one line, got: ${built.logs.join('')}`)
  t.match(lines[0], { msg: 'execution answered', portalId: PORTAL, action: 'custom-llm', outcome: 'SUCCESS', statusCode: 200, route: PATH })
  t.type(lines[0]?.responseTimeMs, 'number')
})

t.test('switching the key reaches the very next execution; the old key is never used again', async t => {
  const built = await setup(t)
  await execute(built)
  t.equal(bearerKey(built.stub.generations().at(-1)!), FIRST_KEY)
  t.equal(await connect(built, SECOND_KEY), 200, 'switched')
  await execute(built)
  t.equal(bearerKey(built.stub.generations().at(-1)!), SECOND_KEY, 'the new key, not a cached one')
})

t.test('a disconnect reaches the very next execution', async t => {
  const built = await setup(t)
  await execute(built)
  const removed = await built.app.inject({ method: 'DELETE', url: `/api/portals/${PORTAL}/connections/openai`, headers: built.admin })
  t.equal(removed.statusCode, 204)
  const generations = built.stub.generations().length
  const answer = await execute(built)
  t.equal(answer.json.outputFields.hs_execution_state, 'FAIL_CONTINUE')
  t.equal(answer.json.outputFields.errorCode, 'PROVIDER_NOT_CONNECTED')
  t.equal(built.stub.generations().length, generations, 'no call with the cached key')
})

t.test('an allowlist change reaches the very next execution, both ways', async t => {
  const built = await setup(t)
  t.equal((await execute(built)).json.outputFields.hs_execution_state, 'SUCCESS')
  const allow = (models: string[] | null) => built.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai/allowed-models`, headers: built.admin, payload: { models } })
  t.equal((await allow(['gpt-5.4-mini'])).statusCode, 200)
  const refused = await execute(built)
  t.equal(refused.json.outputFields.errorCode, 'MODEL_NOT_ALLOWED', 'the new allowlist refuses the model at once')
  t.equal((await allow(null)).statusCode, 200)
  t.equal((await execute(built)).json.outputFields.hs_execution_state, 'SUCCESS', 'and allows it again at once')
})
