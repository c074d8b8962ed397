/**
 * SQLite's primary result codes for a database that cannot take a write just now: the disk is full, the file or file
 * system is read-only, the disk failed, the file cannot be opened, or another process holds the lock past
 * busy_timeout. Extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED, ...) start with these.
 */
const SQLITE_FAILURES = ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_BUSY', 'SQLITE_LOCKED'] as const

/**
 * PostgreSQL's SQLSTATE classes and codes for a server that cannot serve just now: connection exceptions (08),
 * insufficient resources (53: disk full, too many connections), operator intervention (57P01-57P05: shut down,
 * restarting, not yet accepting connections), a read-only server (25006), a database that is not there (3D000:
 * dropped, renamed or not yet restored), and system errors (58).
 */
const POSTGRES_CLASSES = ['08', '53', '58'] as const
const POSTGRES_CODES = ['57P01', '57P02', '57P03', '57P04', '57P05', '25006', '3D000'] as const

/** The socket-level errors of a database server that is gone or unreachable. */
const NETWORK_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'] as const

/**
 * What `pg` throws without a code when the connection broke or none could be had in time. Plain substrings, matched
 * with `includes`: no pattern runs over the message.
 */
const POSTGRES_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end on the pool'
] as const

function isFailureCode (code: string): boolean {
  return SQLITE_FAILURES.some(primary => code === primary || code.startsWith(`${primary}_`)) ||
    (code.length === 5 && (POSTGRES_CLASSES.some(prefix => code.startsWith(prefix)) || (POSTGRES_CODES as readonly string[]).includes(code))) ||
    (NETWORK_CODES as readonly string[]).includes(code)
}

/**
 * Whether `error` (or what it wraps: drizzle throws its DrizzleQueryError around the driver's error) is the storage
 * failing rather than a bug, so the client is told to try again later instead of "something went wrong".
 */
export function isStorageFailure (error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && isFailureCode(code)) return true
    if (POSTGRES_MESSAGES.some(message => current instanceof Error && current.message.includes(message))) return true
    // Several causes at once (a pool that tried IPv4 and IPv6): any one of them being a storage failure is enough.
    if (current instanceof AggregateError && current.errors.some(inner => isStorageFailure(inner))) return true
  }
  return false
}
