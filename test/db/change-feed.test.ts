import { setTimeout as sleep } from 'node:timers/promises'
import { and, eq } from 'drizzle-orm'
import t, { type Test } from 'tap'
import type { ChangeNotice } from '../../db/change-feed.ts'
import { openDatabase } from '../../db/database.ts'
import type { Driver } from '../../db/driver.ts'
import { LISTENER_APPLICATION_NAME } from '../../db/postgres/change-listener.ts'
import { openPostgres, type PostgresHandle } from '../../db/postgres/open-postgres.ts'
import { CONNECTION_CACHE_TTL_MS, createConnectionsRepository, type ConnectionsRepository } from '../../db/repositories/connections-repository.ts'
import { sharedCluster } from '../helpers/postgres-cluster.ts'

// Several instances on one database: each here is a driver of its own with its own connections repository, and a
// clock that never moves, so the cache's time-to-live cannot be what brings a change in.

const PORTAL = 4242
const PROVIDER = 'openai'
const SEEN_WITHIN_MS = 1_000
const frozenClock = () => 0

interface Instance {
  readonly handle: PostgresHandle
  readonly connections: ConnectionsRepository
  /** Every notice this instance's listeners were told, in order. */
  readonly notices: ChangeNotice[]
}

/** Two instances on a fresh database of the run's cluster, closed and dropped when `t` ends. */
async function twoInstances (t: Test): Promise<[Instance, Instance]> {
  const cluster = await sharedCluster()
  const url = await cluster.createDatabase()
  const handles: PostgresHandle[] = []
  t.teardown(async () => {
    await Promise.all(handles.map(handle => handle.close()))
    await cluster.dropDatabase(new URL(url).pathname.slice(1))
  })
  const open = async (): Promise<Instance> => {
    const handle = await openPostgres(url, { poolSize: 2 })
    handles.push(handle)
    const notices: ChangeNotice[] = []
    handle.driver.onChange(notice => { notices.push(notice) })
    return { handle, connections: createConnectionsRepository(handle.driver, { clock: frozenClock }), notices }
  }
  return [await open(), await open()]
}

function connect (connections: ConnectionsRepository, keyHint: string) {
  return connections.save({ portalId: PORTAL, provider: PROVIDER, encryptedKey: `ciphertext-${keyHint}`, keyHint, baseUrl: null, at: 1, actor: 'test' })
}

/** Changes the key hint in the database without announcing it, as a writer that does not publish would. */
async function writeQuietly (driver: Driver, keyHint: string): Promise<void> {
  const { connections } = driver.tables
  await driver.run(driver.db.update(connections).set({ keyHint }).where(and(eq(connections.portalId, PORTAL), eq(connections.provider, PROVIDER))))
}

/** Reads until `done` holds or `withinMs` passed, and answers the last value read. */
async function eventually<T> (read: () => Promise<T>, done: (value: T) => boolean, withinMs = SEEN_WITHIN_MS): Promise<T> {
  const deadline = Date.now() + withinMs
  for (;;) {
    const value = await read()
    if (done(value) || Date.now() >= deadline) return value
    await sleep(10)
  }
}

/** Waits for the instance to hear of the first change, so that a read after it is not one the change overtook. */
async function heardFirstChange (instance: Instance): Promise<void> {
  await eventually(async () => instance.notices.length, count => count > 0)
}

const keyHintSeenBy = (instance: Instance) => async () => (await instance.connections.find(PORTAL, PROVIDER))?.keyHint

/** Two instances; A has cached the connection B made, and B then changed it without a notice, which A cannot see. */
async function cachedThenQuietlyChanged (t: Test): Promise<[Instance, Instance]> {
  const [a, b] = await twoInstances(t)
  await connect(b.connections, 'key1')
  await heardFirstChange(a)
  t.equal(await keyHintSeenBy(a)(), 'key1')
  await writeQuietly(b.handle.driver, 'quiet')
  t.equal(await keyHintSeenBy(a)(), 'key1', 'without a notice the cached record is still served')
  return [a, b]
}

t.test('a key switched, an allowlist changed or a connection removed by one instance reaches another within a second', async t => {
  const [a, b] = await cachedThenQuietlyChanged(t)

  t.equal(await connect(b.connections, 'key2'), 'switch_key')
  t.equal(await eventually(keyHintSeenBy(a), hint => hint === 'key2'), 'key2', 'the switched key')

  t.ok(await b.connections.setAllowedModels(PORTAL, PROVIDER, ['gpt-5'], 'test', 2))
  const allowed = await eventually(async () => (await a.connections.find(PORTAL, PROVIDER))?.allowedModels, models => models?.[0] === 'gpt-5')
  t.same(allowed, ['gpt-5'], 'the new allowlist')

  await b.connections.setStatus(PORTAL, PROVIDER, 'invalid', 3)
  t.equal(await eventually(async () => (await a.connections.find(PORTAL, PROVIDER))?.status, status => status === 'invalid'), 'invalid', 'the new status')

  t.ok(await b.connections.remove(PORTAL, PROVIDER, 'test', 4))
  t.equal(await eventually(keyHintSeenBy(a), hint => hint === undefined), undefined, 'the removal')
})

t.test('a lost listener connection drops every cache, and the feed works again once it is back', async t => {
  const [a, b] = await cachedThenQuietlyChanged(t)

  const listeners = async () => (await b.handle.pool.query<{ count: number }>(
    'select count(*)::int as count from pg_stat_activity where application_name = $1 and datname = current_database()', [LISTENER_APPLICATION_NAME])).rows[0]?.count
  t.equal(await listeners(), 2, 'one listener connection per instance')
  await b.handle.pool.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and datname = current_database()', [LISTENER_APPLICATION_NAME])
  t.equal(await eventually(keyHintSeenBy(a), hint => hint === 'quiet'), 'quiet', 'the loss dropped the cache')

  const alls = () => a.notices.filter(notice => notice.topic === 'all').length
  t.equal(await eventually(async () => alls(), count => count >= 2, 10_000), 2, '`all` on the loss and again once listening resumed')
  t.equal(await eventually(listeners, count => count === 2, 10_000), 2, 'both instances listen again')

  t.equal(await keyHintSeenBy(a)(), 'quiet', 'cached again')
  await connect(b.connections, 'key2')
  t.equal(await eventually(keyHintSeenBy(a), hint => hint === 'key2'), 'key2', 'a change after the reconnect reaches the instance')
})

t.test('a NOTIFY that is not a change is ignored, and the feed goes on', async t => {
  const [a, b] = await twoInstances(t)
  const notify = (payload: string) => b.handle.pool.query("select pg_notify('llm_actions_changes', $1)", [payload])
  const malformed = [
    'not json', 'null', '[]', '"connection"', '{}',
    JSON.stringify({ topic: 'everything', portalId: 1 }),
    JSON.stringify({ topic: 'all' }),
    JSON.stringify({ topic: 'connection', portalId: '1' }),
    JSON.stringify({ topic: 'connection', portalId: 1.5 }),
    JSON.stringify({ topic: 'connection', portalId: 1, provider: 7 }),
    JSON.stringify({ topic: 'connection', portalId: 1, provider: 'x'.repeat(2_000) })
  ]
  for (const payload of malformed) await notify(payload)
  const marker = { topic: 'assistant', portalId: 7 } as const
  await notify(JSON.stringify(marker))
  await heardFirstChange(a)
  t.same(a.notices, [marker], 'only the well-formed change, which came after all the others')
})

t.test('a change published in a transaction is told once it commits, and never if it rolls back', async t => {
  const [a, b] = await twoInstances(t)
  const rolledBack = { topic: 'budget', portalId: 1 } as const
  await t.rejects(a.handle.driver.transaction(async tx => {
    await a.handle.driver.publishChange(tx, rolledBack)
    throw new Error('rolled back')
  }), /rolled back/)

  const committed = { topic: 'budget', portalId: 2 } as const
  await a.handle.driver.transaction(async tx => {
    await a.handle.driver.publishChange(tx, committed)
    t.same(a.notices, [], 'not told before the commit')
  })
  t.same(a.notices[0], committed, 'told in this process as soon as it committed')
  await heardFirstChange(b)
  t.same(b.notices, [committed], 'the other instance hears the committed change only')
})

t.test('a cached connection is trusted for the time-to-live at most (SQLite: one driver, written without a notice)', async t => {
  const handle = openDatabase(':memory:')
  t.teardown(() => handle.close())
  let now = 1_000_000
  const connections = createConnectionsRepository(handle.driver, { clock: () => now })
  await connect(connections, 'key1')
  t.equal((await connections.find(PORTAL, PROVIDER))?.keyHint, 'key1')
  await writeQuietly(handle.driver, 'quiet')
  now += CONNECTION_CACHE_TTL_MS - 1
  t.equal((await connections.find(PORTAL, PROVIDER))?.keyHint, 'key1', 'still cached just before the time-to-live')
  now += 1
  t.equal((await connections.find(PORTAL, PROVIDER))?.keyHint, 'quiet', 'read again once it passed')

  await connect(connections, 'key2')
  t.equal((await connections.find(PORTAL, PROVIDER))?.keyHint, 'key2', 'a change through the repository is seen at once')
})

t.test('a read that a change overtook is not cached', async t => {
  const handle = openDatabase(':memory:')
  t.teardown(() => handle.close())
  const connections = createConnectionsRepository(handle.driver, { clock: frozenClock })
  await connect(connections, 'key1')
  const reading = connections.find(PORTAL, PROVIDER)
  await handle.driver.publishChange(handle.driver, { topic: 'connection', portalId: PORTAL, provider: PROVIDER })
  t.equal((await reading)?.keyHint, 'key1')
  await writeQuietly(handle.driver, 'quiet')
  t.equal((await connections.find(PORTAL, PROVIDER))?.keyHint, 'quiet', 'read again, not served from the cache')
})
