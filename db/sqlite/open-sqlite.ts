import { chmodSync, closeSync, existsSync, openSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import type { DatabaseHandle } from '../database.ts'
import { countMigrations } from '../migration-count.ts'
import { makePrivateDirectory } from '../private-files.ts'
import * as schema from '../schema/sqlite.ts'
import { createSqliteDriver } from './sqlite-driver.ts'

export type AppDatabase = BetterSQLite3Database<typeof schema>

/** The SQLite database: the store's driver, and better-sqlite3's own handle for the tests that fill a disk on purpose. */
export interface SqliteHandle extends DatabaseHandle {
  readonly dialect: 'sqlite'
  readonly sqlite: Database.Database
}

export const MIGRATIONS_FOLDER = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations', 'sqlite')

/** Owner-only, like the folder: the file holds key ciphertexts, prompts and answers. */
const PRIVATE_FILE_MODE = 0o600
/** The files SQLite keeps beside the database in WAL mode. */
const WAL_SUFFIXES = ['-wal', '-shm'] as const

/**
 * Opens the SQLite file (creating its folder), switches to WAL so readers never wait for the writer, and applies
 * pending migrations before anything else can touch it. The files are owner-only (0600); `:memory:` works for tests.
 */
export function openDatabase (file: string, options: { readonly trace?: (statement: string) => void } = {}): SqliteHandle {
  const onDisk = file !== ':memory:'
  if (onDisk) createPrivateFile(file)
  // `trace` sees every statement SQLite runs (tests count an execution's round trips with it).
  const sqlite = new Database(file, options.trace === undefined ? {} : { verbose: (statement: unknown) => options.trace?.(String(statement)) })
  sqlite.pragma('journal_mode = WAL')
  // In WAL mode NORMAL syncs at checkpoints rather than at every commit: a committed transaction survives a crash
  // of the process (which is what exactly-once needs: a claimed callbackId stays claimed), and only a power loss
  // or an OS crash can take back the last commits before the next checkpoint. FULL would fsync every execution.
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  const db = drizzle(sqlite, { schema })
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER })
  // The WAL files exist once WAL mode and the migrations wrote. SQLite gives new ones the database file's mode, but
  // ones left by an earlier start (before this rule, or copied in) keep theirs, so they are tightened here too.
  if (onDisk) for (const suffix of WAL_SUFFIXES) if (existsSync(file + suffix)) chmodSync(file + suffix, PRIVATE_FILE_MODE)
  const expected = countMigrations(MIGRATIONS_FOLDER)
  const countApplied = sqlite.prepare('select count(*) as applied from __drizzle_migrations')
  /** Commits a write that changes nothing: the header's user_version set to itself (one WAL frame). */
  const writeNothing = (): void => { sqlite.pragma(`user_version = ${Number(sqlite.pragma('user_version', { simple: true }))}`) }
  function unavailableReason (): string | undefined {
    try {
      const row = countApplied.get() as { applied: number }
      if (row.applied < expected) return `migrations pending: ${row.applied} of ${expected} applied`
    } catch {
      return 'database unreachable'
    }
    try {
      // A real commit: taking the write lock alone (BEGIN IMMEDIATE) only touches shared memory in WAL mode, so it
      // passed on a file system the kernel had turned read-only under the open database. This fails there, on a
      // read-only connection, on a lock held elsewhere (after busy_timeout), and on a full disk once the WAL must grow.
      writeNothing()
    } catch (error) {
      if (sqlite.inTransaction) sqlite.exec('ROLLBACK')
      return `database not writable (${(error as { code?: string }).code ?? 'unknown error'})`
    }
    return undefined
  }
  return {
    dialect: 'sqlite',
    driver: createSqliteDriver(sqlite, db),
    sqlite,
    unavailableReason: async () => unavailableReason(),
    async close () { if (sqlite.open) sqlite.close() }
  }
}

/**
 * Makes the database file exist with mode 0600 before SQLite opens it, so it is never readable by others, not even
 * for a moment; an existing file is tightened to 0600 as well.
 */
function createPrivateFile (file: string): void {
  makePrivateDirectory(dirname(file))
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE))
  chmodSync(file, PRIVATE_FILE_MODE)
}
