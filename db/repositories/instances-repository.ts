import { desc, eq, gte, isNull, ne, or } from 'drizzle-orm'
import type { Driver } from '../driver.ts'
import type { instances } from '../schema/sqlite.ts'

export type InstanceRow = typeof instances.$inferSelect

/** The instances sharing this database, each keeping its own row: registered at start, seen at each heartbeat. */
export function createInstancesRepository (driver: Driver) {
  const { db, tables: { instances } } = driver

  return {
    /** Starts (or, for an INSTANCE_ID used before, restarts) this instance's row. */
    async register (instance: { readonly instanceId: string, readonly version: string, readonly at: number }): Promise<void> {
      const values = { version: instance.version, startedAt: instance.at, lastSeenAt: instance.at, running: 0, stoppedAt: null }
      await driver.run(db.insert(instances).values({ instanceId: instance.instanceId, ...values })
        .onConflictDoUpdate({ target: instances.instanceId, set: values }))
    },

    /** Forgets every other instance: a database that is one instance's alone (SQLite) lists only the running one. */
    async forgetOthers (instanceId: string): Promise<void> {
      await driver.run(db.delete(instances).where(ne(instances.instanceId, instanceId)))
    },

    async heartbeat (instanceId: string, at: number, running: number): Promise<void> {
      await driver.run(db.update(instances).set({ lastSeenAt: at, running }).where(eq(instances.instanceId, instanceId)))
    },

    async stopped (instanceId: string, at: number): Promise<void> {
      await driver.run(db.update(instances).set({ lastSeenAt: at, running: 0, stoppedAt: at }).where(eq(instances.instanceId, instanceId)))
    },

    /** Instances still running, and those seen since `seenSince` (stopped or gone quiet), most recently seen first. */
    async list (seenSince: number): Promise<InstanceRow[]> {
      return await driver.all(db.select().from(instances).where(or(isNull(instances.stoppedAt), gte(instances.lastSeenAt, seenSince)))
        .orderBy(desc(instances.lastSeenAt), instances.instanceId))
    }
  }
}

export type InstancesRepository = ReturnType<typeof createInstancesRepository>
