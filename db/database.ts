import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import * as schema from './schema.ts'

export type AppDatabase = BetterSQLite3Database<typeof schema>

export interface DatabaseHandle {
  readonly db: AppDatabase
  /** The driver's own handle, for pragmas (tests use it to fill the disk on purpose). */
  readonly sqlite: Database.Database
  /** True when the file answers a query and every migration is applied. */
  ready (): boolean
  close (): void
}

export const MIGRATIONS_FOLDER = join(dirname(fileURLToPath(import.meta.url)), 'migrations')

/**
 * Opens the SQLite file (creating its folder), switches to WAL so readers never wait for the writer, and applies
 * pending migrations before anything else can touch it. `:memory:` works for tests.
 */
export function openDatabase (file: string): DatabaseHandle {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const sqlite = new Database(file)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  const db = drizzle(sqlite, { schema })
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER })
  const expected = countMigrations()
  return {
    db,
    sqlite,
    ready () {
      try {
        const row = sqlite.prepare('select count(*) as applied from __drizzle_migrations').get() as { applied: number }
        return row.applied >= expected
      } catch {
        return false
      }
    },
    close () { if (sqlite.open) sqlite.close() }
  }
}

/** Resolves `DATABASE_URL` to a SQLite file; PostgreSQL URLs are refused until that driver ships. */
export function sqliteFileFromUrl (databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) return databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '')
  throw new Error(`DATABASE_URL: only sqlite:<file> is supported by this build, got "${databaseUrl.replace(/\/\/[^@/]*@/, '//***@')}"`)
}

function countMigrations (): number {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }
  return journal.entries.length
}
