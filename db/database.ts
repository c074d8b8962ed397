import type { Driver } from './driver.ts'
import { openDatabase } from './sqlite/open-sqlite.ts'

/** An open database: the store's driver, and what `/ready` asks of it. */
export interface DatabaseHandle {
  readonly dialect: 'sqlite' | 'postgres'
  readonly driver: Driver
  /** Why the database cannot serve (unreachable, migrations pending, not writable); undefined when it can. */
  unavailableReason (): Promise<string | undefined>
  close (): Promise<void>
}

export interface ConnectOptions {
  /** Sees every statement the store sends, each one a round trip (a test seam: never set in production). */
  readonly trace?: (statement: string) => void
  /** PostgreSQL only: connections in this instance's pool. */
  readonly poolSize?: number
}

/** Whether `DATABASE_URL` names PostgreSQL (`postgres://` or `postgresql://`) rather than a SQLite file. */
export function isPostgresUrl (databaseUrl: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(databaseUrl)
}

/** The URL without its password, for messages and logs. */
export function redactedUrl (databaseUrl: string): string {
  return databaseUrl.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):[^@/]*@/i, '$1:***@')
}

/** Resolves a `sqlite:` URL to its file (`sqlite:./data/app.db`, `sqlite:///abs/app.db`, `sqlite::memory:`). */
export function sqliteFileFromUrl (databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) return databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '')
  throw new Error(`DATABASE_URL must be sqlite:<file>, postgres://… or postgresql://…, got "${redactedUrl(databaseUrl)}"`)
}

/**
 * Opens the database `DATABASE_URL` names and applies its pending migrations: the embedded SQLite file, or a
 * PostgreSQL pool (which waits for the database to answer, so a boot against an unreachable one fails).
 */
export async function connectDatabase (databaseUrl: string, options: ConnectOptions = {}): Promise<DatabaseHandle> {
  if (isPostgresUrl(databaseUrl)) {
    // Loaded only when used: pg and drizzle's PostgreSQL dialect would otherwise lengthen every SQLite start.
    const { openPostgres } = await import('./postgres/open-postgres.ts')
    return await openPostgres(databaseUrl, { poolSize: options.poolSize ?? 10, ...(options.trace === undefined ? {} : { trace: options.trace }) })
  }
  return openDatabase(sqliteFileFromUrl(databaseUrl), options.trace === undefined ? {} : { trace: options.trace })
}

export { openDatabase }
