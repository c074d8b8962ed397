import { and, eq, sql } from 'drizzle-orm'
import type { AuditWriter } from './audit-repository.ts'
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
/** How long `find` trusts a cached connection: the bound on staleness should a change notice never arrive. */
export const CONNECTION_CACHE_TTL_MS = 5_000

export interface ConnectionsRepositoryOptions extends AuditWriter {
  readonly cacheSize?: number
  /** Unix milliseconds, for the cache's time-to-live. */
  readonly clock?: () => number
}

/**
 * Connections and their audit trail. Every change, its audit event and its notice on the driver's change feed commit
 * together or not at all.
 *
 * `find`, which every execution and options request runs, answers from a cache that the change feed keeps current
 * across instances: an entry is dropped when any instance's change to it is told (in the changing process as soon as
 * it commits, so its very next execution sees it), and everything when the feed may have missed changes. As a safety
 * net for a notice that never comes (a writer that does not publish), an entry is trusted for CONNECTION_CACHE_TTL_MS
 * at most. A read that a change overtook is not cached (`changes` counts them).
 */
export function createConnectionsRepository (driver: Driver, options: ConnectionsRepositoryOptions = {}) {
  const { db, tables: { auditEvents, connections, portals } } = driver
  const where = (portalId: number, provider: string) => and(eq(connections.portalId, portalId), eq(connections.provider, provider))
  const selectOne = driver.prepare('connection_by_provider', db.select().from(connections)
    .where(and(eq(connections.portalId, sql.placeholder('portalId')), eq(connections.provider, sql.placeholder('provider')))))
  const cacheSize = options.cacheSize ?? CONNECTION_CACHE_SIZE
  const clock = options.clock ?? Date.now
  const cache = new Map<string, { readonly record: ConnectionRecord, readonly cachedAt: number }>()
  let changes = 0
  const cacheKey = (portalId: number, provider: string) => `${portalId}\u0000${provider}`
  /** Drops one connection, or with no provider every connection of the portal. */
  const forget = (portalId: number, provider: string | undefined) => {
    changes++
    if (provider !== undefined) cache.delete(cacheKey(portalId, provider))
    else for (const key of cache.keys()) if (key.startsWith(cacheKey(portalId, ''))) cache.delete(key)
  }
  driver.onChange(notice => {
    if (notice.topic === 'connection') forget(notice.portalId, notice.provider)
    else if (notice.topic === 'all') { changes++; cache.clear() }
  })
  const announce = (executor: Executor, portalId: number, provider: string) => driver.publishChange(executor, { topic: 'connection', portalId, provider })

  return {
    async find (portalId: number, provider: string): Promise<ConnectionRecord | undefined> {
      const key = cacheKey(portalId, provider)
      const cached = cache.get(key)
      if (cached !== undefined) {
        cache.delete(key)
        if (clock() - cached.cachedAt < CONNECTION_CACHE_TTL_MS) {
          cache.set(key, cached)
          return cached.record
        }
      }
      const changesBefore = changes
      const readAt = clock()
      const [row] = await selectOne({ portalId, provider })
      if (row === undefined) return undefined
      const record = Object.freeze(toRecord(row))
      if (changes !== changesBefore) return record
      cache.set(key, { record, cachedAt: readAt })
      if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string)
      return record
    },

    async list (portalId: number): Promise<ConnectionRecord[]> {
      return (await driver.all(db.select().from(connections).where(eq(connections.portalId, portalId)).orderBy(connections.provider))).map(toRecord)
    },

    /** Connects, or switches the key of an existing connection (keeping its allowlist). Returns which it was. */
    async save (input: SaveConnection): Promise<'connect' | 'switch_key'> {
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
        await tx.run(tx.db.insert(auditEvents).values({ instanceId: options.instanceId ?? null,
          portalId: input.portalId,
          provider: input.provider,
          action,
          actor: input.actor,
          at: input.at,
          before: existing === undefined ? null : auditedKey(existing),
          after: auditedKey(input)
        }))
        await announce(tx, input.portalId, input.provider)
        return action
      })
    },

    /** Erases the connection (and so its key). False when there was none. */
    async remove (portalId: number, provider: string, actor: string, at: number): Promise<boolean> {
      return await driver.transaction(async tx => {
        const removed = await tx.first(tx.db.delete(connections).where(where(portalId, provider))
          .returning({ keyHint: connections.keyHint, baseUrl: connections.baseUrl, allowedModels: connections.allowedModels }))
        if (removed === undefined) return false
        await tx.run(tx.db.insert(auditEvents).values({ instanceId: options.instanceId ?? null,
          portalId, provider, action: 'disconnect', actor, at, before: { ...auditedKey(removed), allowedModels: parseModels(removed.allowedModels) }, after: null
        }))
        await announce(tx, portalId, provider)
        return true
      })
    },

    async setAllowedModels (portalId: number, provider: string, models: readonly string[] | null, actor: string, at: number): Promise<boolean> {
      return await driver.transaction(async tx => {
        const before = await tx.first(tx.db.select({ allowedModels: connections.allowedModels }).from(connections).where(where(portalId, provider)))
        if (before === undefined) return false
        await tx.run(tx.db.update(connections).set({ allowedModels: models === null ? null : JSON.stringify(models) }).where(where(portalId, provider)))
        await tx.run(tx.db.insert(auditEvents).values({ instanceId: options.instanceId ?? null,
          portalId,
          provider,
          action: 'allowed_models',
          actor,
          at,
          detail: models === null ? 'all' : models.join(','),
          before: { allowedModels: parseModels(before.allowedModels) },
          after: { allowedModels: models === null ? null : [...models] }
        }))
        await announce(tx, portalId, provider)
        return true
      })
    },

    /** Records the provider's verdict on the key at its last use. */
    async setStatus (portalId: number, provider: string, status: ConnectionStatus, at: number): Promise<void> {
      await driver.transaction(async tx => {
        if (await tx.run(tx.db.update(connections).set(status === 'connected' ? { status, lastValidatedAt: at } : { status }).where(where(portalId, provider))) > 0) {
          await announce(tx, portalId, provider)
        }
      })
    },

    /** For `rekey`: every ciphertext, and a way to replace one. */
    async allCiphertexts (executor: Executor = driver): Promise<Array<Pick<Row, 'id' | 'portalId' | 'provider' | 'encryptedKey' | 'status'>>> {
      return await executor.all(executor.db.select({ id: connections.id, portalId: connections.portalId, provider: connections.provider, encryptedKey: connections.encryptedKey, status: connections.status })
        .from(connections))
    },

    async replaceCiphertext (id: number, encryptedKey: string, executor: Executor = driver): Promise<void> {
      const replaced = await executor.first(executor.db.update(connections).set({ encryptedKey }).where(eq(connections.id, id))
        .returning({ portalId: connections.portalId, provider: connections.provider }))
      if (replaced !== undefined) await announce(executor, replaced.portalId, replaced.provider)
    },

    async auditTrail (portalId: number) {
      return await driver.all(db.select().from(auditEvents).where(eq(auditEvents.portalId, portalId)).orderBy(auditEvents.id))
    }
  }
}

export type ConnectionsRepository = ReturnType<typeof createConnectionsRepository>
