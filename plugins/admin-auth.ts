import cookie from '@fastify/cookie'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { bearerTokenCheck, sameSecret } from './bearer-token.ts'
import { AppError } from './errors.ts'
import { createFailureLimiter } from './failure-limiter.ts'
import { createSessionStore, type AdminSession, type SessionStore } from './session-store.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * onRequest hook for admin routes. Either `Authorization: Bearer <ADMIN_TOKEN>` (compared in constant time), or
     * the admin page's session cookie, which on anything but GET/HEAD also needs `x-csrf-token` to match the
     * session's. The right token always gets through; a wrong one from a client (by IP) that sent too many is
     * 429 RATE_LIMITED until its window is over. Sets `request.adminActor`.
     */
    requireAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /**
     * Checks a token typed into the sign-in form: the right one passes at once; a wrong one throws, after a delay that
     * slows guessing down, 401 UNAUTHORIZED, or 429 RATE_LIMITED from a client that sent too many.
     */
    checkSignInToken: (request: FastifyRequest, token: string) => Promise<void>
    adminSessions: SessionStore
  }
  interface FastifyRequest {
    /** Who the audit trail names for this request's changes: `admin-api` (the bearer token) or `session:<hash start>`. */
    adminActor: string
    /** The admin page session this request came with, when it came with one. */
    adminSession: AdminSession | undefined
  }
}

/** Wrong tokens a client may send per window before it is refused. */
export const ADMIN_FAILURE_LIMIT = 10
export const ADMIN_FAILURE_WINDOW_MS = 60_000
/** Clients remembered at once: beyond this the oldest window is forgotten, so a spray of addresses cannot grow memory. */
export const ADMIN_TRACKED_CLIENTS = 10_000

/** The admin page's session cookie (HttpOnly, SameSite=Strict, Secure when the service is reached over HTTPS). */
export const SESSION_COOKIE = 'llm_actions_session'
/** How long a wrong sign-in takes to answer: one guess a second per connection, on top of the per-client limit. */
export const SIGN_IN_FAILURE_DELAY_MS = 1000

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The session id the request's cookie carries, if any. Cookies are parsed here only, not on every request. */
export function sessionIdOf (fastify: FastifyInstance, request: FastifyRequest): string | undefined {
  const header = request.headers.cookie
  return header === undefined ? undefined : fastify.parseCookie(header)[SESSION_COOKIE]
}

async function adminAuth (fastify: FastifyInstance): Promise<void> {
  // hook: false: HubSpot's executions (the hot path) never carry a cookie, so nothing parses one for them.
  await fastify.register(cookie, { hook: false })
  const checkToken = bearerTokenCheck(fastify.config.adminToken)
  const failures = createFailureLimiter({
    limit: ADMIN_FAILURE_LIMIT,
    windowMs: ADMIN_FAILURE_WINDOW_MS,
    maxClients: ADMIN_TRACKED_CLIENTS,
    clock: () => fastify.clock()
  })
  const sessions = createSessionStore({ repository: fastify.repositories.sessions, adminToken: fastify.config.adminToken, clock: () => fastify.clock() })
  fastify.decorate('adminSessions', sessions)
  fastify.decorateRequest('adminActor', 'admin-api')
  fastify.decorateRequest('adminSession', undefined)

  /**
   * The error for a wrong token: `unauthorized`, counted against the client, or 429 once it sent too many. Only wrong
   * tokens are counted and refused: were the right one refused too, anyone sharing the owner's address (every client
   * of a load balancer) could keep the owner out by sending wrong ones.
   */
  function wrongToken (request: FastifyRequest, unauthorized: AppError): AppError {
    const retryAfterSeconds = failures.retryAfterSeconds(request.ip)
    if (retryAfterSeconds === undefined) {
      failures.fail(request.ip)
      return unauthorized
    }
    return new AppError('RATE_LIMITED', `Too many wrong admin tokens from this client; try again in ${retryAfterSeconds} s.`, { retryAfterSeconds })
  }

  async function requireSession (request: FastifyRequest): Promise<void> {
    const sessionId = sessionIdOf(fastify, request)
    const session = sessionId === undefined ? undefined : await sessions.find(sessionId)
    if (session === undefined) throw new AppError('UNAUTHORIZED')
    if (!SAFE_METHODS.has(request.method)) {
      const header = request.headers['x-csrf-token']
      if (typeof header !== 'string' || !sameSecret(header, session.csrfToken)) throw new AppError('CSRF_TOKEN_INVALID')
    }
    request.adminSession = session
    request.adminActor = session.actor
  }

  fastify.decorate('requireAdmin', async (request: FastifyRequest) => {
    // A bearer header wins: API clients keep working exactly as before, and never need a CSRF token.
    if (request.headers.authorization === undefined) return await requireSession(request)
    const check = checkToken(request.headers.authorization)
    // Only a token sent counts as a guess: a request without one (a page loaded before signing in) learns nothing.
    if (check === 'missing') throw new AppError('UNAUTHORIZED')
    if (check === 'wrong') throw wrongToken(request, new AppError('UNAUTHORIZED'))
  })

  fastify.decorate('checkSignInToken', async (request: FastifyRequest, token: string) => {
    if (sameSecret(token.trim(), fastify.config.adminToken)) return
    const refusal = wrongToken(request, new AppError('UNAUTHORIZED', 'That is not the admin token. It is ADMIN_TOKEN, or ADMIN_TOKEN in DATA_DIR/secrets.json when it was generated.'))
    await sleep(SIGN_IN_FAILURE_DELAY_MS)
    throw refusal
  })
}

export default fp(adminAuth, { name: 'admin-auth', dependencies: ['config', 'clock', 'database'], fastify: '5.x' })
