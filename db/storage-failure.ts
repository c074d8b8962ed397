/**
 * SQLite's primary result codes for a database that cannot take a write just now: the disk is full, the file or file
 * system is read-only, the disk failed, the file cannot be opened, or another process holds the lock past
 * busy_timeout. Extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED, ...) start with these.
 */
const STORAGE_FAILURES = ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_BUSY', 'SQLITE_LOCKED'] as const

/**
 * Whether `error` (or what it wraps: drizzle throws its DrizzleQueryError around the driver's SqliteError) is the
 * storage failing rather than a bug, so the client is told to try again later instead of "something went wrong".
 */
export function isStorageFailure (error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && STORAGE_FAILURES.some(primary => code === primary || code.startsWith(`${primary}_`))) return true
  }
  return false
}
