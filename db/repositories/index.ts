import type { Driver, Executor } from '../driver.ts'
import { connectionKeyContext, oauthTokenContext, type StoredSecret } from '../secret-contexts.ts'
import { createAssistantsRepository } from './assistants-repository.ts'
import { createAuditRepository, type AuditWriter } from './audit-repository.ts'
import { createBudgetsRepository } from './budgets-repository.ts'
import { createConnectionsRepository } from './connections-repository.ts'
import { createEconomyRepository } from './economy-repository.ts'
import { createExecutionsRepository } from './executions-repository.ts'
import { createInstancesRepository } from './instances-repository.ts'
import { createOAuthRepository } from './oauth-repository.ts'
import { createPortalsRepository } from './portals-repository.ts'
import { createRateLimitsRepository } from './rate-limits-repository.ts'
import { createSessionsRepository } from './sessions-repository.ts'

/** Every repository over one database's driver: the store the rest of the service reaches the database through. */
export function createRepositories (driver: Driver, writer: AuditWriter = {}) {
  const connections = createConnectionsRepository(driver, writer)
  const oauth = createOAuthRepository(driver, writer)
  return {
    portals: createPortalsRepository(driver),
    connections,
    executions: createExecutionsRepository(driver, writer),
    economy: createEconomyRepository(driver),
    assistants: createAssistantsRepository(driver, writer),
    oauth,
    budgets: createBudgetsRepository(driver, writer),
    audit: createAuditRepository(driver, writer),
    sessions: createSessionsRepository(driver, writer),
    rateLimits: createRateLimitsRepository(driver),
    /** Runs `body` holding the lock `name`: one holder at a time among every instance on this database. */
    withLock: <T>(name: string, body: () => Promise<T>): Promise<T> => driver.withLock(name, body),
    instances: createInstancesRepository(driver),

    /**
     * Re-encrypts every stored secret (`rekey`) in one transaction: `reencrypt` gets each ciphertext with its binding
     * and answers the new ciphertext (or the same one to leave it). Returns how many were replaced.
     */
    async reencryptSecrets (reencrypt: (secret: StoredSecret) => string): Promise<number> {
      return await driver.transaction(async tx => {
        let replaced = 0
        const replace = async (secret: StoredSecret, write: (ciphertext: string, executor: Executor) => Promise<void>) => {
          const next = reencrypt(secret)
          if (next === secret.ciphertext) return
          await write(next, tx)
          replaced++
        }
        for (const row of await connections.allCiphertexts(tx)) {
          await replace({ ciphertext: row.encryptedKey, context: connectionKeyContext(row.portalId, row.provider) },
            (ciphertext, executor) => connections.replaceCiphertext(row.id, ciphertext, executor))
        }
        for (const row of await oauth.allCiphertexts(tx)) {
          for (const kind of ['access', 'refresh'] as const) {
            await replace({ ciphertext: kind === 'access' ? row.encryptedAccessToken : row.encryptedRefreshToken, context: oauthTokenContext(row.portalId, kind) },
              (ciphertext, executor) => oauth.replaceCiphertext(row.portalId, kind, ciphertext, executor))
          }
        }
        return replaced
      })
    }
  }
}

export type Repositories = ReturnType<typeof createRepositories>
