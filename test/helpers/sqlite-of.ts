import type Database from 'better-sqlite3'
import type { DatabaseHandle } from '../../db/database.ts'
import type { SqliteHandle } from '../../db/sqlite/open-sqlite.ts'

/**
 * better-sqlite3's own handle under a test service, for the tests that must reach SQLite itself (pragmas that make
 * it read-only or fill it, its file's contents): fails at once when the service runs on another database.
 */
export function sqliteOf (database: DatabaseHandle): Database.Database {
  if (database.dialect !== 'sqlite') throw new Error(`this test reaches into SQLite, but the service runs on ${database.dialect}`)
  return (database as SqliteHandle).sqlite
}
