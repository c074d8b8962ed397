import { join } from 'node:path'
import { openDatabase } from '../../db/database.ts'
import { auditEvents, connections, portals } from '../../db/schema/sqlite.ts'
import { connectionKeyContext } from '../../db/secret-contexts.ts'
import { createKeyring, keyHint, parseKeyring } from '../../plugins/keyring/keyring.ts'
import { TEST_ENCRYPTION_KEY } from '../helpers/build-app.ts'
import { OPENAI_GOOD_KEY } from '../stubs/openai-stub.ts'

/**
 * A database as a busy instance would hold it: `portalCount` portals, each connected to every built-in vendor,
 * with keys encrypted by the real keyring under the test ENCRYPTION_KEY and bound to their row, plus the audit
 * event each connection leaves. Written straight into DATA_DIR/app.db (migrated by `openDatabase`) in one
 * transaction, which is what makes 50,000 rows take a second instead of minutes through the admin API.
 */

export const SEEDED_PROVIDERS = ['openai', 'anthropic', 'cohere', 'xai', 'gemini'] as const

/** Rows per INSERT: well under SQLite's limit on bound parameters. */
const BATCH = 500

export function seedPortals (dataDir: string, portalCount: number): { connections: number } {
  const keyring = createKeyring(parseKeyring({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY }))
  const handle = openDatabase(join(dataDir, 'app.db'))
  const at = Date.now()
  let written = 0
  try {
    // better-sqlite3's own synchronous transaction, under drizzle: the bench seeds before any service runs.
    handle.driver.db.transaction(tx => {
      for (let first = 1; first <= portalCount; first += BATCH) {
        const portalIds = Array.from({ length: Math.min(BATCH, portalCount - first + 1) }, (_, index) => first + index)
        tx.insert(portals).values(portalIds.map(portalId => ({ portalId }))).run()
        for (const provider of SEEDED_PROVIDERS) {
          // OpenAI gets the key the stub's other users know; the stub itself accepts any key.
          const rows = portalIds.map(portalId => {
            const apiKey = provider === 'openai' ? OPENAI_GOOD_KEY : `sk-bench-${provider}-${portalId}-0000000000`
            return {
              portalId,
              provider,
              encryptedKey: keyring.encrypt(apiKey, connectionKeyContext(portalId, provider)),
              keyHint: keyHint(apiKey),
              baseUrl: null,
              status: 'connected',
              connectedAt: at,
              lastValidatedAt: at
            }
          })
          tx.insert(connections).values(rows).run()
          tx.insert(auditEvents).values(portalIds.map(portalId => ({ portalId, provider, action: 'connect', actor: 'admin-api', at }))).run()
          written += rows.length
        }
      }
    })
  } finally {
    void handle.close()
  }
  return { connections: written }
}
