import { eq, lte, sql } from 'drizzle-orm'
import type { AppDatabase } from '../database.ts'
import { adminSessions } from '../schema.ts'

export type SessionRow = typeof adminSessions.$inferSelect

/** Admin page sessions by the hash of their id; the id itself is never given to this repository. */
export function createSessionsRepository (db: AppDatabase) {
  const placeholder = sql.placeholder
  const selectOne = db.select().from(adminSessions).where(eq(adminSessions.idHash, placeholder('idHash'))).prepare()

  return {
    create (session: SessionRow): void {
      db.insert(adminSessions).values(session).run()
    },

    /** The session, or undefined when there is none or it expired by `now`. */
    find (idHash: string, now: number): SessionRow | undefined {
      const row = selectOne.get({ idHash })
      return row === undefined || row.expiresAt <= now ? undefined : row
    },

    remove (idHash: string): void {
      db.delete(adminSessions).where(eq(adminSessions.idHash, idHash)).run()
    },

    /** Deletes every session that expired by `now`; returns how many. */
    removeExpired (now: number): number {
      return db.delete(adminSessions).where(lte(adminSessions.expiresAt, now)).run().changes
    }
  }
}

export type SessionsRepository = ReturnType<typeof createSessionsRepository>
