import pg from 'pg'
import t, { type Test } from 'tap'
import { buildApp, type TestApp } from '../helpers/build-app.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'
import { sharedCluster } from '../helpers/postgres-cluster.ts'
import { OPENAI_GOOD_KEY, startOpenAIStub } from '../stubs/openai-stub.ts'

// RATE_LIMIT_PER_PORTAL with several instances on one PostgreSQL database: one count per portal among them all.

const PATH = '/hubspot/actions/custom-llm'
const fields = { provider: 'openai', model: 'gpt-4.1', prompt: 'Hi' }

async function execute (built: TestApp, portalId: number) {
  const payload = JSON.stringify(executionBody(portalId, fields))
  return await built.app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
}

async function counterRows (built: TestApp): Promise<number> {
  const { driver } = built.app.database
  return (await driver.all(driver.db.select().from(driver.tables.rateLimitCounters))).length
}

/** Two instances (apps) on one fresh database of the run's cluster, on one injected clock, portals 1 and 2 connected. */
async function twoInstances (t: Test, clock: { now: number }): Promise<[TestApp, TestApp]> {
  const stub = await startOpenAIStub()
  t.teardown(() => stub.close())
  const environment = { DATABASE_URL: await (await sharedCluster()).createDatabase(), OPENAI_BASE_URL: stub.baseUrl, RATE_LIMIT_PER_PORTAL: '5' }
  const first = await buildApp(t, environment, { clock: () => clock.now })
  const second = await buildApp(t, environment, { clock: () => clock.now })
  for (const portal of [1, 2]) {
    const connected = await first.app.inject({ method: 'PUT', url: `/api/portals/${portal}/connections/openai`, headers: first.admin, payload: { apiKey: OPENAI_GOOD_KEY } })
    t.equal(connected.statusCode, 201, `portal ${portal} connected`)
  }
  return [first, second]
}

t.test('PostgreSQL: 3 executions on each of two instances over a limit of 5 make one 429; other portals and the next window run', async t => {
  const clock = { now: Date.now() }
  const [first, second] = await twoInstances(t, clock)
  const statuses: number[] = []
  for (const built of [first, second, first, second, first]) statuses.push((await execute(built, 1)).statusCode)
  t.same(statuses, [200, 200, 200, 200, 200], 'five of the minute\'s executions, spread over both instances')

  clock.now += 20_000
  const limited = await execute(second, 1)
  t.equal(limited.statusCode, 429, 'the sixth, although its instance saw only three')
  t.equal(limited.json().code, 'RATE_LIMITED')
  t.equal(limited.headers['retry-after'], '40', 'the rest of the window, on the injected clock')

  t.equal((await execute(first, 2)).statusCode, 200, 'another portal runs')
  t.equal((await execute(second, 2)).statusCode, 200)

  clock.now += 40_000
  t.equal((await execute(second, 1)).statusCode, 200, 'a new window')
  t.equal((await execute(first, 1)).statusCode, 200)
  t.equal(await counterRows(first), 2, 'one counter per portal')
})

t.test('PostgreSQL: a count the database cannot keep lets the execution through, logged', async t => {
  const clock = { now: Date.now() }
  const [first] = await twoInstances(t, clock)
  const client = new pg.Client({ connectionString: first.app.config.databaseUrl })
  await client.connect()
  try { await client.query('drop table rate_limit_counters') } finally { await client.end() }
  t.equal((await execute(first, 1)).statusCode, 200)
  t.match(first.logs.join('\n'), /could not count a request against its rate limit/)
})

t.test('SQLite (one instance) counts in memory: no counter is written', async t => {
  const stub = await startOpenAIStub()
  t.teardown(() => stub.close())
  const built = await buildApp(t, { DATABASE_URL: undefined, OPENAI_BASE_URL: stub.baseUrl, RATE_LIMIT_PER_PORTAL: '1' })
  t.equal(built.app.database.driver.dialect, 'sqlite')
  await built.app.inject({ method: 'PUT', url: '/api/portals/1/connections/openai', headers: built.admin, payload: { apiKey: OPENAI_GOOD_KEY } })
  t.equal((await execute(built, 1)).statusCode, 200)
  t.equal((await execute(built, 1)).statusCode, 429)
  t.equal(await counterRows(built), 0)
})
