import { eq, gt, lte, sql } from 'drizzle-orm'
import type { Driver, Executor } from '../driver.ts'
import type { adminSessions } from '../schema/sqlite.ts'
import { auditEventWriter, NO_PORTAL, type AuditWriter } from './audit-repository.ts'

export type SessionRow = typeof adminSessions.$inferSelect

/** Who ended a session, and when: the audit event of a sign-out. */
export interface SessionEnd {
  readonly actor: string
  readonly at: number
}

/**
 * Admin page sessions by the hash of their id; the id itself is never given to this repository. Every sign-in and
 * sign-out commits with its audit event, and every ending is announced so an instance that keeps sessions in memory
 * lets them go.
 */
export function createSessionsRepository (driver: Driver, writer: AuditWriter = {}) {
  const { db, tables: { adminSessions } } = driver
  const audit = auditEventWriter(driver, writer)
  const selectOne = driver.prepare('session_by_hash', db.select().from(adminSessions).where(eq(adminSessions.idHash, sql.placeholder('idHash'))))
  const announceEnded = async (tx: Executor) => { await driver.publishChange(tx, { topic: 'session', portalId: NO_PORTAL }) }

  return {
    /** Starts a session, audited as `sign_in` by `actor`. */
    async create (session: SessionRow, actor: string): Promise<void> {
      await driver.transaction(async tx => {
        await tx.run(tx.db.insert(adminSessions).values(session))
        await audit(tx, { portalId: NO_PORTAL, action: 'sign_in', actor, at: session.createdAt, after: { expiresAt: new Date(session.expiresAt).toISOString() } })
      })
    },

    /** The session, or undefined when there is none or it expired by `now`. */
    async find (idHash: string, now: number): Promise<SessionRow | undefined> {
      const [row] = await selectOne({ idHash })
      return row === undefined || row.expiresAt <= now ? undefined : row
    },

    /**
     * Ends the session: a sign-out, audited as `sign_out` when `signOut` says by whom, or else a session the service
     * refused (opened with another admin token). False when there was none.
     */
    async remove (idHash: string, signOut?: SessionEnd): Promise<boolean> {
      return await driver.transaction(async tx => {
        if (await tx.run(tx.db.delete(adminSessions).where(eq(adminSessions.idHash, idHash))) === 0) return false
        if (signOut !== undefined) await audit(tx, { portalId: NO_PORTAL, action: 'sign_out', actor: signOut.actor, at: signOut.at })
        await announceEnded(tx)
        return true
      })
    },

    /** Ends every session (sign out everywhere), audited as `end_sessions` with how many were live; returns that. */
    async removeAll (end: SessionEnd): Promise<number> {
      return await driver.transaction(async tx => {
        const live = await tx.run(tx.db.delete(adminSessions).where(gt(adminSessions.expiresAt, end.at)))
        await tx.run(tx.db.delete(adminSessions))
        await audit(tx, { portalId: NO_PORTAL, action: 'end_sessions', actor: end.actor, at: end.at, before: { sessions: live }, after: { sessions: 0 } })
        await announceEnded(tx)
        return live
      })
    },

    /** Deletes every session that expired by `now`; returns how many. */
    async removeExpired (now: number): Promise<number> {
      return await driver.run(db.delete(adminSessions).where(lte(adminSessions.expiresAt, now)))
    }
  }
}

export type SessionsRepository = ReturnType<typeof createSessionsRepository>
