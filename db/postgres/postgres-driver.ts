import { sql } from 'drizzle-orm'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import type pg from 'pg'
import type { ChangeFeed } from '../change-feed.ts'
import type { Driver, Executor, QueryBuilder, Tables } from '../driver.ts'
import * as schema from '../schema/postgres.ts'
import { createAdvisoryLock } from './advisory-lock.ts'
import { CHANGE_CHANNEL } from './change-listener.ts'

/** drizzle over the pool, which it exposes as `$client`. */
type PostgresDatabase = NodePgDatabase<typeof schema> & { readonly $client: pg.Pool }
/** What drizzle's PostgreSQL builders are at run time: a statement that runs when awaited. */
type Awaitable = PromiseLike<unknown>

/**
 * The store's driver over `pg`'s pool. A statement runs when awaited (drizzle's PostgreSQL builders are promises);
 * a transaction holds one pooled connection for its body. The builder and tables are handed to the repositories
 * under SQLite's types (see `driver.ts`): at run time they are PostgreSQL's. A change is published with NOTIFY, which
 * PostgreSQL delivers at commit; `feed` tells this process's listeners, and gets what the listener connection hears.
 */
export function createPostgresDriver (db: PostgresDatabase, feed: ChangeFeed): Driver {
  const executorOver = (database: PostgresDatabase | Parameters<Parameters<PostgresDatabase['transaction']>[0]>[0]): Executor => ({
    db: database as unknown as QueryBuilder,
    all: async statement => await (statement as unknown as Awaitable) as never,
    first: async statement => (await (statement as unknown as Awaitable) as unknown[])[0] as never,
    run: async statement => (await (statement as unknown as Awaitable) as { rowCount?: number | null }).rowCount ?? 0
  })
  const pooled = executorOver(db)

  return {
    ...pooled,
    dialect: 'postgres',
    tables: schema as unknown as Tables,
    sql: {
      utcDay: milliseconds => sql<string>`to_char(to_timestamp(${milliseconds} / 1000.0) at time zone 'UTC', 'YYYY-MM-DD')`,
      joinedWithCommas: value => sql<string | null>`string_agg(${value}, ',')`,
      larger: (first, second) => sql`greatest(${first}, ${second})`,
      typedPlaceholder: (name, type) => sql`cast(${sql.placeholder(name)} as ${sql.raw(type === 'integer' ? 'bigint' : 'double precision')})`,
      skipLocked: sql`for update skip locked`,
      pickedBy: (column, subquery) => sql`${column} = any(array${subquery})`
    },
    transaction: body => feed.transaction(enlist => db.transaction(tx => body(enlist(executorOver(tx))))),
    prepare (name, statement) {
      const prepared = (statement as unknown as { prepare (name: string): { execute (parameters: Record<string, unknown>): Promise<unknown[]> } }).prepare(name)
      return async parameters => await prepared.execute(parameters) as never
    },
    withLock: createAdvisoryLock(db.$client),
    async publishChange (executor, change) {
      await (executor.db as unknown as PostgresDatabase).execute(sql`select pg_notify(${CHANGE_CHANNEL}, ${JSON.stringify(change)})`)
      feed.published(executor, change)
    },
    onChange: feed.subscribe
  }
}
