import { eq, sql } from 'drizzle-orm'
import type { AppDatabase } from '../database.ts'
import { connections, portals } from '../schema.ts'

export interface PortalSummary {
  readonly portalId: number
  readonly createdAt: number
  readonly installStatus: string | null
  readonly installedAt: number | null
  readonly connectionCount: number
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

    /** Portals that are installed or have at least one connection. */
    list (): PortalSummary[] {
      return db.select({
        portalId: portals.portalId,
        createdAt: portals.createdAt,
        installStatus: portals.installStatus,
        installedAt: portals.installedAt,
        connectionCount: sql<number>`(select count(*) from ${connections} where ${connections.portalId} = ${portals.portalId})`
      }).from(portals).orderBy(portals.portalId).all()
        .filter(portal => portal.installStatus !== null || portal.connectionCount > 0)
    }
  }
}

export type PortalsRepository = ReturnType<typeof createPortalsRepository>
