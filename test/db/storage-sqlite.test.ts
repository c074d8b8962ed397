import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { connectDatabase } from '../../db/database.ts'
import { storageConformance } from '../helpers/storage-conformance.ts'

// The storage conformance suite on SQLite: in memory, and on a file (WAL, its own folder per store), which is what
// the service runs on.

t.test('sqlite::memory:', async t => {
  storageConformance(t, async () => {
    const handle = await connectDatabase('sqlite::memory:')
    return { driver: handle.driver, close: () => handle.close() }
  })
})

t.test('a SQLite file in a temporary folder', async t => {
  storageConformance(t, async () => {
    const folder = mkdtempSync(join(tmpdir(), 'storage-conformance-'))
    try {
      const handle = await connectDatabase(`sqlite:${join(folder, 'store.db')}`)
      return {
        driver: handle.driver,
        async close () {
          try { await handle.close() } finally { rmSync(folder, { recursive: true, force: true }) }
        }
      }
    } catch (error) {
      rmSync(folder, { recursive: true, force: true })
      throw error
    }
  })
})
