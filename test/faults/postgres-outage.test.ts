import t, { type Test } from 'tap'
import { durableSetup, eventually, PORTAL, type DurableSetup, type InjectResponse } from '../helpers/durable-setup.ts'
import { startCluster } from '../helpers/postgres-cluster.ts'

// PostgreSQL stopped under a running service and started again: what HubSpot, an admin and a load balancer see
// while it is gone, and that afterwards every execution has exactly one outcome from exactly one provider call.
// The cluster is this test's own, not the run's shared one, since stopping that would fail everyone else's tests.

/** Each execution's prompt names it, so the provider's requests can be counted per execution. */
const promptOf = (name: string) => `Say hi to {{firstname}} [${name}]`
const callsFor = (setup: DurableSetup, name: string) => setup.openai.generations().filter(request => JSON.stringify(request.json).includes(`[${name}]`)).length

function assertUnavailable (t: Test, answer: InjectResponse, what: string): void {
  t.equal(answer.statusCode, 503, `${what}: 503 (${answer.body.slice(0, 160)})`)
  t.equal(answer.json().code, 'STORAGE_UNAVAILABLE', `${what}: STORAGE_UNAVAILABLE`)
  t.ok(Number(answer.headers['retry-after']) >= 1, `${what}: with Retry-After`)
  t.notMatch(answer.body, /ECONNREFUSED|Connection terminated|at .*\.ts|stack/, `${what}: no internals`)
}

/** What HubSpot does with a 503 or 429: send the same execution again, until it gets an answer. */
async function deliverUntilAnswered (setup: DurableSetup, body: Record<string, unknown>): Promise<InjectResponse> {
  const until = Date.now() + 30_000
  for (;;) {
    const answer = await setup.execute(body)
    if (answer.statusCode === 200 || Date.now() > until) return answer
    await new Promise(resolve => setTimeout(resolve, 200))
  }
}

t.test('PostgreSQL unreachable: 503 with Retry-After everywhere, recovery by itself, nothing lost and nothing answered twice', async t => {
  const cluster = await startCluster()
  t.teardown(() => cluster.destroy())
  const setup = await durableSetup(t, { DATABASE_URL: await cluster.createDatabase(), SYNC_BUDGET_MS: '1000' })

  const before = setup.body({ prompt: promptOf('before') })
  t.equal((await setup.execute(before)).json().outputFields.hs_execution_state, 'SUCCESS', 'works before the outage')

  // Calls at the provider when the database goes: their claims are written, their outcomes cannot be yet.
  setup.providerDelayMs = 1_500
  const inFlight = ['flight-1', 'flight-2', 'flight-3'].map(name => ({ name, body: setup.body({ prompt: promptOf(name) }) }))
  const firstAnswers = inFlight.map(({ body }) => setup.execute(body))
  await eventually('the three calls at the provider', () => inFlight.every(({ name }) => callsFor(setup, name) === 1))
  await cluster.stop('fast')

  const refused = ['outage-1', 'outage-2'].map(name => ({ name, body: setup.body({ prompt: promptOf(name) }) }))
  for (const { body } of refused) assertUnavailable(t, await setup.execute(body), 'a new execution while the database is down')
  t.equal(callsFor(setup, 'outage-1') + callsFor(setup, 'outage-2'), 0, 'no provider call without a claim')
  const ready = await setup.app.inject({ url: '/ready' })
  t.equal(ready.statusCode, 503, '/ready answers 503')
  t.match(ready.json(), { status: 'unavailable', reason: /database unreachable/ }, '/ready says why')
  assertUnavailable(t, await setup.app.inject({ url: '/api/portals', headers: setup.admin }), 'an admin read')
  assertUnavailable(t, await setup.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/budget`, headers: setup.admin, payload: { monthlyLimitUsd: 5 } }), 'an admin change')
  t.equal((await setup.app.inject({ url: '/health' })).statusCode, 200, 'the process stays up')

  // The in-flight executions answer within the budget: BLOCK (finished later) or 503 (HubSpot retries); never 500.
  for (const answer of await Promise.all(firstAnswers)) {
    t.ok(answer.statusCode === 503 || answer.json().outputFields?.hs_execution_state === 'BLOCK', `an in-flight execution is answered 503 or BLOCK, got ${answer.statusCode} ${answer.body.slice(0, 120)}`)
  }

  await cluster.start()
  let readyNow = false
  const until = Date.now() + 20_000
  while (!readyNow && Date.now() < until) {
    readyNow = (await setup.app.inject({ url: '/ready' })).statusCode === 200
    if (!readyNow) await new Promise(resolve => setTimeout(resolve, 100))
  }
  t.ok(readyNow, 'the pool reconnected by itself: /ready is 200 again')

  setup.providerDelayMs = 0
  for (const { name, body } of [...inFlight, ...refused]) {
    const answer = await deliverUntilAnswered(setup, body)
    const state = answer.json().outputFields?.hs_execution_state
    t.ok(state === 'SUCCESS' || state === 'BLOCK', `${name}: HubSpot's retry is served (${state})`)
  }
  // BLOCKed ones are completed through the callback API once their outcome is written.
  const names = [...inFlight, ...refused].map(({ name }) => name)
  const unfinished = async () => (await setup.app.repositories.executions.recent(PORTAL, 50))
    .filter(row => row.status !== 'success' || (row.answered === 'block' && row.completionState !== 'delivered'))
  const waitUntil = Date.now() + 40_000
  while ((await unfinished()).length > 0 && Date.now() < waitUntil) await new Promise(resolve => setTimeout(resolve, 200))
  const rows = await setup.app.repositories.executions.recent(PORTAL, 50)
  t.equal(rows.length, 1 + names.length, 'one row per execution')
  t.same(rows.filter(row => row.status !== 'success').map(row => `${row.callbackId}:${row.status}`), [], 'every execution succeeded in the end')
  for (const name of names) t.equal(callsFor(setup, name), 1, `${name}: exactly one provider call`)
  const completions = setup.hubspot.state.completedCallbacks
  const perCallback = new Map<string, number>()
  for (const completion of completions) perCallback.set(completion.callbackId, (perCallback.get(completion.callbackId) ?? 0) + 1)
  t.same([...perCallback].filter(([, count]) => count > 1), [], 'no execution completed twice through the callback API')
  const blocked = rows.filter(row => row.answered === 'block')
  t.same(blocked.filter(row => row.completionState !== 'delivered').map(row => row.callbackId), [], 'every BLOCKed execution was completed')
})
