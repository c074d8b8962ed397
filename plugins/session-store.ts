import { createHash, createHmac, randomBytes, scrypt } from 'node:crypto'
import type { SessionsRepository } from '../db/repositories/sessions-repository.ts'
import { sameSecret } from './bearer-token.ts'

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
  /** Starts a session, audited as a sign-in: the id goes into the cookie, the rest to the page. */
  open (): Promise<AdminSession & { readonly sessionId: string }>
  /**
   * The live session with this id, or undefined (unknown, expired, signed out, not an id at all, or opened with
   * another admin token, which also deletes it).
   */
  find (sessionId: string): Promise<AdminSession | undefined>
  /** Signs the session out, audited under its own actor. */
  close (sessionId: string): Promise<void>
  /** Ends every session, audited as done by `actor`; answers how many were live. */
  closeAll (actor: string): Promise<number>
}

export interface SessionStoreOptions {
  readonly repository: SessionsRepository
  /** The admin token sessions are opened with now; a session opened with any other is refused. */
  readonly adminToken: string
  readonly clock: () => number
  readonly ttlMs?: number
}

// 32 random bytes in base64url: anything else cannot be a session id, so it is refused before the database is asked.
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/
/** The purpose of the key derived from the admin token, so it serves nothing else. */
const TOKEN_KEY_LABEL = 'hubspot-llm-actions admin session token v1'

const hashOf = (sessionId: string) => createHash('sha256').update(sessionId).digest('hex')
const actorOf = (idHash: string) => `session:${idHash.slice(0, 12)}`

/**
 * The key that ties sessions to `adminToken`. scrypt, so that the fingerprints kept with the sessions cannot be used
 * to try guesses of a weak token quickly; it is never stored.
 */
export async function sessionTokenKey (adminToken: string): Promise<Buffer> {
  return await new Promise((resolve, reject) => {
    scrypt(adminToken, TOKEN_KEY_LABEL, 32, (error, key) => { if (error === null) resolve(key); else reject(error) })
  })
}

/** What a session's row keeps of the token: an HMAC of the session's id hash, so no two sessions keep the same. */
export const tokenFingerprint = (tokenKey: Buffer, idHash: string) => createHmac('sha256', tokenKey).update(idHash).digest('hex')

/**
 * Sessions kept in the database by the hash of their id, so they survive a restart and a copy of the database
 * signs nobody in. Each is tied to the admin token it was opened with: after the token changes, every session opened
 * with the old one is refused. The CSRF token is an HMAC of the id: the page learns it from `GET /session`, a
 * cross-site page cannot (it can neither read that answer nor the HttpOnly cookie).
 */
export function createSessionStore (options: SessionStoreOptions): SessionStore {
  const ttlMs = options.ttlMs ?? SESSION_TTL_MS
  // Derived when a session first needs it: scrypt takes a while, and most boots (every API-only one) never do.
  let tokenKey: Promise<Buffer> | undefined
  const fingerprintOf = async (idHash: string) => tokenFingerprint(await (tokenKey ??= sessionTokenKey(options.adminToken)), idHash)
  const describe = (sessionId: string, idHash: string, expiresAt: number): AdminSession => ({
    csrfToken: createHmac('sha256', sessionId).update('csrf').digest('base64url'),
    expiresAt,
    actor: actorOf(idHash)
  })

  return {
    async open () {
      const now = options.clock()
      await options.repository.removeExpired(now)
      const sessionId = randomBytes(32).toString('base64url')
      const idHash = hashOf(sessionId)
      const expiresAt = now + ttlMs
      await options.repository.create({ idHash, createdAt: now, expiresAt, tokenFingerprint: await fingerprintOf(idHash) }, actorOf(idHash))
      return { sessionId, ...describe(sessionId, idHash, expiresAt) }
    },

    async find (sessionId) {
      if (!SESSION_ID.test(sessionId)) return undefined
      const idHash = hashOf(sessionId)
      const row = await options.repository.find(idHash, options.clock())
      if (row === undefined) return undefined
      if (!sameSecret(row.tokenFingerprint, await fingerprintOf(idHash))) {
        await options.repository.remove(idHash)
        return undefined
      }
      return describe(sessionId, idHash, row.expiresAt)
    },

    async close (sessionId) {
      if (!SESSION_ID.test(sessionId)) return
      const idHash = hashOf(sessionId)
      await options.repository.remove(idHash, { actor: actorOf(idHash), at: options.clock() })
    },

    async closeAll (actor) {
      return await options.repository.removeAll({ actor, at: options.clock() })
    }
  }
}
