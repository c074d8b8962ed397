import { count, eq, gt, isNotNull, or, sql } from 'drizzle-orm'
import type { AppDatabase } from '../database.ts'
import { connections, portalBudgets, portals } from '../schema.ts'

export interface PortalSummary {
  readonly portalId: number
  readonly createdAt: number
  readonly installStatus: string | null
  readonly installedAt: number | null
  readonly connectionCount: number
  /** `provider:status` of each connection, comma-separated in SQLite's order; null when there are none. */
  readonly connections: string | null
  readonly monthlyLimitUsd: number | null
}

export function createPortalsRepository (db: AppDatabase) {
  return {
    /** Creates the portal row if it is new. Safe to call inside a transaction. */
    ensure (portalId: number, executor: Pick<AppDatabase, 'insert'> = db): void {
      executor.insert(portals).values({ portalId }).onConflictDoNothing().run()
    },

    find (portalId: number) {
      return db.select().from(portals).where(eq(portals.portalId, portalId)).get()
    },

    setInstallStatus (portalId: number, installStatus: 'installed' | 'reinstall_required', at: number): void {
      db.insert(portals).values({ portalId, installStatus, installedAt: installStatus === 'installed' ? at : null })
        .onConflictDoUpdate({
          target: portals.portalId,
          set: installStatus === 'installed' ? { installStatus, installedAt: at } : { installStatus }
        }).run()
    },

    /** Portals that are installed, have at least one connection, or have a budget. */
    list (): PortalSummary[] {
      // A join, not a correlated subquery: drizzle writes a subquery's columns unqualified, so
      // `portal_id = portal_id` compared the connections column with itself and counted every portal's connections.
      const connectionCount = count(connections.id)
      // One budget row per portal at most, so it is the same on every row of the group.
      const monthlyLimitUsd = sql<number | null>`max(${portalBudgets.monthlyLimitUsd})`
      return db.select({
        portalId: portals.portalId,
        createdAt: portals.createdAt,
        installStatus: portals.installStatus,
        installedAt: portals.installedAt,
        connectionCount,
        // Provider ids and statuses are plain identifiers (no ':' or ','), so the pairs split back safely.
        connections: sql<string | null>`group_concat(${connections.provider} || ':' || ${connections.status})`,
        monthlyLimitUsd
      }).from(portals)
        .leftJoin(connections, eq(connections.portalId, portals.portalId))
        .leftJoin(portalBudgets, eq(portalBudgets.portalId, portals.portalId))
        .groupBy(portals.portalId)
        .having(or(isNotNull(portals.installStatus), gt(connectionCount, 0), isNotNull(monthlyLimitUsd)))
        .orderBy(portals.portalId).all()
    }
  }
}

export type PortalsRepository = ReturnType<typeof createPortalsRepository>
