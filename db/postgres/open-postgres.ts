import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import { createChangeFeed } from '../change-feed.ts'
import type { DatabaseHandle } from '../database.ts'
import { countMigrations } from '../migration-count.ts'
import * as schema from '../schema/postgres.ts'
import { startChangeListener } from './change-listener.ts'
import { createPostgresDriver } from './postgres-driver.ts'

export const POSTGRES_MIGRATIONS_FOLDER = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations', 'postgres')

/** Any constant shared by every instance: instances starting together migrate one at a time. */
const MIGRATION_LOCK = 7_152_014_018
/** How long a query waits for a pooled connection before it fails (and the request answers 503). */
const CONNECT_TIMEOUT_MS = 5_000

export interface PostgresHandle extends DatabaseHandle {
  readonly dialect: 'postgres'
  readonly pool: pg.Pool
}

/**
 * Opens a pool of `poolSize` connections and applies pending migrations under an advisory lock. The pool replaces
 * connections that break (a restarted server, a dropped network) on their next use, so the service recovers by
 * itself once the database is back; in between, queries fail with errors `isStorageFailure` recognises. One more
 * connection, outside the pool, listens to the other instances' changes (`change-listener.ts`).
 */
export async function openPostgres (url: string, options: { readonly poolSize: number, readonly trace?: (statement: string) => void }): Promise<PostgresHandle> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'hubspot-llm-actions' })
  let closing: Promise<void> | undefined
  // An idle connection the server closed emits here; without a listener that error would end the process.
  pool.on('error', () => undefined)
  try {
    const client = await pool.connect()
    try {
      await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK])
      try {
        await migrate(drizzle(client), { migrationsFolder: POSTGRES_MIGRATIONS_FOLDER })
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK])
      }
    } finally {
      client.release()
    }
  } catch (error) {
    await pool.end().catch(() => undefined)
    throw error
  }
  const expected = countMigrations(POSTGRES_MIGRATIONS_FOLDER)
  const feed = createChangeFeed()
  const listener = await startChangeListener(url, feed.emit)
  return {
    dialect: 'postgres',
    driver: createPostgresDriver(drizzle(pool, { schema, ...(options.trace === undefined ? {} : { logger: { logQuery: options.trace } }) }), feed),
    pool,
    async unavailableReason () {
      try {
        const { rows } = await pool.query<{ applied: number, read_only: boolean }>(
          "select (select count(*) from drizzle.__drizzle_migrations)::int as applied, (pg_is_in_recovery() or current_setting('transaction_read_only') = 'on') as read_only")
        const row = rows[0]
        if (row === undefined || row.applied < expected) return `migrations pending: ${row?.applied ?? 0} of ${expected} applied`
        if (row.read_only) return 'database not writable (read-only server)'
        return undefined
      } catch (error) {
        return `database unreachable (${(error as { code?: string }).code ?? (error as Error).message})`
      }
    },
    // Closing twice (a test's teardown after the app's own onClose) waits for the same end.
    close () { closing ??= Promise.all([listener.close(), pool.end()]).then(() => undefined); return closing }
  }
}
