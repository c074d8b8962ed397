import { lt, sql } from 'drizzle-orm'
import type { Driver } from '../driver.ts'

/** A key's fixed window after a hit: the hits counted in it (this one included) and when it began. */
export interface RateLimitHit {
  readonly count: number
  readonly windowStartedAt: number
}

/**
 * Counters of limits that every instance on the database shares (`RATE_LIMIT_PER_PORTAL`): one row per key, counting
 * the hits of its current fixed window. A hit is one upsert that restarts an expired window or adds one, so hits from
 * several instances at once are each counted once, on SQLite 3.35+ and PostgreSQL alike.
 */
export function createRateLimitsRepository (driver: Driver) {
  const { db, tables: { rateLimitCounters: counters } } = driver
  const placeholder = sql.placeholder
  const expired = sql`${counters.windowStartedAt} <= ${placeholder('expiredAtOrBefore')}`
  const hitStatement = driver.prepare('rate_limit_hit', db.insert(counters)
    .values({ key: placeholder('key'), windowStartedAt: placeholder('now'), count: 1 })
    .onConflictDoUpdate({
      target: counters.key,
      set: {
        count: sql`case when ${expired} then 1 else ${counters.count} + 1 end`,
        windowStartedAt: sql`case when ${expired} then ${placeholder('now')} else ${counters.windowStartedAt} end`
      }
    })
    .returning({ count: counters.count, windowStartedAt: counters.windowStartedAt }))

  return {
    /** Counts a hit of `key` at `now` in windows of `windowMs`. */
    async hit (key: string, now: number, windowMs: number): Promise<RateLimitHit> {
      const [row] = await hitStatement({ key, now, expiredAtOrBefore: now - windowMs })
      if (row === undefined) throw new Error(`the rate limit counter ${key} answered no row`)
      return row
    },

    /** Deletes the counters whose window began before `before`; answers how many. */
    async deleteStartedBefore (before: number): Promise<number> {
      return await driver.run(db.delete(counters).where(lt(counters.windowStartedAt, before)))
    }
  }
}

export type RateLimitsRepository = ReturnType<typeof createRateLimitsRepository>
