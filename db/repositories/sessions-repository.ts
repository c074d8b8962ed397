import { eq, lte, sql } from 'drizzle-orm'
import type { Driver } from '../driver.ts'
import type { adminSessions } from '../schema/sqlite.ts'

export type SessionRow = typeof adminSessions.$inferSelect

/** Admin page sessions by the hash of their id; the id itself is never given to this repository. */
export function createSessionsRepository (driver: Driver) {
  const { db, tables: { adminSessions } } = driver
  const selectOne = driver.prepare('session_by_hash', db.select().from(adminSessions).where(eq(adminSessions.idHash, sql.placeholder('idHash'))))

  return {
    async create (session: SessionRow): Promise<void> {
      await driver.run(db.insert(adminSessions).values(session))
    },

    /** The session, or undefined when there is none or it expired by `now`. */
    async find (idHash: string, now: number): Promise<SessionRow | undefined> {
      const [row] = await selectOne({ idHash })
      return row === undefined || row.expiresAt <= now ? undefined : row
    },

    /** Ends the session (a sign-out); announced so an instance that keeps sessions in memory lets it go. */
    async remove (idHash: string): Promise<void> {
      await driver.transaction(async tx => {
        if (await tx.run(tx.db.delete(adminSessions).where(eq(adminSessions.idHash, idHash))) > 0) await driver.publishChange(tx, { topic: 'session', portalId: 0 })
      })
    },

    /** Deletes every session that expired by `now`; returns how many. */
    async removeExpired (now: number): Promise<number> {
      return await driver.run(db.delete(adminSessions).where(lte(adminSessions.expiresAt, now)))
    }
  }
}

export type SessionsRepository = ReturnType<typeof createSessionsRepository>
