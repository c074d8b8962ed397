import { existsSync } from 'node:fs'
import pg from 'pg'
import t from 'tap'
import { sharedCluster, startCluster } from '../helpers/postgres-cluster.ts'

// The PostgreSQL fixture itself (test/helpers/postgres-cluster.ts): separate databases in the run's shared cluster, and
// a cluster of one's own that comes back with its data after a crash.

async function query (url: string, sql: string, values: unknown[] = []): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(sql, values)).rows
  } finally {
    await client.end()
  }
}

t.test('databases of the shared cluster are separate from each other', async t => {
  const cluster = await sharedCluster()
  t.equal(cluster.host, '127.0.0.1')
  const [first, second] = [await cluster.createDatabase(), await cluster.createDatabase()]
  const names = [first, second].map(url => new URL(url).pathname.slice(1))
  t.teardown(async () => { for (const name of names) await cluster.dropDatabase(name) })
  t.match(names, [/^t_[0-9a-f]+$/, /^t_[0-9a-f]+$/])
  t.not(first, second)
  t.same(await query(first, 'SHOW listen_addresses'), [{ listen_addresses: '127.0.0.1' }], 'loopback only')

  await query(first, 'CREATE TABLE notes (body text)')
  await query(first, 'INSERT INTO notes VALUES ($1)', ['only in the first'])
  t.same(await query(first, 'SELECT body FROM notes'), [{ body: 'only in the first' }])
  await t.rejects(query(second, 'SELECT body FROM notes'), { code: '42P01' }, 'no such table in the second database')

  for (const name of names) await cluster.dropDatabase(name)
  await t.rejects(query(first, 'SELECT 1'), { code: '3D000' }, 'a dropped database is gone')
})

t.test('a cluster of its own keeps committed data across an immediate stop, and destroy removes it', async t => {
  const cluster = await startCluster()
  t.teardown(() => cluster.destroy())
  const url = await cluster.createDatabase('kept')
  t.equal(url, `postgres://postgres@127.0.0.1:${cluster.port}/kept`)
  await query(url, 'CREATE TABLE notes (body text)')
  // synchronous_commit is off in the cluster: this commit must be in the WAL before the crash (see the helper).
  await query(url, 'SET synchronous_commit = on; INSERT INTO notes VALUES (\'written before the stop\')')

  await cluster.stop('immediate')
  await t.rejects(query(url, 'SELECT 1'), { code: 'ECONNREFUSED' }, 'nothing listens while it is stopped')

  await cluster.start()
  t.same(await query(url, 'SELECT body FROM notes'), [{ body: 'written before the stop' }], 'the same port and data')

  t.ok(existsSync(cluster.directory))
  await cluster.destroy()
  t.notOk(existsSync(cluster.directory), 'its folder is gone')
})
