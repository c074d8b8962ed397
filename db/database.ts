import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs'
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
  /** True when the file answers a query, every migration is applied and it can be written. */
  ready (): boolean
  /** Why the database cannot serve (unreachable, migrations pending, not writable); undefined when it can. */
  unavailableReason (): string | undefined
  close (): void
}

export const MIGRATIONS_FOLDER = join(dirname(fileURLToPath(import.meta.url)), 'migrations')

/** Owner-only modes for what the service keeps on disk: it holds key ciphertexts, prompts and answers. */
const PRIVATE_DIRECTORY_MODE = 0o700
const PRIVATE_FILE_MODE = 0o600
/** The files SQLite keeps beside the database in WAL mode. */
const WAL_SUFFIXES = ['-wal', '-shm'] as const

/**
 * Creates a folder (and its parents) readable by the service's user only. A folder that already exists keeps its
 * mode: the operator who made it chose it. The explicit chmod makes the mode independent of the process umask.
 */
export function makePrivateDirectory (directory: string): void {
  if (mkdirSync(directory, { recursive: true, mode: PRIVATE_DIRECTORY_MODE }) !== undefined) chmodSync(directory, PRIVATE_DIRECTORY_MODE)
}

/**
 * Opens the SQLite file (creating its folder), switches to WAL so readers never wait for the writer, and applies
 * pending migrations before anything else can touch it. The files are owner-only (0600); `:memory:` works for tests.
 */
export function openDatabase (file: string, options: { readonly trace?: (statement: string) => void } = {}): DatabaseHandle {
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
  const expected = countMigrations()
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
    db,
    sqlite,
    ready: () => unavailableReason() === undefined,
    unavailableReason,
    close () { if (sqlite.open) sqlite.close() }
  }
}

/** Resolves `DATABASE_URL` to a SQLite file; PostgreSQL URLs are refused until that driver ships. */
export function sqliteFileFromUrl (databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) return databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '')
  throw new Error(`DATABASE_URL: only sqlite:<file> is supported by this build, got "${databaseUrl.replace(/\/\/[^@/]*@/, '//***@')}"`)
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

function countMigrations (): number {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }
  return journal.entries.length
}
