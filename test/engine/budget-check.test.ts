import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { buildApp, type TestApp } from '../helpers/build-app.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'
import { OPENAI_GOOD_KEY, openAIResponse, startOpenAIStub, type OpenAIStub } from '../stubs/openai-stub.ts'
import { BACKGROUND_STATEMENT } from '../helpers/background-statements.ts'

// The monthly budget check on the real execution path: signed HubSpot executions, a loopback OpenAI, real prices.

const PORTAL = 8080
const PATH = '/hubspot/actions/custom-llm'
const DAY_MS = 24 * 3600_000
// One output token costs a dollar, so the stub's 20 output tokens make each call cost about 20 USD and the
// estimate (the 20-token cap plus the prompt's input) about the same: a 200 USD budget covers about ten calls.
const PRICES = { openai: { 'gpt-4.1': { input: 1000, output: 1_000_000 } } }
const FIELDS = { provider: 'openai', model: 'gpt-4.1', prompt: 'Hi {{firstname}}, say hello', maxOutputTokens: '20' }
const CALL_COST = (12 * 1000 + 20 * 1_000_000) / 1e6

interface Setup extends TestApp {
  readonly stub: OpenAIStub
  /** Moves the app's clock on. */
  advance (milliseconds: number): void
}

/** A clock that starts on 10 March 2026 and runs at real speed, so timeouts and waits behave as in service. */
function movableClock () {
  const startedAt = Date.now()
  let offset = Date.parse('2026-03-10T12:00:00Z') - startedAt
  return { clock: () => Date.now() + offset, advance (milliseconds: number) { offset += milliseconds } }
}

async function setup (t: Test, options: { dataDir?: string, stub?: OpenAIStub, clock?: ReturnType<typeof movableClock>, databaseTrace?: (statement: string) => void, prices?: unknown } = {}): Promise<Setup> {
  const stub = options.stub ?? await startOpenAIStub()
  if (options.stub === undefined) t.teardown(() => stub.close())
  const pricesDir = mkdtempSync(join(tmpdir(), 'budget-prices-'))
  t.teardown(() => rmSync(pricesDir, { recursive: true, force: true }))
  const pricesFile = join(pricesDir, 'prices.json')
  writeFileSync(pricesFile, JSON.stringify(options.prices ?? PRICES))
  const clock = options.clock ?? movableClock()
  const built = await buildApp(t, { OPENAI_BASE_URL: stub.baseUrl, PRICES_FILE: pricesFile }, { clock: clock.clock, ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }), ...(options.databaseTrace === undefined ? {} : { databaseTrace: options.databaseTrace }) })
  if (options.dataDir === undefined) {
    const connect = await built.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai`, headers: built.admin, payload: { apiKey: OPENAI_GOOD_KEY } })
    if (connect.statusCode !== 201) throw new Error(`connecting failed: ${connect.body}`)
  }
  return { ...built, stub, advance: clock.advance }
}

/** One delivery as HubSpot sends it (the same body again is HubSpot's retry of it). */
async function deliver (built: TestApp, body: Record<string, unknown>) {
  const payload = JSON.stringify(body)
  return await built.app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
}

async function execute (built: TestApp, fields: Record<string, string> = FIELDS): Promise<Record<string, string>> {
  const response = await deliver(built, executionBody(PORTAL, fields))
  if (response.statusCode !== 200) throw new Error(`execution answered ${response.statusCode}: ${response.body}`)
  return response.json().outputFields
}

/** Delivers the body again, as HubSpot retries a 429, until it is answered. */
async function deliverUntilAnswered (built: TestApp, body: Record<string, unknown>): Promise<Record<string, string>> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const response = await deliver(built, body)
    if (response.statusCode === 200) return response.json().outputFields
    if (response.statusCode !== 429 || response.json().code !== 'BUDGET_HELD') throw new Error(`execution answered ${response.statusCode}: ${response.body}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  throw new Error('still held after 200 retries')
}

async function setBudget (built: TestApp, body: unknown) {
  const response = await built.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/budget`, headers: { ...built.admin, 'content-type': 'application/json' }, payload: JSON.stringify(body) })
  if (response.statusCode !== 200) throw new Error(`setting the budget answered ${response.statusCode}: ${response.body}`)
  return response.json()
}

async function budget (built: TestApp) {
  return (await built.app.inject({ method: 'GET', url: `/api/portals/${PORTAL}/budget`, headers: built.admin })).json()
}

const warnings = (built: TestApp) => built.logs.filter(line => line.includes('"level":40') && line.includes('budget for'))

t.test('a burst of 50 executions stops where the budget does, without overspending', async t => {
  const built = await setup(t)
  await setBudget(built, { monthlyLimitUsd: 200 })
  // Calls take a while, as real ones do: every reservation of the burst is made (one after another, under the budget
  // row's lock) before any call has ended and spent anything.
  built.stub.on('POST /v1/responses', built.stub.guarded(async request => ({ body: openAIResponse('Hello from stub', { model: request.json?.model }), delayMs: 1_500 })))
  const bodies = Array.from({ length: 50 }, () => executionBody(PORTAL, FIELDS))
  const first = await Promise.all(bodies.map(body => deliver(built, body)))
  const heldBack = first.filter(answer => answer.statusCode === 429)
  t.ok(heldBack.length > 0, 'what running calls hold is not spent: those past it are told to retry')
  t.ok(heldBack.every(answer => answer.json().code === 'BUDGET_HELD' && Number(answer.headers['retry-after']) >= 1), '429 BUDGET_HELD with Retry-After')
  t.notOk(first.some(answer => answer.statusCode === 200 && answer.json().outputFields.errorCode === 'BUDGET_EXCEEDED'), 'none fails while nothing is spent yet')
  // HubSpot retries each 429 until it is answered: the budget then runs out for real.
  const outcomes = await Promise.all(bodies.map(body => deliverUntilAnswered(built, body)))
  const calls = built.stub.generations().length
  const succeeded = outcomes.filter(fields => fields.hs_execution_state === 'SUCCESS')
  const refused = outcomes.filter(fields => fields.errorCode === 'BUDGET_EXCEEDED')
  t.equal(succeeded.length + refused.length, 50, 'each one either answered or was refused for the budget')
  t.equal(succeeded.length, calls, 'a refused execution called no provider')
  t.ok(calls >= 8 && calls <= 10, `the budget covers about ten calls (${calls} made)`)
  t.ok(refused.every(fields => fields.hs_execution_state === 'FAIL_CONTINUE'))
  const state = await budget(built)
  t.ok(state.spentUsd <= 200 + CALL_COST, `spent ${state.spentUsd} USD against 200`)
  t.equal(state.spentUsd, Math.round(calls * CALL_COST * 100_000) / 100_000, 'the spend is what the calls recorded')
  t.equal(state.reservedUsd, 0, 'nothing is held once every call ended')
})

t.test('ten concurrent calls without an output cap under a 10 USD budget all run: each holds a capped estimate, not the model\'s whole output limit', async t => {
  // Real prices of a large model: 128k output tokens would be held per call without a cap.
  const built = await setup(t, { prices: { openai: { 'gpt-5.4': { input: 2.5, output: 15 } } } })
  await setBudget(built, { monthlyLimitUsd: 10 })
  built.stub.on('POST /v1/responses', built.stub.guarded(async request => ({
    body: { id: 'resp_1', object: 'response', status: 'completed', model: request.json?.model, output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello' }] }], usage: { input_tokens: 12, output_tokens: 20 } },
    delayMs: 1_000
  })))
  const fields = { provider: 'openai', model: 'gpt-5.4', prompt: 'Hi {{firstname}}, say hello' }
  const outcomes = await Promise.all(Array.from({ length: 10 }, async () => await execute(built, fields)))
  t.same(outcomes.map(outcome => outcome.hs_execution_state), Array.from({ length: 10 }, () => 'SUCCESS'), 'all ten run')
  t.ok(built.stub.generations().every(call => call.json.max_output_tokens === 16_384), 'each call is held to the cap it was estimated at')
  const listed = await built.app.inject({ method: 'GET', url: `/api/portals/${PORTAL}/executions`, headers: built.admin })
  t.match(listed.json().items[0].adjustments, [/maxOutputTokens set to 16384: the portal has a budget/], 'and says so')
  const state = await budget(built)
  t.equal(state.reservedUsd, 0)
  t.ok(state.spentUsd < 0.01, `the month's real spend is what the calls cost (${state.spentUsd} USD)`)
})

t.test('a budget held by running calls is a 429 HubSpot retries, never a FAIL_CONTINUE; once spent, BUDGET_EXCEEDED', async t => {
  const built = await setup(t)
  // Room for one call's estimate (about 20 USD) but not two.
  await setBudget(built, { monthlyLimitUsd: 30 })
  built.stub.on('POST /v1/responses', built.stub.guarded(async request => ({
    body: { id: 'resp_1', object: 'response', status: 'completed', model: request.json?.model, output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello' }] }], usage: { input_tokens: 12, output_tokens: 1 } },
    delayMs: 600
  })))
  const body = executionBody(PORTAL, FIELDS)
  const running = deliver(built, executionBody(PORTAL, FIELDS))
  await new Promise(resolve => setTimeout(resolve, 200))
  const heldBack = await deliver(built, body)
  t.equal(heldBack.statusCode, 429)
  t.equal(heldBack.json().code, 'BUDGET_HELD')
  t.ok(Number(heldBack.headers['retry-after']) >= 1, 'with Retry-After')
  t.match(heldBack.json().message, /is held by calls running now/)
  t.equal((await running).json().outputFields.hs_execution_state, 'SUCCESS')
  // The first call cost about 1 USD, not the 20 it held: HubSpot's retry now runs.
  t.equal((await deliver(built, body)).json().outputFields.hs_execution_state, 'SUCCESS', 'the retry runs once the hold is gone')
  t.equal(built.stub.generations().length, 2)
})

t.test('over budget: BUDGET_EXCEEDED without a provider call; a raised limit lets the next one through; a new month starts afresh', async t => {
  const built = await setup(t)
  await setBudget(built, { monthlyLimitUsd: 30 })
  t.equal((await execute(built)).hs_execution_state, 'SUCCESS', 'the first call fits')
  const before = built.stub.generations().length

  const refused = await execute(built)
  t.equal(refused.hs_execution_state, 'FAIL_CONTINUE')
  t.equal(refused.errorCode, 'BUDGET_EXCEEDED')
  t.match(refused.errorMessage, /spent 20\.01 USD of its 30\.00 USD monthly budget for 2026-03.*PUT \/api\/portals\/8080\/budget/)
  t.equal(built.stub.generations().length, before, 'no provider call')
  const listed = await built.app.inject({ method: 'GET', url: `/api/portals/${PORTAL}/executions`, headers: built.admin })
  t.match(listed.json().items[0], { status: 'failed', errorCode: 'BUDGET_EXCEEDED' }, 'recorded like any permanent failure')

  await setBudget(built, { monthlyLimitUsd: 60 })
  t.equal((await execute(built)).hs_execution_state, 'SUCCESS', 'a raised limit counts at once')
  t.equal((await execute(built)).errorCode, 'BUDGET_EXCEEDED', 'and is spent again after two calls')
  t.match(await budget(built), { month: '2026-03', spentUsd: 40.024, remainingUsd: 19.976 })

  built.advance(31 * DAY_MS)
  t.match(await budget(built), { month: '2026-04', spentUsd: 0, remainingUsd: 60 }, 'April starts with nothing spent')
  t.equal((await execute(built)).hs_execution_state, 'SUCCESS')
})

t.test('with a budget, an execution never sums the month again once its ledger is loaded; without one it adds no statement', async t => {
  const statements: string[] = []
  const built = await setup(t, { databaseTrace: statement => statements.push(statement) })
  await setBudget(built, { monthlyLimitUsd: 1000 })
  await execute(built)
  // The completion queue's first round after boot and the lease keeper's look run on their own timers; on a slower
  // database one can still be going here, so wait until the store has been quiet for a moment before counting.
  const quiet = async () => { for (let seen = -1; seen !== statements.length;) { seen = statements.length; await new Promise(resolve => setTimeout(resolve, 100)) } }
  const executionStatements = async () => {
    await quiet()
    statements.length = 0
    t.equal((await execute(built)).hs_execution_state, 'SUCCESS')
    return statements.filter(statement => !BACKGROUND_STATEMENT.test(statement))
  }
  const second = await executionStatements()
  const third = await executionStatements()
  const monthSums = [...second, ...third].filter(statement => /sum\("cost_usd"\)/.test(statement))
  t.strictSame(monthSums, [], 'the month\'s spend comes from the budget\'s ledger, not from summing its executions')
  t.equal(second.length, third.length, `the same statements for each execution (${second.length}): the check does not grow with the month`)
  t.ok(second.some(statement => /^update "portal_budgets" set "spent_usd"/.test(statement)), 'the cost is added to the ledger')
  t.ok(second.some(statement => /^update "executions" set "reserved_usd" = coalesce/.test(statement)), 'the estimate is held on the execution')

  await setBudget(built, null)
  await executionStatements()
  const unbudgeted = await executionStatements()
  t.equal(unbudgeted.length, 2, `without a budget: the claim and the outcome only, got: ${unbudgeted.join(' | ')}`)
})

t.test('removing the budget stops the check; a portal without one is never refused', async t => {
  const built = await setup(t)
  await setBudget(built, { monthlyLimitUsd: 10 })
  t.equal((await execute(built)).errorCode, 'BUDGET_EXCEEDED', 'one call would pass 10 USD')
  await setBudget(built, null)
  for (let index = 0; index < 3; index++) t.equal((await execute(built)).hs_execution_state, 'SUCCESS')
})

t.test('crossing warnAtPercent logs one warning a month, and a restart does not repeat it', async t => {
  const stub = await startOpenAIStub()
  t.teardown(() => stub.close())
  const dataDir = mkdtempSync(join(tmpdir(), 'budget-restart-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const clock = movableClock()
  const first = await setup(t, { dataDir, stub, clock })
  await first.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai`, headers: first.admin, payload: { apiKey: OPENAI_GOOD_KEY } })
  await setBudget(first, { monthlyLimitUsd: 200, warnAtPercent: 25 })
  await execute(first)
  await execute(first)
  t.equal(warnings(first).length, 0, '40 USD is under 25% of 200')
  await execute(first)
  t.equal(warnings(first).length, 1, '60 USD crosses it')
  t.match(JSON.parse(warnings(first)[0] as string), { portalId: PORTAL, month: '2026-03', warnAtPercent: 25, monthlyLimitUsd: 200 })
  await execute(first)
  t.equal(warnings(first).length, 1, 'once a month')
  t.equal((await budget(first)).warned, true)
  await first.app.close()

  const second = await setup(t, { dataDir, stub, clock })
  t.equal((await execute(second)).hs_execution_state, 'SUCCESS')
  t.equal(warnings(second).length, 0, 'the restart remembers the month was warned')
  t.match(await budget(second), { spentUsd: 100.06, warned: true })

  second.advance(31 * DAY_MS)
  await execute(second)
  await execute(second)
  t.equal(warnings(second).length, 0)
  await execute(second)
  t.equal(warnings(second).length, 1, 'April warns again')
  t.match(JSON.parse(warnings(second)[0] as string), { month: '2026-04' })
})
