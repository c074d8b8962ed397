import { and, eq } from 'drizzle-orm'
import type { AppDatabase } from '../database.ts'
import { auditEvents, connections, portals } from '../schema.ts'

/**
 * `connected`; `invalid` once the provider rejected the key at its last use; `key_unreadable` when the configured
 * ENCRYPTION_KEYS cannot decrypt it (checked at every boot).
 */
export type ConnectionStatus = 'connected' | 'invalid' | 'key_unreadable'

export interface ConnectionRecord {
  readonly id: number
  readonly portalId: number
  readonly provider: string
  readonly encryptedKey: string
  readonly keyHint: string
  readonly baseUrl: string | null
  readonly status: ConnectionStatus
  readonly allowedModels: readonly string[] | null
  readonly connectedAt: number
  readonly lastValidatedAt: number
}

export interface SaveConnection {
  readonly portalId: number
  readonly provider: string
  readonly encryptedKey: string
  readonly keyHint: string
  readonly baseUrl: string | null
  readonly at: number
  readonly actor: string
}

type Row = typeof connections.$inferSelect

function toRecord (row: Row): ConnectionRecord {
  return {
    ...row,
    status: row.status === 'invalid' || row.status === 'key_unreadable' ? row.status : 'connected',
    allowedModels: row.allowedModels === null ? null : JSON.parse(row.allowedModels) as string[]
  }
}

/** Connections and their audit trail. Every change and its audit event commit together or not at all. */
export function createConnectionsRepository (db: AppDatabase) {
  const where = (portalId: number, provider: string) => and(eq(connections.portalId, portalId), eq(connections.provider, provider))

  return {
    find (portalId: number, provider: string): ConnectionRecord | undefined {
      const row = db.select().from(connections).where(where(portalId, provider)).get()
      return row === undefined ? undefined : toRecord(row)
    },

    list (portalId: number): ConnectionRecord[] {
      return db.select().from(connections).where(eq(connections.portalId, portalId)).orderBy(connections.provider).all().map(toRecord)
    },

    /** Connects, or switches the key of an existing connection (keeping its allowlist). Returns which it was. */
    save (input: SaveConnection): 'connect' | 'switch_key' {
      return db.transaction(tx => {
        tx.insert(portals).values({ portalId: input.portalId }).onConflictDoNothing().run()
        const existing = tx.select({ id: connections.id }).from(connections).where(where(input.portalId, input.provider)).get()
        const action = existing === undefined ? 'connect' : 'switch_key'
        if (existing === undefined) {
          tx.insert(connections).values({
            portalId: input.portalId,
            provider: input.provider,
            encryptedKey: input.encryptedKey,
            keyHint: input.keyHint,
            baseUrl: input.baseUrl,
            status: 'connected',
            connectedAt: input.at,
            lastValidatedAt: input.at
          }).run()
        } else {
          tx.update(connections).set({
            encryptedKey: input.encryptedKey,
            keyHint: input.keyHint,
            baseUrl: input.baseUrl,
            status: 'connected',
            connectedAt: input.at,
            lastValidatedAt: input.at
          }).where(eq(connections.id, existing.id)).run()
        }
        tx.insert(auditEvents).values({ portalId: input.portalId, provider: input.provider, action, actor: input.actor, at: input.at }).run()
        return action
      })
    },

    /** Erases the connection (and so its key). False when there was none. */
    remove (portalId: number, provider: string, actor: string, at: number): boolean {
      return db.transaction(tx => {
        const removed = tx.delete(connections).where(where(portalId, provider)).returning({ id: connections.id }).all()
        if (removed.length === 0) return false
        tx.insert(auditEvents).values({ portalId, provider, action: 'disconnect', actor, at }).run()
        return true
      })
    },

    setAllowedModels (portalId: number, provider: string, models: readonly string[] | null, actor: string, at: number): boolean {
      return db.transaction(tx => {
        const updated = tx.update(connections).set({ allowedModels: models === null ? null : JSON.stringify(models) })
          .where(where(portalId, provider)).returning({ id: connections.id }).all()
        if (updated.length === 0) return false
        tx.insert(auditEvents).values({
          portalId, provider, action: 'allowed_models', actor, at, detail: models === null ? 'all' : models.join(',')
        }).run()
        return true
      })
    },

    /** Records the provider's verdict on the key at its last use. */
    setStatus (portalId: number, provider: string, status: ConnectionStatus, at: number): void {
      db.update(connections).set(status === 'connected' ? { status, lastValidatedAt: at } : { status })
        .where(where(portalId, provider)).run()
    },

    /** For `rekey`: every ciphertext, and a way to replace one. */
    allCiphertexts (): Array<Pick<Row, 'id' | 'portalId' | 'provider' | 'encryptedKey'>> {
      return db.select({ id: connections.id, portalId: connections.portalId, provider: connections.provider, encryptedKey: connections.encryptedKey })
        .from(connections).all()
    },

    replaceCiphertext (id: number, encryptedKey: string): void {
      db.update(connections).set({ encryptedKey }).where(eq(connections.id, id)).run()
    },

    auditTrail (portalId: number) {
      return db.select().from(auditEvents).where(eq(auditEvents.portalId, portalId)).orderBy(auditEvents.id).all()
    }
  }
}

export type ConnectionsRepository = ReturnType<typeof createConnectionsRepository>
