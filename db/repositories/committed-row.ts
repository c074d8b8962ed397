/**
 * The first row of a write's RETURNING, read with `all()` so that a write outside `db.transaction()` throws when its
 * commit fails. better-sqlite3's `get()` steps the statement once and resets it; outside a transaction SQLite
 * commits at that reset, and `get()` drops the reset's error (https://sqlite.org/c3ref/reset.html). On a full disk
 * the commit's SQLITE_FULL was lost that way: the caller held the row of a write SQLite had rolled back (an
 * execution claimed, finished and answered, with nothing in the database). `all()` steps to the end, where the
 * commit happens and fails loudly. Inside `db.transaction()` the COMMIT is a statement of its own, so `get()` is safe.
 */
export function committedRow<T> (rows: readonly T[]): T | undefined {
  return rows[0]
}
