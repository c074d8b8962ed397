import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { bearerTokenCheck } from './bearer-token.ts'
import { AppError } from './errors.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * onRequest hook for admin routes: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. A client
     * (by IP) that sent too many wrong tokens gets 429 RATE_LIMITED until its window is over.
     */
    requireAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

/** Wrong tokens a client may send per window before it is refused. */
export const ADMIN_FAILURE_LIMIT = 10
export const ADMIN_FAILURE_WINDOW_MS = 60_000
/** Clients remembered at once: beyond this the oldest window is forgotten, so a spray of addresses cannot grow memory. */
export const ADMIN_TRACKED_CLIENTS = 10_000

export interface FailureLimiterOptions {
  readonly limit: number
  readonly windowMs: number
  readonly maxClients: number
  readonly clock: () => number
}

export interface FailureLimiter {
  /** Seconds until `client` may try again, or undefined when it may try now. */
  retryAfterSeconds (client: string): number | undefined
  /** Counts one failure of `client` in its current window (a new window starts at its first failure). */
  fail (client: string): void
  /** How many clients are remembered. */
  size (): number
}

interface FailureWindow {
  readonly startedAt: number
  failures: number
}

/**
 * Failures per client in fixed windows that start at a client's first failure. The map keeps windows in the order
 * they started (a new window is inserted afresh), so the oldest are at its front: expired ones are dropped from there,
 * and when too many clients are remembered the oldest is evicted first.
 */
export function createFailureLimiter (options: FailureLimiterOptions): FailureLimiter {
  const windows = new Map<string, FailureWindow>()
  const isOver = (window: FailureWindow, now: number) => now >= window.startedAt + options.windowMs

  function dropExpired (now: number): void {
    for (const [client, window] of windows) {
      if (!isOver(window, now)) return
      windows.delete(client)
    }
  }

  return {
    retryAfterSeconds (client) {
      const now = options.clock()
      const window = windows.get(client)
      if (window === undefined || isOver(window, now) || window.failures < options.limit) return undefined
      return Math.max(1, Math.ceil((window.startedAt + options.windowMs - now) / 1000))
    },

    fail (client) {
      const now = options.clock()
      dropExpired(now)
      const window = windows.get(client)
      if (window !== undefined) {
        window.failures++
        return
      }
      windows.set(client, { startedAt: now, failures: 1 })
      for (const oldest of windows.keys()) {
        if (windows.size <= options.maxClients) break
        windows.delete(oldest)
      }
    },

    size () {
      return windows.size
    }
  }
}

async function adminAuth (fastify: FastifyInstance): Promise<void> {
  const checkToken = bearerTokenCheck(fastify.config.adminToken)
  const failures = createFailureLimiter({
    limit: ADMIN_FAILURE_LIMIT,
    windowMs: ADMIN_FAILURE_WINDOW_MS,
    maxClients: ADMIN_TRACKED_CLIENTS,
    clock: () => fastify.clock()
  })
  fastify.decorate('requireAdmin', async (request: FastifyRequest) => {
    // Checked before the token, and whatever the token: a limited client that could still succeed would learn
    // from the answer which of its guesses was right, so the limit would slow nothing down.
    const retryAfterSeconds = failures.retryAfterSeconds(request.ip)
    if (retryAfterSeconds !== undefined) {
      throw new AppError('RATE_LIMITED', `Too many wrong admin tokens from this client; try again in ${retryAfterSeconds} s.`, { retryAfterSeconds })
    }
    const check = checkToken(request.headers.authorization)
    if (check === 'missing') throw new AppError('UNAUTHORIZED')
    if (check === 'wrong') {
      // Only a token sent counts as a guess: a request without one (a page loaded before signing in) learns nothing.
      failures.fail(request.ip)
      throw new AppError('UNAUTHORIZED')
    }
  })
}

export default fp(adminAuth, { name: 'admin-auth', dependencies: ['config', 'clock'], fastify: '5.x' })
