import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor, RateLimitPluginOptions } from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import type { RateLimitsRepository } from '../db/repositories/rate-limits-repository.ts'
import type { Logger } from './logger.ts'

/** How often, at most, an instance deletes counters of windows long over (on a hit, not on a timer). */
const PRUNE_EVERY_MS = 10 * 60_000

export interface DatabaseRateLimitStoreOptions {
  readonly counters: RateLimitsRepository
  /** Window times are this clock's. */
  readonly clock: () => number
  readonly log: Logger
}

/**
 * A store for @fastify/rate-limit that counts in the database, so every instance sharing it shares one count per key.
 * The plugin constructs its store itself (`new Store(settings)`), hence a class made for one database. A counter the
 * database cannot keep is logged and handed to the plugin as an error.
 */
export function createDatabaseRateLimitStore (options: DatabaseRateLimitStoreOptions): FastifyRateLimitStoreCtor {
  const { counters, clock, log } = options
  let prunedAt = -Infinity

  function prune (now: number, timeWindow: number): void {
    if (now - prunedAt < PRUNE_EVERY_MS) return
    prunedAt = now
    // Windows over for a whole prune interval: no instance, even one whose clock is somewhat behind, counts in them.
    counters.deleteStartedBefore(now - timeWindow - PRUNE_EVERY_MS)
      .catch((error: unknown) => { log.error({ err: error }, 'could not delete old rate limit counters') })
  }

  return class DatabaseRateLimitStore implements FastifyRateLimitStore {
    incr (key: string, callback: (error: Error | null, result?: { current: number, ttl: number }) => void, timeWindow: number): void {
      const now = clock()
      counters.hit(key, now, timeWindow).then(({ count, windowStartedAt }) => {
        callback(null, { current: count, ttl: windowStartedAt + timeWindow - now })
        prune(now, timeWindow)
      }, (error: Error) => {
        log.error({ err: error, key }, 'could not count a request against its rate limit')
        callback(error)
      })
    }

    // Keys already name their limit (the caller's keyGenerator), so every route may count in the one table.
    child (): FastifyRateLimitStore { return this }
  }
}

/**
 * The options that make @fastify/rate-limit count in the database when several instances may share it (PostgreSQL).
 * None on SQLite, which serves one instance: the plugin's memory store counts there, with no write per request.
 */
export function sharedRateLimitOptions (fastify: FastifyInstance): Pick<RateLimitPluginOptions, 'store' | 'skipOnError'> {
  if (fastify.database.driver.dialect !== 'postgres') return {}
  return {
    store: createDatabaseRateLimitStore({ counters: fastify.repositories.rateLimits, clock: fastify.clock, log: fastify.log }),
    // A request whose count failed goes on (fail open): a database really down answers it 503 STORAGE_UNAVAILABLE
    // next, in the engine, while refusing it here would turn a counter's trouble into refused executions.
    skipOnError: true
  }
}
