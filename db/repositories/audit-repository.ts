import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm'
import type { Driver, Executor } from '../driver.ts'
import type { auditEvents } from '../schema/sqlite.ts'

export type AuditRow = typeof auditEvents.$inferSelect
export type AuditEvent = typeof auditEvents.$inferInsert

/** Which events a reader wants: one portal or all, a time range (`fromMs` inclusive, `toMs` exclusive), a page. */
export interface AuditFilter {
  readonly portalId?: number
  readonly fromMs?: number
  readonly toMs?: number
  /** Only events older than this id: the `next` cursor of the previous page. */
  readonly beforeId?: number
  readonly limit: number
}

/** Who writes the audit events: the instance (`INSTANCE_ID`) named on each one. */
export interface AuditWriter {
  readonly instanceId?: string
}

/** The portal id of events that belong to the instance rather than a portal (sign-ins, sign-outs). */
export const NO_PORTAL = 0

/**
 * Writes an audit event on `executor`, naming the writing instance. A change writes its event on its own
 * transaction's executor, so the change and its event commit together or not at all.
 */
export function auditEventWriter (driver: Driver, writer: AuditWriter = {}) {
  const { auditEvents } = driver.tables
  return async (executor: Executor, event: AuditEvent): Promise<void> => {
    await executor.run(executor.db.insert(auditEvents).values({ ...event, instanceId: writer.instanceId ?? null }))
  }
}

/** The audit trail read back, newest first; `record` writes an event that goes with no change of the store's. */
export function createAuditRepository (driver: Driver, writer: AuditWriter = {}) {
  const { db, tables: { auditEvents } } = driver
  const write = auditEventWriter(driver, writer)
  return {
    async record (event: AuditEvent): Promise<void> {
      await write(driver, event)
    },

    // Paged by id rather than time: ids only grow, while two events can share a millisecond.
    async list (filter: AuditFilter): Promise<AuditRow[]> {
      const conditions: SQL[] = []
      if (filter.portalId !== undefined) conditions.push(eq(auditEvents.portalId, filter.portalId))
      if (filter.fromMs !== undefined) conditions.push(gte(auditEvents.at, filter.fromMs))
      if (filter.toMs !== undefined) conditions.push(lt(auditEvents.at, filter.toMs))
      if (filter.beforeId !== undefined) conditions.push(lt(auditEvents.id, filter.beforeId))
      return await driver.all(db.select().from(auditEvents).where(and(...conditions)).orderBy(desc(auditEvents.id)).limit(filter.limit))
    }
  }
}

export type AuditRepository = ReturnType<typeof createAuditRepository>
