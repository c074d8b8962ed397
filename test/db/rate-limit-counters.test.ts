import t, { type Test } from 'tap'
import { connectDatabase, openDatabase, type DatabaseHandle } from '../../db/database.ts'
import { createRateLimitsRepository } from '../../db/repositories/rate-limits-repository.ts'
import { sharedCluster } from '../helpers/postgres-cluster.ts'

// The shared rate limit counter on both databases: windows that restart, hits that all count when they come at once.

const START = 1_760_000_000_000
const WINDOW = 60_000

async function postgres (t: Test): Promise<DatabaseHandle> {
  const cluster = await sharedCluster()
  const url = await cluster.createDatabase()
  const handle = await connectDatabase(url)
  t.teardown(async () => {
    try { await handle.close() } finally { await cluster.dropDatabase(new URL(url).pathname.slice(1)) }
  })
  return handle
}

async function sqlite (t: Test): Promise<DatabaseHandle> {
  const handle = openDatabase(':memory:')
  t.teardown(() => handle.close())
  return handle
}

for (const [dialect, open] of [['SQLite', sqlite], ['PostgreSQL', postgres]] as const) {
  t.test(`${dialect}: a key counts its hits within the window, restarts after it, and apart from other keys`, async t => {
    const counters = createRateLimitsRepository((await open(t)).driver)
    t.same(await counters.hit('portal:1', START, WINDOW), { count: 1, windowStartedAt: START })
    t.same(await counters.hit('portal:1', START + 1000, WINDOW), { count: 2, windowStartedAt: START })
    t.same(await counters.hit('portal:2', START + 1000, WINDOW), { count: 1, windowStartedAt: START + 1000 }, 'another key')
    t.same(await counters.hit('portal:1', START + WINDOW - 1, WINDOW), { count: 3, windowStartedAt: START }, 'the last moment of the window')
    t.same(await counters.hit('portal:1', START + WINDOW, WINDOW), { count: 1, windowStartedAt: START + WINDOW }, 'a new window')
  })

  t.test(`${dialect}: hits at once are each counted, and old windows are deleted`, async t => {
    const counters = createRateLimitsRepository((await open(t)).driver)
    const hits = await Promise.all(Array.from({ length: 20 }, () => counters.hit('portal:1', START, WINDOW)))
    t.same(hits.map(hit => hit.count).sort((a, b) => a - b), Array.from({ length: 20 }, (_, index) => index + 1))
    await counters.hit('portal:2', START + 5 * WINDOW, WINDOW)
    t.equal(await counters.deleteStartedBefore(START + WINDOW), 1, 'only the window that began before')
    t.same(await counters.hit('portal:1', START + 5 * WINDOW, WINDOW), { count: 1, windowStartedAt: START + 5 * WINDOW }, 'counted afresh')
    t.same(await counters.hit('portal:2', START + 5 * WINDOW, WINDOW), { count: 2, windowStartedAt: START + 5 * WINDOW }, 'kept')
  })
}
