import { count, eq, gt, isNotNull, or, sql } from 'drizzle-orm'
import type { Driver, Executor } from '../driver.ts'
import type { portals } from '../schema/sqlite.ts'

export type PortalRow = typeof portals.$inferSelect

export interface PortalSummary {
  readonly portalId: number
  readonly createdAt: number
  readonly installStatus: string | null
  readonly installedAt: number | null
  readonly connectionCount: number
  /** `provider:status` of each connection, comma-separated in the database's order; null when there are none. */
  readonly connections: string | null
  readonly monthlyLimitUsd: number | null
}

export function createPortalsRepository (driver: Driver) {
  const { db, tables: { connections, portalBudgets, portals } } = driver
  return {
    /** Creates the portal row if it is new; inside a transaction when given its executor. */
    async ensure (portalId: number, executor: Executor = driver): Promise<void> {
      await executor.run(executor.db.insert(portals).values({ portalId }).onConflictDoNothing())
    },

    async find (portalId: number): Promise<PortalRow | undefined> {
      return await driver.first(db.select().from(portals).where(eq(portals.portalId, portalId)))
    },

    /** Marks the portal installed or needing a re-install; inside a transaction when given its executor. */
    async setInstallStatus (portalId: number, installStatus: 'installed' | 'reinstall_required', at: number, executor: Executor = driver): Promise<void> {
      await executor.run(executor.db.insert(portals).values({ portalId, installStatus, installedAt: installStatus === 'installed' ? at : null })
        .onConflictDoUpdate({
          target: portals.portalId,
          set: installStatus === 'installed' ? { installStatus, installedAt: at } : { installStatus }
        }))
    },

    /** Portals that are installed, have at least one connection, or have a budget. */
    async list (): Promise<PortalSummary[]> {
      // A join, not a correlated subquery: drizzle writes a subquery's columns unqualified, so
      // `portal_id = portal_id` compared the connections column with itself and counted every portal's connections.
      const connectionCount = count(connections.id).mapWith(Number)
      // One budget row per portal at most, so it is the same on every row of the group.
      const monthlyLimitUsd = sql<number | null>`max(${portalBudgets.monthlyLimitUsd})`.mapWith(Number)
      return await driver.all(db.select({
        portalId: portals.portalId,
        createdAt: portals.createdAt,
        installStatus: portals.installStatus,
        installedAt: portals.installedAt,
        connectionCount,
        // Provider ids and statuses are plain identifiers (no ':' or ','), so the pairs split back safely.
        connections: driver.sql.joinedWithCommas(sql`${connections.provider} || ':' || ${connections.status}`),
        monthlyLimitUsd
      }).from(portals)
        .leftJoin(connections, eq(connections.portalId, portals.portalId))
        .leftJoin(portalBudgets, eq(portalBudgets.portalId, portals.portalId))
        .groupBy(portals.portalId)
        .having(or(isNotNull(portals.installStatus), gt(connectionCount, 0), isNotNull(monthlyLimitUsd)))
        .orderBy(portals.portalId))
    }
  }
}

export type PortalsRepository = ReturnType<typeof createPortalsRepository>
