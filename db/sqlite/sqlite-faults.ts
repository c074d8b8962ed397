import type { DatabaseHandle } from '../database.ts'
import type { SqliteHandle } from './open-sqlite.ts'

/**
 * Faults a test causes in a real SQLite database, and the little it must read of SQLite itself, so that
 * better-sqlite3's own handle never leaves db/. Everything else a test needs goes through the store like the
 * service's own code. Each refuses a database that is not SQLite, so a test that needs one says so at once.
 */

function sqliteOf (database: DatabaseHandle): SqliteHandle['sqlite'] {
  if (database.dialect !== 'sqlite') throw new Error(`this test reaches into SQLite, but the service runs on ${database.dialect}`)
  return (database as SqliteHandle).sqlite
}

/** Every write fails with SQLITE_READONLY from now on (`on`), or succeeds again (`off`), as a read-only volume does. */
export function refuseWrites (database: DatabaseHandle, refuse: boolean): void {
  sqliteOf(database).pragma(`query_only = ${refuse ? 'ON' : 'OFF'}`)
}

/** The file may not grow past its current size: any write needing a new page fails with SQLITE_FULL, as on a full disk. */
export function fillDisk (database: DatabaseHandle): void {
  const sqlite = sqliteOf(database)
  sqlite.pragma(`max_page_count = ${String(sqlite.pragma('page_count', { simple: true }))}`)
}

/** Room again after fillDisk. */
export function freeDisk (database: DatabaseHandle): void {
  sqliteOf(database).pragma('max_page_count = 1073741823')
}

/** Moves the write-ahead log into the database file, so the file alone holds everything written. */
export function checkpoint (database: DatabaseHandle): void {
  sqliteOf(database).pragma('wal_checkpoint(TRUNCATE)')
}

/** Whether a transaction is left open on the one connection. */
export function inTransaction (database: DatabaseHandle): boolean {
  return sqliteOf(database).inTransaction
}

/** The columns of an index, in order. */
export function indexColumns (database: DatabaseHandle, index: string): string[] {
  return (sqliteOf(database).prepare('select name from pragma_index_info(?) order by seqno').all(index) as Array<{ name: string }>).map(row => row.name)
}

/** Runs one statement with foreign keys off: rows the schema would refuse, as a damaged or hand-edited file holds. */
export function writeUnchecked (database: DatabaseHandle, statement: string): void {
  const sqlite = sqliteOf(database)
  sqlite.pragma('foreign_keys = OFF')
  try {
    sqlite.prepare(statement).run()
  } finally {
    sqlite.pragma('foreign_keys = ON')
  }
}

/**
 * Every insert into `table` fails from now on (a trigger that aborts it), as a constraint the service does not
 * expect would: for showing that a change and the row it writes with it commit together or not at all.
 */
export function refuseInserts (database: DatabaseHandle, table: string): void {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`)
  sqliteOf(database).exec(`create trigger refuse_inserts_${table} before insert on ${table} begin select raise(abort, 'inserts into ${table} are refused by a test'); end`)
}
