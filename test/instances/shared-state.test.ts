import { readMigrationFiles } from 'drizzle-orm/migrator'
import t from 'tap'
import { POSTGRES_MIGRATIONS_FOLDER } from '../../db/postgres/open-postgres.ts'
import { INSTANCES_PORTAL, startInstances, type InstancesSetup } from '../helpers/instances.ts'
import { ADMIN_HEADERS, connectOpenAI, installPortal, sendExecution, type ExecutionAnswer, type HttpTarget } from '../helpers/service-process.ts'
import { OPENAI_GOOD_KEY } from '../stubs/openai-stub.ts'

// Three instances started at the same moment on an empty PostgreSQL database, behind haproxy: the advisory lock
// makes one of them apply each migration, and none fails its boot on a half-made schema. Then they share what must be shared: a callbackId delivered to
// all three at once is worked on once; a change made through one is seen by the others within a second; a budget
// burst spread over the three overspends by at most one call; the per-portal rate limit counts once for all three.

const SECOND_KEY = 'sk-test-openai-second-key-111111111111111'
const BUDGET_PORTAL = INSTANCES_PORTAL + 1
const RATE_PORTAL = INSTANCES_PORTAL + 2
const RATE_LIMIT = 40

const admin = (target: HttpTarget, path: string, method: string, body?: unknown) => target.request(path, {
  method, ...(body === undefined ? { headers: ADMIN_HEADERS } : { headers: { ...ADMIN_HEADERS, 'content-type': 'application/json' }, body: JSON.stringify(body) })
})
const state = (answer: ExecutionAnswer) => String(answer.json?.outputFields?.hs_execution_state ?? answer.json?.code ?? answer.status)

/** Polls `check` until it holds, for at most `withinMs`; answers how long it took, or undefined. */
async function within (withinMs: number, check: () => Promise<boolean>): Promise<number | undefined> {
  const started = Date.now()
  for (;;) {
    if (await check()) return Date.now() - started
    if (Date.now() - started > withinMs) return undefined
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}


// Three processes, haproxy and PostgreSQL on a 2-core machine that runs other test files meanwhile: minutes, not seconds.
t.setTimeout(300_000)
t.test('three instances share work, changes, money and limits', async t => {
  const setup: InstancesSetup = await startInstances(t, {
    executionLeaseMs: 3000,
    goodKeys: [OPENAI_GOOD_KEY, SECOND_KEY],
    environment: { RATE_LIMIT_PER_PORTAL: String(RATE_LIMIT) }
  })
  const [first, second, third] = setup.instances.map(instance => instance.process)
  if (first === undefined || second === undefined || third === undefined) throw new Error('three instances expected')

  await t.test('started together on an empty database: migrated once, all ready, serving through haproxy', async t => {
    for (const instance of setup.instances) {
      t.equal(instance.process.exit, undefined, `${instance.id} is running`)
      const failures = instance.process.logs().filter(line => line.level >= 50 || (line.level >= 40 && /migrat/i.test(JSON.stringify(line))))
      t.same(failures.map(line => line.msg), [], `${instance.id} logged no error and no migration warning`)
    }
    const expected = readMigrationFiles({ migrationsFolder: POSTGRES_MIGRATIONS_FOLDER }).map(migration => migration.hash)
    const applied = await setup.query<{ hash: string, rows: number }>('select hash, count(*)::int as rows from drizzle.__drizzle_migrations group by hash')
    t.same(applied.filter(row => row.rows !== 1), [], 'no migration recorded twice')
    t.same(applied.map(row => row.hash).sort(), [...expected].sort(), `each of the ${expected.length} migrations recorded, and nothing else`)
    const body = setup.body()
    const answer = await setup.execute(body)
    t.equal(state(answer), 'SUCCESS', 'an execution through haproxy succeeds')
    t.equal(setup.stubs.providerCalls().get(String(body.callbackId)), 1, 'with one provider call')
    const served = [...(await setup.balancer.servers()).values()].filter(server => server.requests > 0).length
    t.ok(served >= 2, `round robin reached ${served} of the instances`)
  })

  await t.test('the same callbackId delivered to all three at once: one provider call, one outcome', async t => {
    setup.stubs.providerDelayMs = 1500
    const body = setup.body()
    const callbackId = String(body.callbackId)
    const answers = await Promise.all([first, second, third].map(target => sendExecution(target, body)))
    t.same(answers.map(answer => answer.status), [200, 200, 200], 'every delivery answered 200')
    t.same(answers.map(state).filter(value => value !== 'BLOCK'), [], `every answer BLOCK (the call outlasts SYNC_BUDGET_MS): ${answers.map(state).join(', ')}`)
    t.ok(await within(10_000, async () => setup.stubs.completions().get(callbackId) === 1), 'HubSpot got the outcome through the callback API')
    await new Promise(resolve => setTimeout(resolve, 1000))
    t.equal(setup.stubs.providerCalls().get(callbackId), 1, 'the provider was called once')
    t.equal(setup.stubs.completions().get(callbackId), 1, 'and HubSpot completed once')
    setup.stubs.providerDelayMs = 0
  })

  await t.test('a change through one instance reaches the other two within a second', async t => {
    const warm = async () => {
      for (const target of [second, third]) t.match(state(await sendExecution(target, setup.body())), /^(SUCCESS|BLOCK)$/, 'a warm cache on the instance')
    }
    await warm()
    const allowlist = await admin(first, `/api/portals/${setup.portalId}/connections/openai/allowed-models`, 'PUT', { models: ['gpt-5.4'] })
    t.equal(allowlist.status, 200, 'the allowlist changed through instance-1')
    for (const target of [second, third]) {
      const took = await within(1000, async () => (await sendExecution(target, setup.body())).json?.outputFields?.errorCode === 'MODEL_NOT_ALLOWED')
      t.ok(took !== undefined, `refused by the allowlist on port ${target.port} within a second (${String(took)} ms)`)
    }
    t.equal((await admin(first, `/api/portals/${setup.portalId}/connections/openai/allowed-models`, 'PUT', { models: null })).status, 200, 'the allowlist lifted')
    await within(1000, async () => state(await sendExecution(second, setup.body())) === 'SUCCESS' && state(await sendExecution(third, setup.body())) === 'SUCCESS')

    const switched = await admin(first, `/api/portals/${setup.portalId}/connections/openai`, 'PUT', { apiKey: SECOND_KEY })
    t.equal(switched.status, 200, 'the key switched through instance-1')
    for (const target of [second, third]) {
      const took = await within(1000, async () => {
        const body = setup.body()
        await sendExecution(target, body)
        const request = setup.stubs.openai.generations().find(generation => JSON.stringify(generation.json ?? '').includes(String(body.callbackId)))
        return String(request?.headers.authorization) === `Bearer ${SECOND_KEY}`
      })
      t.ok(took !== undefined, `the new key used on port ${target.port} within a second (${String(took)} ms)`)
    }

    t.equal((await admin(first, `/api/portals/${setup.portalId}/connections/openai`, 'DELETE')).status, 204, 'disconnected through instance-1')
    for (const target of [second, third]) {
      const took = await within(1000, async () => (await sendExecution(target, setup.body())).json?.outputFields?.errorCode === 'PROVIDER_NOT_CONNECTED')
      t.ok(took !== undefined, `not connected on port ${target.port} within a second (${String(took)} ms)`)
    }
    await connectOpenAI(setup.balancer, setup.portalId)
  })

  await t.test('a budget burst spread over the three: spend passes the limit by at most one call', async t => {
    await connectOpenAI(setup.balancer, BUDGET_PORTAL)
    await installPortal(setup.balancer, setup.stubs.hubspot, BUDGET_PORTAL)
    const limit = 0.002
    t.equal((await admin(first, `/api/portals/${BUDGET_PORTAL}/budget`, 'PUT', { monthlyLimitUsd: limit })).status, 200, 'a $0.002 monthly budget')
    // A small output cap keeps each call's estimate near its real cost, so the limit is what stops the burst.
    const targets = [first, second, third]
    const answers = await Promise.all(Array.from({ length: 30 }, async (_, index) =>
      await sendExecution(targets[index % 3] ?? first, setup.body({ maxOutputTokens: '20' }, BUDGET_PORTAL))))
    const states = answers.map(state)
    // A retry answer (429 or 503 with Retry-After) is also fine: BUDGET_HELD, or, on a loaded machine, an instance
    // that lost its lease to another while it waited and hands the execution back for the next delivery.
    const retried = (answer: ExecutionAnswer) => (answer.status === 429 || answer.status === 503) && Number(answer.headers.get('retry-after')) > 0
    const unexpected = answers.filter(answer => !retried(answer) && !/^(SUCCESS|BLOCK|FAIL_CONTINUE)$/.test(state(answer))).map(state)
    t.same(unexpected, [], `each answered with its outcome, BLOCK, or a retry for HubSpot (${states.join(', ')})`)
    const settled = await within(30_000, async () => (await setup.query<{ open: number }>(
      "select count(*)::int as open from executions where portal_id = $1 and (status = 'running' or reserved_usd is not null)", [BUDGET_PORTAL]))[0]?.open === 0)
    t.ok(settled !== undefined, 'every call of the burst ended and was counted')
    const outcomes = await setup.query<{ status: string, code: string | null, count: number }>(
      'select status, error_code as code, count(*)::int as count from executions where portal_id = $1 group by status, error_code order by status', [BUDGET_PORTAL])
    const succeeded = outcomes.find(row => row.status === 'success')?.count ?? 0
    t.ok(succeeded > 0 && succeeded < 30, `some calls ran, the rest were stopped by the budget: ${JSON.stringify(outcomes)}`)
    const [row] = await setup.query<{ spent: number, largest: number }>(
      'select coalesce(sum(cost_usd), 0)::float8 as spent, coalesce(max(cost_usd), 0)::float8 as largest from executions where portal_id = $1', [BUDGET_PORTAL])
    t.ok(row !== undefined && row.spent > 0, `money was spent: ${String(row?.spent)} USD`)
    t.ok(row !== undefined && row.spent <= limit + row.largest, `spend ${String(row?.spent)} USD stays within the limit plus one call (${String(row?.largest)} USD)`)
    const budget = await (await admin(third, `/api/portals/${BUDGET_PORTAL}/budget`, 'GET')).json() as { spentUsd: number, reservedUsd: number }
    t.ok(Math.abs(budget.spentUsd - (row?.spent ?? 0)) < 1e-5, `every instance reports the spend the executions recorded (${budget.spentUsd})`)
    t.equal(budget.reservedUsd, 0, 'and nothing reserved')
  })

  await t.test('RATE_LIMIT_PER_PORTAL counts once across the three', async t => {
    await connectOpenAI(setup.balancer, RATE_PORTAL)
    const targets = [first, second, third]
    const answers: ExecutionAnswer[] = []
    for (let index = 0; index < RATE_LIMIT + 6; index++) answers.push(await sendExecution(targets[index % 3] ?? first, setup.body({}, RATE_PORTAL)))
    const limited = answers.filter(answer => answer.status === 429)
    t.equal(answers.length - limited.length, RATE_LIMIT, `${RATE_LIMIT} executions let through in the minute, over all three instances`)
    t.equal(limited.length, 6, 'the rest refused')
    t.ok(limited.every(answer => answer.json?.code === 'RATE_LIMITED' && Number(answer.headers.get('retry-after')) > 0), 'with 429 RATE_LIMITED and Retry-After')
    t.equal((await sendExecution(first, setup.body())).status, 200, 'another portal is not limited')
  })

  await t.test('GET /api/instances lists the three, live', async t => {
    const listed = await (await admin(second, '/api/instances', 'GET')).json() as { items: Array<{ instanceId: string, status: string, version: string }> }
    t.same(listed.items.map(item => item.instanceId).sort(), ['instance-1', 'instance-2', 'instance-3'])
    t.ok(listed.items.every(item => item.status === 'live' && item.version.length > 0), 'each live, with its version')
    const lines = first.logs().filter(line => typeof line.msg === 'string')
    t.ok(lines.length > 0 && lines.every(line => line.instanceId === 'instance-1'), 'every log line of instance-1 names it')
  })
})
