import type { SQL } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import type { Change, ChangeListener } from './change-feed.ts'
import type * as schema from './schema/sqlite.ts'

/**
 * The one seam between the repositories and a database. Repositories are written once: they build statements with
 * drizzle's query builder on `db`, over the tables in `tables`, and run them only through an executor's `all`,
 * `first` and `run` (never the builder's own `.all()`/`.run()` or `await`), so each dialect decides how a statement
 * runs. Both are typed as SQLite's: the PostgreSQL schema is proven to give the same row shapes (`schema/same-rows.ts`),
 * and the builder's methods the repositories use are the same in both dialects.
 */
export type QueryBuilder = BetterSQLite3Database<typeof schema>
export type Tables = typeof schema

/** A select, or a write with RETURNING. */
export interface RowsStatement<T> { all (): T[] }
/** A write without RETURNING. */
export interface WriteStatement { run (): unknown }
/** A statement with placeholders, prepared once for the life of the process. */
export interface PreparableStatement<T> { prepare (): { all (parameters?: Record<string, unknown>): T[] } }

export interface Executor {
  /** The query builder on this executor's connection (inside a transaction, the transaction's). */
  readonly db: QueryBuilder
  all<T> (statement: RowsStatement<T>): Promise<T[]>
  /**
   * The first row. A write's rows are all read even so: on SQLite a write outside a transaction commits when its
   * statement is stepped to the end, and only reading to the end reports a commit that failed (a full disk).
   */
  first<T> (statement: RowsStatement<T>): Promise<T | undefined>
  /** Runs a write and answers how many rows it changed. */
  run (statement: WriteStatement): Promise<number>
}

/** The few pieces of SQL that are spelled differently in the two dialects. */
export interface DialectSql {
  /** `YYYY-MM-DD` of a unix-milliseconds column, in UTC. */
  utcDay (milliseconds: SQL | unknown): SQL<string>
  /** The values of a group joined with commas. */
  joinedWithCommas (value: SQL): SQL<string | null>
  /** The larger of two values (SQLite's two-argument max). */
  larger (first: unknown, second: unknown): SQL
  /** A placeholder whose type the database cannot infer from where it stands (`$1 is null`). */
  typedPlaceholder (name: string, type: 'integer' | 'real'): SQL
  /**
   * Ends a subquery that picks work to claim: PostgreSQL's `for update skip locked`, so instances claiming at once
   * each get different rows without waiting on each other; nothing on SQLite, whose writes run one at a time.
   */
  readonly skipLocked: SQL
  /**
   * `column` is one of the ids `subquery` picks, the subquery run once: PostgreSQL may otherwise run a
   * `limit … skip locked` subquery again for each row it updates, each time skipping the rows already taken, and so
   * take every row rather than `limit` of them (`= any(array(…))` is evaluated once).
   */
  pickedBy (column: unknown, subquery: SQL): SQL
}

export interface Driver extends Executor {
  readonly dialect: 'sqlite' | 'postgres'
  readonly tables: Tables
  readonly sql: DialectSql
  /**
   * Runs `body` as one transaction: all of it commits, or none of it. The body may only run statements through
   * its executor (no other waits): on SQLite nothing else reaches the one connection until it ends.
   */
  transaction<T> (body: (tx: Executor) => Promise<T>): Promise<T>
  /** Prepares a statement once; `name` identifies it to PostgreSQL and must be unique in the process. */
  prepare<T> (name: string, statement: PreparableStatement<T>): (parameters: Record<string, unknown>) => Promise<T[]>
  /**
   * Runs `body` holding the lock `name`, which one caller at a time holds among every instance on this database:
   * others wait for it. On PostgreSQL an advisory lock; SQLite serves one instance, so a lock in this process. The
   * body's statements run on this driver as usual.
   */
  withLock<T> (name: string, body: () => Promise<T>): Promise<T>
  /**
   * Announces a change to every instance on this database, this one included. Published on a transaction's executor
   * it reaches them only if and once that transaction commits. On PostgreSQL it is a NOTIFY; SQLite serves one
   * instance, so it only tells this process.
   */
  publishChange (executor: Executor, change: Change): Promise<void>
  /**
   * Subscribes to the changes of every instance, and answers the unsubscribe. A notice may come twice; `all` comes
   * when changes may have been missed (the feed's connection lost, and again once it is back).
   */
  onChange (listener: ChangeListener): () => void
}
