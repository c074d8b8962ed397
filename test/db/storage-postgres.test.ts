import t from 'tap'
import { connectDatabase } from '../../db/database.ts'
import { sharedCluster } from '../helpers/postgres-cluster.ts'
import { storageConformance } from '../helpers/storage-conformance.ts'

// The storage conformance suite on PostgreSQL: each store is a fresh database of the run's shared cluster, migrated
// by connectDatabase as in production, and dropped when the case closes it.

t.test('PostgreSQL', async t => {
  storageConformance(t, async () => {
    // Asked per store rather than at load, so a machine without PostgreSQL fails each case with the reason.
    const cluster = await sharedCluster()
    const url = await cluster.createDatabase()
    const name = new URL(url).pathname.slice(1)
    try {
      const handle = await connectDatabase(url)
      return {
        driver: handle.driver,
        async close () {
          try { await handle.close() } finally { await cluster.dropDatabase(name) }
        }
      }
    } catch (error) {
      await cluster.dropDatabase(name)
      throw error
    }
  })
})
