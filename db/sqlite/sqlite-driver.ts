import { sql } from 'drizzle-orm'
import type Database from 'better-sqlite3'
import { createChangeFeed } from '../change-feed.ts'
import type { Driver, Executor, QueryBuilder, Tables } from '../driver.ts'
import * as schema from '../schema/sqlite.ts'
import { createProcessLock } from './process-lock.ts'

/**
 * The store's driver over better-sqlite3, which runs every statement synchronously on one connection. A transaction
 * is `BEGIN IMMEDIATE` … `COMMIT` around an asynchronous body, so while one is open every other statement waits
 * for it to end: otherwise a statement of another request, run between two of the body's, would join the
 * transaction and be rolled back with it. With no transaction open a statement runs at once.
 */
export function createSqliteDriver (sqlite: Database.Database, db: QueryBuilder): Driver {
  let open: Promise<unknown> | undefined
  const feed = createChangeFeed()

  const direct: Executor = {
    db,
    async all (statement) { return statement.all() },
    async first (statement) { return statement.all()[0] },
    async run (statement) { return changesOf(statement.run()) }
  }

  /** Runs `work` once no transaction is open, in the same turn as the check, so none can begin in between. */
  async function whenIdle<T> (work: () => T | Promise<T>): Promise<T> {
    while (open !== undefined) await open.catch(() => undefined)
    return work()
  }

  return {
    dialect: 'sqlite',
    tables: schema as Tables,
    db,
    sql: {
      utcDay: milliseconds => sql<string>`strftime('%Y-%m-%d', ${milliseconds} / 1000, 'unixepoch')`,
      joinedWithCommas: value => sql<string | null>`group_concat(${value})`,
      larger: (first, second) => sql`max(${first}, ${second})`,
      typedPlaceholder: name => sql`${sql.placeholder(name)}`,
      skipLocked: sql``,
      pickedBy: (column, subquery) => sql`${column} in ${subquery}`
    },
    all: statement => whenIdle(() => statement.all()),
    first: statement => whenIdle(() => statement.all()[0]),
    run: statement => whenIdle(() => changesOf(statement.run())),

    transaction: body => feed.transaction(enlist => whenIdle(() => {
      sqlite.exec('BEGIN IMMEDIATE')
      const running = (async () => {
        try {
          const result = await body(enlist({ ...direct }))
          sqlite.exec('COMMIT')
          return result
        } catch (error) {
          if (sqlite.inTransaction) sqlite.exec('ROLLBACK')
          throw error
        } finally {
          open = undefined
        }
      })()
      // Set before the body's first wait ends, so every statement from elsewhere queues behind it.
      open = running
      return running
    })),

    prepare (_name, statement) {
      const prepared = statement.prepare()
      return parameters => whenIdle(() => prepared.all(parameters))
    },

    withLock: createProcessLock(),

    async publishChange (executor, change) { feed.published(executor, change) },
    onChange: feed.subscribe
  }
}

function changesOf (result: unknown): number {
  return (result as { changes?: number }).changes ?? 0
}
