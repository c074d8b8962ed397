import type { AppDatabase } from '../database.ts'
import { connectionKeyContext, oauthTokenContext, type StoredSecret } from '../secret-contexts.ts'
import { createAssistantsRepository } from './assistants-repository.ts'
import { createAuditRepository } from './audit-repository.ts'
import { createBudgetsRepository } from './budgets-repository.ts'
import { createConnectionsRepository } from './connections-repository.ts'
import { createExecutionsRepository } from './executions-repository.ts'
import { createOAuthRepository } from './oauth-repository.ts'
import { createPortalsRepository } from './portals-repository.ts'
import { createSessionsRepository } from './sessions-repository.ts'

/** Every repository over one database handle. */
export function createRepositories (db: AppDatabase) {
  const connections = createConnectionsRepository(db)
  const oauth = createOAuthRepository(db)
  return {
    portals: createPortalsRepository(db),
    connections,
    executions: createExecutionsRepository(db),
    assistants: createAssistantsRepository(db),
    oauth,
    budgets: createBudgetsRepository(db),
    audit: createAuditRepository(db),
    sessions: createSessionsRepository(db),

    /** Every encrypted secret in the database, each with its binding, for `rekey`. */
    storedSecrets (): StoredSecret[] {
      const connectionKeys = connections.allCiphertexts().map(row => ({
        ciphertext: row.encryptedKey,
        context: connectionKeyContext(row.portalId, row.provider),
        replace: (ciphertext: string) => connections.replaceCiphertext(row.id, ciphertext)
      }))
      const oauthTokens = oauth.allCiphertexts().flatMap(row => (['access', 'refresh'] as const).map(kind => ({
        ciphertext: kind === 'access' ? row.encryptedAccessToken : row.encryptedRefreshToken,
        context: oauthTokenContext(row.portalId, kind),
        replace: (ciphertext: string) => oauth.replaceCiphertext(row.portalId, kind, ciphertext)
      })))
      return [...connectionKeys, ...oauthTokens]
    }
  }
}

export type Repositories = ReturnType<typeof createRepositories>
