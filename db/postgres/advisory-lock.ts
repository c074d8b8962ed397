import type pg from 'pg'
import type { Driver } from '../driver.ts'

/**
 * `Driver.withLock` on PostgreSQL: a session-level advisory lock named by a 64-bit hash of `name`, taken on a pooled
 * connection of its own and held while `body` runs (its statements use other connections of the pool, so the pool
 * must have two). The connection goes back to the pool only once the lock is released on it; when that cannot be
 * made sure it is closed instead, which releases the lock with the session.
 */
export function createAdvisoryLock (pool: pg.Pool): Driver['withLock'] {
  return async function withLock<T> (name: string, body: () => Promise<T>): Promise<T> {
    const client = await pool.connect()
    let released = false
    try {
      await client.query('select pg_advisory_lock(hashtextextended($1, 0))', [name])
      try {
        return await body()
      } finally {
        released = await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [name]).then(() => true, () => false)
      }
    } finally {
      client.release(!released)
    }
  }
}
