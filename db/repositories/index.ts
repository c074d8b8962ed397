import type { AppDatabase } from '../database.ts'
import { connectionKeyContext, type StoredSecret } from '../secret-contexts.ts'
import { createAssistantsRepository } from './assistants-repository.ts'
import { createConnectionsRepository } from './connections-repository.ts'
import { createExecutionsRepository } from './executions-repository.ts'
import { createPortalsRepository } from './portals-repository.ts'

/** Every repository over one database handle. */
export function createRepositories (db: AppDatabase) {
  const connections = createConnectionsRepository(db)
  return {
    portals: createPortalsRepository(db),
    connections,
    executions: createExecutionsRepository(db),
    assistants: createAssistantsRepository(db),

    /** Every encrypted secret in the database, each with its binding, for `rekey`. */
    storedSecrets (): StoredSecret[] {
      return connections.allCiphertexts().map(row => ({
        ciphertext: row.encryptedKey,
        context: connectionKeyContext(row.portalId, row.provider),
        replace: (ciphertext: string) => connections.replaceCiphertext(row.id, ciphertext)
      }))
    }
  }
}

export type Repositories = ReturnType<typeof createRepositories>
