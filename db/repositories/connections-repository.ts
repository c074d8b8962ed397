import { and, eq, sql } from 'drizzle-orm'
import type { Driver, Executor } from '../driver.ts'
import type { connections } from '../schema/sqlite.ts'

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
 * is seen by the very next execution. A read that a change overtook is not cached (`changes` counts them). That
 * holds because this process is the database's only writer (the CLI's `rekey` changes ciphertexts only, which
 * decrypt to the same key); several instances on one database would need the cache to expire.
 */
export function createConnectionsRepository (driver: Driver, options: { readonly cacheSize?: number } = {}) {
  const { db, tables: { auditEvents, connections, portals } } = driver
  const where = (portalId: number, provider: string) => and(eq(connections.portalId, portalId), eq(connections.provider, provider))
  const selectOne = driver.prepare('connection_by_provider', db.select().from(connections)
    .where(and(eq(connections.portalId, sql.placeholder('portalId')), eq(connections.provider, sql.placeholder('provider')))))
  const cacheSize = options.cacheSize ?? CONNECTION_CACHE_SIZE
  const cache = new Map<string, ConnectionRecord>()
  let changes = 0
  const cacheKey = (portalId: number, provider: string) => `${portalId}\u0000${provider}`
  const forget = (portalId: number, provider: string) => { changes++; cache.delete(cacheKey(portalId, provider)) }

  return {
    async find (portalId: number, provider: string): Promise<ConnectionRecord | undefined> {
      const key = cacheKey(portalId, provider)
      const cached = cache.get(key)
      if (cached !== undefined) {
        cache.delete(key)
        cache.set(key, cached)
        return cached
      }
      const changesBefore = changes
      const [row] = await selectOne({ portalId, provider })
      if (row === undefined) return undefined
      const record = Object.freeze(toRecord(row))
      if (changes !== changesBefore) return record
      cache.set(key, record)
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string)
      return record
    },

    async list (portalId: number): Promise<ConnectionRecord[]> {
      return (await driver.all(db.select().from(connections).where(eq(connections.portalId, portalId)).orderBy(connections.provider))).map(toRecord)
    },

    /** Connects, or switches the key of an existing connection (keeping its allowlist). Returns which it was. */
    async save (input: SaveConnection): Promise<'connect' | 'switch_key'> {
      forget(input.portalId, input.provider)
      return await driver.transaction(async tx => {
        await tx.run(tx.db.insert(portals).values({ portalId: input.portalId }).onConflictDoNothing())
        const existing = await tx.first(tx.db.select({ id: connections.id, keyHint: connections.keyHint, baseUrl: connections.baseUrl }).from(connections)
          .where(where(input.portalId, input.provider)))
        const action = existing === undefined ? 'connect' : 'switch_key'
        if (existing === undefined) {
          await tx.run(tx.db.insert(connections).values({
            portalId: input.portalId,
            provider: input.provider,
            encryptedKey: input.encryptedKey,
            keyHint: input.keyHint,
            baseUrl: input.baseUrl,
            status: 'connected',
            connectedAt: input.at,
            lastValidatedAt: input.at
          }))
        } else {
          await tx.run(tx.db.update(connections).set({
            encryptedKey: input.encryptedKey,
            keyHint: input.keyHint,
            baseUrl: input.baseUrl,
            status: 'connected',
            connectedAt: input.at,
            lastValidatedAt: input.at
          }).where(eq(connections.id, existing.id)))
        }
        await tx.run(tx.db.insert(auditEvents).values({
          portalId: input.portalId,
          provider: input.provider,
          action,
          actor: input.actor,
          at: input.at,
          before: existing === undefined ? null : auditedKey(existing),
          after: auditedKey(input)
        }))
        return action
      })
    },

    /** Erases the connection (and so its key). False when there was none. */
    async remove (portalId: number, provider: string, actor: string, at: number): Promise<boolean> {
      forget(portalId, provider)
      return await driver.transaction(async tx => {
        const removed = await tx.first(tx.db.delete(connections).where(where(portalId, provider))
          .returning({ keyHint: connections.keyHint, baseUrl: connections.baseUrl, allowedModels: connections.allowedModels }))
        if (removed === undefined) return false
        await tx.run(tx.db.insert(auditEvents).values({
          portalId, provider, action: 'disconnect', actor, at, before: { ...auditedKey(removed), allowedModels: parseModels(removed.allowedModels) }, after: null
        }))
        return true
      })
    },

    async setAllowedModels (portalId: number, provider: string, models: readonly string[] | null, actor: string, at: number): Promise<boolean> {
      forget(portalId, provider)
      return await driver.transaction(async tx => {
        const before = await tx.first(tx.db.select({ allowedModels: connections.allowedModels }).from(connections).where(where(portalId, provider)))
        if (before === undefined) return false
        await tx.run(tx.db.update(connections).set({ allowedModels: models === null ? null : JSON.stringify(models) }).where(where(portalId, provider)))
        await tx.run(tx.db.insert(auditEvents).values({
          portalId,
          provider,
          action: 'allowed_models',
          actor,
          at,
          detail: models === null ? 'all' : models.join(','),
          before: { allowedModels: parseModels(before.allowedModels) },
          after: { allowedModels: models === null ? null : [...models] }
        }))
        return true
      })
    },

    /** Records the provider's verdict on the key at its last use. */
    async setStatus (portalId: number, provider: string, status: ConnectionStatus, at: number): Promise<void> {
      forget(portalId, provider)
      await driver.run(db.update(connections).set(status === 'connected' ? { status, lastValidatedAt: at } : { status })
        .where(where(portalId, provider)))
    },

    /** For `rekey`: every ciphertext, and a way to replace one. */
    async allCiphertexts (executor: Executor = driver): Promise<Array<Pick<Row, 'id' | 'portalId' | 'provider' | 'encryptedKey' | 'status'>>> {
      return await executor.all(executor.db.select({ id: connections.id, portalId: connections.portalId, provider: connections.provider, encryptedKey: connections.encryptedKey, status: connections.status })
        .from(connections))
    },

    async replaceCiphertext (id: number, encryptedKey: string, executor: Executor = driver): Promise<void> {
      changes++
      cache.clear()
      await executor.run(executor.db.update(connections).set({ encryptedKey }).where(eq(connections.id, id)))
    },

    async auditTrail (portalId: number) {
      return await driver.all(db.select().from(auditEvents).where(eq(auditEvents.portalId, portalId)).orderBy(auditEvents.id))
    }
  }
}

export type ConnectionsRepository = ReturnType<typeof createConnectionsRepository>
