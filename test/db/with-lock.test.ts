import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import t, { type Test } from 'tap'
import { connectDatabase, openDatabase } from '../../db/database.ts'
import type { Driver } from '../../db/driver.ts'
import { sharedCluster } from '../helpers/postgres-cluster.ts'

// Driver.withLock: one holder at a time per name, among instances (PostgreSQL) or in the one process (SQLite).

interface Instances {
  /** Two drivers on one database: two instances on PostgreSQL, the same one twice on SQLite. */
  readonly drivers: readonly [Driver, Driver]
  /** Advisory locks held in the database right now (PostgreSQL; always 0 on SQLite). */
  heldLocks (): Promise<number>
}

async function postgres (t: Test): Promise<Instances> {
  const cluster = await sharedCluster()
  const url = await cluster.createDatabase()
  const handles = await Promise.all([connectDatabase(url, { poolSize: 2 }), connectDatabase(url, { poolSize: 2 })])
  t.teardown(async () => {
    try { await Promise.all(handles.map(handle => handle.close())) } finally { await cluster.dropDatabase(new URL(url).pathname.slice(1)) }
  })
  return {
    drivers: [handles[0].driver, handles[1].driver],
    async heldLocks () {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        // This test's database only: the run's one cluster serves every other test file at the same time.
        return (await client.query<{ held: number }>("select count(*)::int as held from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())")).rows[0]?.held ?? -1
      } finally { await client.end() }
    }
  }
}

async function sqlite (t: Test): Promise<Instances> {
  const handle = openDatabase(':memory:')
  t.teardown(() => handle.close())
  return { drivers: [handle.driver, handle.driver], heldLocks: async () => 0 }
}

for (const [dialect, open] of [['SQLite', sqlite], ['PostgreSQL', postgres]] as const) {
  t.test(`${dialect}: holders of one name take turns; other names do not wait`, async t => {
    const { drivers: [first, second], heldLocks } = await open(t)
    const events: string[] = []
    const hold = (driver: Driver, name: string, label: string, ms: number) => driver.withLock(name, async () => {
      events.push(`${label} in`)
      await sleep(ms)
      events.push(`${label} out`)
      return label
    })
    const firstHolder = hold(first, 'oauth:1', 'a', 200)
    await sleep(50)
    const results = await Promise.all([firstHolder, hold(second, 'oauth:1', 'b', 10), hold(second, 'oauth:2', 'other', 10)])
    t.same(results, ['a', 'b', 'other'], 'each body\'s answer')
    // Order, not timing: on a loaded machine `other` may end after `a`, but it must start while `a` holds its name.
    const at = (event: string) => events.indexOf(event)
    t.ok(at('a in') === 0 && at('b in') > at('a out') && at('b out') > at('b in'), `b waits for a to end (${events.join(', ')})`)
    t.ok(at('other in') > at('a in') && at('other in') < at('a out'), 'other, under another name, starts while a holds its own')
    t.equal(events.length, 6, 'each in and out once')
    t.equal(await heldLocks(), 0, 'no connection holds a lock afterwards')
  })

  t.test(`${dialect}: a body that throws releases the lock and rejects with its error`, async t => {
    const { drivers: [first, second], heldLocks } = await open(t)
    await t.rejects(first.withLock('oauth:1', async () => { throw new Error('body failed') }), { message: 'body failed' })
    t.equal(await heldLocks(), 0, 'released')
    t.equal(await second.withLock('oauth:1', async () => 'next'), 'next', 'the next holder gets it')
    t.equal(await first.withLock('oauth:1', async () => 'again'), 'again', 'and the first instance again')
  })
}
