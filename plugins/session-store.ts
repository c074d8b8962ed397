import { createHash, createHmac, randomBytes } from 'node:crypto'
import type { SessionsRepository } from '../db/repositories/sessions-repository.ts'

/** How long a sign-in lasts: a working day, then the operator signs in again. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000

/** A session as the page and the audit trail know it. The session id itself stays in the cookie. */
export interface AdminSession {
  /** Sent back as `x-csrf-token` on every state-changing request; derived from the id, so nothing stores it. */
  readonly csrfToken: string
  readonly expiresAt: number
  /** Who the audit trail names: `session:` and the start of the id's hash (never any part of the id). */
  readonly actor: string
}

export interface SessionStore {
  /** Starts a session: the id goes into the cookie, the rest to the page. */
  open (): Promise<AdminSession & { readonly sessionId: string }>
  /** The live session with this id, or undefined (unknown, expired, signed out, or not an id at all). */
  find (sessionId: string): Promise<AdminSession | undefined>
  close (sessionId: string): Promise<void>
}

export interface SessionStoreOptions {
  readonly repository: SessionsRepository
  readonly clock: () => number
  readonly ttlMs?: number
}

// 32 random bytes in base64url: anything else cannot be a session id, so it is refused before the database is asked.
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/

const hashOf = (sessionId: string) => createHash('sha256').update(sessionId).digest('hex')

/**
 * Sessions kept in the database by the hash of their id, so they survive a restart and a copy of the database
 * signs nobody in. The CSRF token is an HMAC of the id: the page learns it from `GET /session`, a cross-site page
 * cannot (it can neither read that answer nor the HttpOnly cookie).
 */
export function createSessionStore (options: SessionStoreOptions): SessionStore {
  const ttlMs = options.ttlMs ?? SESSION_TTL_MS
  const describe = (sessionId: string, idHash: string, expiresAt: number): AdminSession => ({
    csrfToken: createHmac('sha256', sessionId).update('csrf').digest('base64url'),
    expiresAt,
    actor: `session:${idHash.slice(0, 12)}`
  })

  return {
    async open () {
      const now = options.clock()
      await options.repository.removeExpired(now)
      const sessionId = randomBytes(32).toString('base64url')
      const idHash = hashOf(sessionId)
      const expiresAt = now + ttlMs
      await options.repository.create({ idHash, createdAt: now, expiresAt })
      return { sessionId, ...describe(sessionId, idHash, expiresAt) }
    },

    async find (sessionId) {
      if (!SESSION_ID.test(sessionId)) return undefined
      const idHash = hashOf(sessionId)
      const row = await options.repository.find(idHash, options.clock())
      return row === undefined ? undefined : describe(sessionId, idHash, row.expiresAt)
    },

    async close (sessionId) {
      if (SESSION_ID.test(sessionId)) await options.repository.remove(hashOf(sessionId))
    }
  }
}
