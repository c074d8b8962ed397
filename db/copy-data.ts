import { asc, count, getTableColumns, getTableName, gt, sql } from 'drizzle-orm'
import { DrizzleQueryError } from 'drizzle-orm/errors'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Driver, Executor, Tables, WriteStatement } from './driver.ts'

/**
 * Every table, parents before the tables whose foreign keys point at them (portals first), with the primary key
 * pages are read in order of. `test/cli/copy-data.test.ts` checks that no table of the schema is missing here.
 */
export const COPY_ORDER = [
  { table: 'portals', key: 'portalId' },
  { table: 'connections', key: 'id', identity: true },
  { table: 'assistants', key: 'id' },
  { table: 'portalBudgets', key: 'portalId' },
  { table: 'oauthTokens', key: 'portalId' },
  { table: 'oauthStates', key: 'nonce' },
  { table: 'economyBatches', key: 'id', identity: true },
  { table: 'executions', key: 'id', identity: true },
  { table: 'auditEvents', key: 'id', identity: true },
  { table: 'adminSessions', key: 'idHash' }
] as const satisfies ReadonlyArray<{ table: keyof Tables, key: string, identity?: true }>

/** Tables that describe running instances rather than data (their heartbeats, a minute's rate counters): left behind. */
export const NOT_COPIED = ['instances', 'rateLimitCounters'] as const satisfies ReadonlyArray<keyof Tables>

/** Rows read from the source at a time: a large executions table (prompts and answers included) never sits in memory whole. */
export const PAGE_ROWS = 1_000
/**
 * Bind parameters one insert may use: SQLite's limit (32,766), the lower of the two dialects' (PostgreSQL's is
 * 65,535). An insert's rows times its table's columns must stay under it.
 */
const MAX_PARAMETERS = 32_766

export type CopyEvent =
  /** Another page of `table` is in (`total` is what the source held when its copy began). */
  | { readonly kind: 'page', readonly table: string, readonly copied: number, readonly total: number }
  | { readonly kind: 'table', readonly table: string, readonly rows: number }

export interface CopyResult {
  readonly tables: ReadonlyArray<{ readonly table: string, readonly rows: number }>
  readonly rows: number
}

/** The target already holds rows: copying into it would mix two databases' ids. Nothing was written. */
export class TargetNotEmptyError extends Error {
  constructor (readonly table: string, readonly rows: number) {
    super(`${table} holds ${rows} row${rows === 1 ? '' : 's'}`)
    this.name = 'TargetNotEmptyError'
  }
}

/**
 * What the database said, without drizzle's wrapper around it: that one's message quotes the statement with every
 * bound value, which here would be a thousand rows of ciphertexts and prompts.
 */
export function databaseMessage (error: unknown): string {
  let current = error
  while (current instanceof DrizzleQueryError && current.cause instanceof Error) current = current.cause
  if (current instanceof DrizzleQueryError) return 'a database statement failed'
  return current instanceof Error ? current.message : String(current)
}

/**
 * Copies every row of every table from `source` into `target`, ids and stored ciphertexts as they are, in one
 * transaction on the target: a failure anywhere leaves the target as it was. Both must be migrated to the current
 * schema, and the target empty (else `TargetNotEmptyError`). Either may be SQLite or PostgreSQL.
 *
 * The source is read outside the target's transaction, through its own connection; nothing else uses the target
 * meanwhile, so the SQLite driver's rule that a transaction's body waits on nothing but its executor costs nothing
 * here. The source is not read as one snapshot: the service must be stopped while it copies.
 */
export async function copyData (source: Driver, target: Driver, onEvent: (event: CopyEvent) => void, options: { readonly pageRows?: number } = {}): Promise<CopyResult> {
  const pageRows = options.pageRows ?? PAGE_ROWS
  return await target.transaction(async tx => {
    // Inside the transaction, so the check and the copy see the same target.
    for (const { table } of COPY_ORDER) {
      const rows = await countRows(tx, tx.db, target.tables[table])
      if (rows > 0) throw new TargetNotEmptyError(getTableName(target.tables[table]), rows)
    }
    const copied: Array<{ table: string, rows: number }> = []
    for (const entry of COPY_ORDER) {
      try {
        copied.push(await copyTable(entry))
      } catch (error) {
        throw new Error(`copying ${getTableName(target.tables[entry.table])}: ${databaseMessage(error)}`, { cause: error })
      }
    }
    return { tables: copied, rows: copied.reduce((sum, table) => sum + table.rows, 0) }

    async function copyTable (entry: typeof COPY_ORDER[number]): Promise<{ table: string, rows: number }> {
      // The source's and the target's tables are each their own dialect's at run time, though typed as SQLite's.
      const from = source.tables[entry.table] as SQLiteTable
      const into = target.tables[entry.table] as SQLiteTable
      const name = getTableName(into)
      const fromKey = (from as unknown as Record<string, SQLiteColumn>)[entry.key] as SQLiteColumn
      const chunkRows = Math.max(1, Math.min(pageRows, Math.floor(MAX_PARAMETERS / Object.keys(getTableColumns(into)).length)))
      const total = await countRows(source, source.db, from)
      let rows = 0
      let last: unknown
      for (;;) {
        // Keyset paging: each page starts after the last key read, so a page costs the same deep into a large table.
        const page = await source.all(source.db.select().from(from)
          .where(last === undefined ? undefined : gt(fromKey, last)).orderBy(asc(fromKey)).limit(pageRows)) as Array<Record<string, unknown>>
        if (page.length === 0) break
        for (let start = 0; start < page.length; start += chunkRows) {
          await tx.run(tx.db.insert(into).values(page.slice(start, start + chunkRows) as never))
        }
        rows += page.length
        last = page[page.length - 1]?.[entry.key]
        onEvent({ kind: 'page', table: name, copied: rows, total })
        if (page.length < pageRows) break
      }
      if ('identity' in entry && target.dialect === 'postgres' && rows > 0) await restartIdentity(tx, name)
      onEvent({ kind: 'table', table: name, rows })
      return { table: name, rows }
    }
  })
}

async function countRows (executor: Pick<Executor, 'first'>, db: Executor['db'], table: SQLiteTable): Promise<number> {
  return (await executor.first(db.select({ rows: count() }).from(table)))?.rows ?? 0
}

/**
 * Rows inserted with their ids leave a PostgreSQL identity's sequence where it was, so the service's first new row
 * would be given id 1 again and collide: the sequence moves past the largest id. (SQLite's AUTOINCREMENT follows
 * inserted ids by itself.)
 */
async function restartIdentity (tx: Executor, table: string): Promise<void> {
  const db = tx.db as unknown as NodePgDatabase
  await tx.run(db.execute(sql`select setval(pg_get_serial_sequence(${table}, 'id'), max(id)) from ${sql.identifier(table)}`) as unknown as WriteStatement)
}
