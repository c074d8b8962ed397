import { and, eq, sql } from 'drizzle-orm'
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

/** A connection as its audit events show it: the key only as its public hint (the last 4 characters). */
function auditedKey (row: Pick<Row, 'keyHint' | 'baseUrl'>) {
  return { keyHint: row.keyHint, baseUrl: row.baseUrl }
}

const parseModels = (stored: string | null): string[] | null => stored === null ? null : JSON.parse(stored) as string[]

function toRecord (row: Row): ConnectionRecord {
  return {
    ...row,
    status: row.status === 'invalid' || row.status === 'key_unreadable' ? row.status : 'connected',
    allowedModels: parseModels(row.allowedModels)
  }
}

/** How many connections `find` keeps in memory (least recently used go first): 10,000 portals' busiest. */
export const CONNECTION_CACHE_SIZE = 10_000

/**
 * Connections and their audit trail. Every change and its audit event commit together or not at all.
 *
 * `find`, which every execution and options request runs, answers from a write-through cache: each method here
 * that changes a connection drops its entry in the same call, so a switched key, a disconnect or a new allowlist
 * is seen by the very next execution. That holds because this process is the database's only writer (the CLI's
 * `rekey` changes ciphertexts only, which decrypt to the same key); several instances on one database would need
 * the cache to expire.
 */
export function createConnectionsRepository (db: AppDatabase, options: { readonly cacheSize?: number } = {}) {
  const where = (portalId: number, provider: string) => and(eq(connections.portalId, portalId), eq(connections.provider, provider))
  const selectOne = db.select().from(connections)
    .where(and(eq(connections.portalId, sql.placeholder('portalId')), eq(connections.provider, sql.placeholder('provider')))).prepare()
  const cacheSize = options.cacheSize ?? CONNECTION_CACHE_SIZE
  const cache = new Map<string, ConnectionRecord>()
  const cacheKey = (portalId: number, provider: string) => `${portalId}\u0000${provider}`
  const forget = (portalId: number, provider: string) => { cache.delete(cacheKey(portalId, provider)) }

  return {
    find (portalId: number, provider: string): ConnectionRecord | undefined {
      const key = cacheKey(portalId, provider)
      const cached = cache.get(key)
      if (cached !== undefined) {
        cache.delete(key)
        cache.set(key, cached)
        return cached
      }
      const row = selectOne.get({ portalId, provider })
      if (row === undefined) return undefined
      const record = Object.freeze(toRecord(row))
      cache.set(key, record)
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string)
      return record
    },

    list (portalId: number): ConnectionRecord[] {
      return db.select().from(connections).where(eq(connections.portalId, portalId)).orderBy(connections.provider).all().map(toRecord)
    },

    /** Connects, or switches the key of an existing connection (keeping its allowlist). Returns which it was. */
    save (input: SaveConnection): 'connect' | 'switch_key' {
      forget(input.portalId, input.provider)
      return db.transaction(tx => {
        tx.insert(portals).values({ portalId: input.portalId }).onConflictDoNothing().run()
        const existing = tx.select({ id: connections.id, keyHint: connections.keyHint, baseUrl: connections.baseUrl }).from(connections)
          .where(where(input.portalId, input.provider)).get()
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
        tx.insert(auditEvents).values({
          portalId: input.portalId,
          provider: input.provider,
          action,
          actor: input.actor,
          at: input.at,
          before: existing === undefined ? null : auditedKey(existing),
          after: auditedKey(input)
        }).run()
        return action
      })
    },

    /** Erases the connection (and so its key). False when there was none. */
    remove (portalId: number, provider: string, actor: string, at: number): boolean {
      forget(portalId, provider)
      return db.transaction(tx => {
        const removed = tx.delete(connections).where(where(portalId, provider))
          .returning({ keyHint: connections.keyHint, baseUrl: connections.baseUrl, allowedModels: connections.allowedModels }).get()
        if (removed === undefined) return false
        tx.insert(auditEvents).values({
          portalId, provider, action: 'disconnect', actor, at, before: { ...auditedKey(removed), allowedModels: parseModels(removed.allowedModels) }, after: null
        }).run()
        return true
      })
    },

    setAllowedModels (portalId: number, provider: string, models: readonly string[] | null, actor: string, at: number): boolean {
      forget(portalId, provider)
      return db.transaction(tx => {
        const before = tx.select({ allowedModels: connections.allowedModels }).from(connections).where(where(portalId, provider)).get()
        if (before === undefined) return false
        tx.update(connections).set({ allowedModels: models === null ? null : JSON.stringify(models) }).where(where(portalId, provider)).run()
        tx.insert(auditEvents).values({
          portalId,
          provider,
          action: 'allowed_models',
          actor,
          at,
          detail: models === null ? 'all' : models.join(','),
          before: { allowedModels: parseModels(before.allowedModels) },
          after: { allowedModels: models === null ? null : [...models] }
        }).run()
        return true
      })
    },

    /** Records the provider's verdict on the key at its last use. */
    setStatus (portalId: number, provider: string, status: ConnectionStatus, at: number): void {
      forget(portalId, provider)
      db.update(connections).set(status === 'connected' ? { status, lastValidatedAt: at } : { status })
        .where(where(portalId, provider)).run()
    },

    /** For `rekey`: every ciphertext, and a way to replace one. */
    allCiphertexts (): Array<Pick<Row, 'id' | 'portalId' | 'provider' | 'encryptedKey' | 'status'>> {
      return db.select({ id: connections.id, portalId: connections.portalId, provider: connections.provider, encryptedKey: connections.encryptedKey, status: connections.status })
        .from(connections).all()
    },

    replaceCiphertext (id: number, encryptedKey: string): void {
      cache.clear()
      db.update(connections).set({ encryptedKey }).where(eq(connections.id, id)).run()
    },

    auditTrail (portalId: number) {
      return db.select().from(auditEvents).where(eq(auditEvents.portalId, portalId)).orderBy(auditEvents.id).all()
    }
  }
}

export type ConnectionsRepository = ReturnType<typeof createConnectionsRepository>
