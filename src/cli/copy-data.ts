import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { copyData, databaseMessage, TargetNotEmptyError } from '../../db/copy-data.ts'
import { connectDatabase, isPostgresUrl, redactedUrl, sqliteFileFromUrl, type DatabaseHandle } from '../../db/database.ts'
import { EnvSchema } from '../../plugins/config/env-schema.ts'
import type { CliIo } from './print-definitions.ts'

export const COPY_DATA_USAGE = `Usage: llm-actions copy-data --to <DATABASE_URL> [--from <DATABASE_URL>]

Copies every table from one database into another, e.g. the SQLite file into PostgreSQL: ids kept, stored keys and
tokens still encrypted under the same ENCRYPTION_KEYS. Stop the service first. Both databases are migrated to the
current schema. A target that already holds data is refused and left as it was.

  --to URL     the database to fill: postgres://user:password@host:5432/name, postgresql://… or sqlite:<file>
  --from URL   the database to copy (default: the configured DATABASE_URL, else sqlite:<DATA_DIR>/app.db)
`

/** A progress line on stderr each time a table's copy passes another multiple of this many rows. */
const PROGRESS_EVERY = 10_000

export async function run (argv: string[], io: CliIo): Promise<number> {
  let values
  try {
    ({ values } = parseArgs({ args: argv, options: { to: { type: 'string' }, from: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }))
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n\n${COPY_DATA_USAGE}`)
    return 2
  }
  if (values.help === true) {
    io.stdout(COPY_DATA_USAGE)
    return 0
  }
  if (values.to === undefined) {
    io.stderr(`error: --to is required\n\n${COPY_DATA_USAGE}`)
    return 2
  }
  const to = values.to
  let from: string
  try {
    from = values.from ?? configuredDatabaseUrl(io.env)
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n`)
    return 2
  }
  for (const [option, url] of [['--to', to], ['--from', from]] as const) {
    if (!isPostgresUrl(url) && !url.startsWith('sqlite:')) {
      io.stderr(`error: ${option} must be sqlite:<file>, postgres://… or postgresql://…, got "${redactedUrl(url)}"\n\n${COPY_DATA_USAGE}`)
      return 2
    }
  }
  if (sameDatabase(from, to)) {
    io.stderr(`error: --to and --from both name ${redactedUrl(to)}\n`)
    return 2
  }
  // Opening a missing SQLite file would create it: an empty source copied "successfully" hides a wrong DATA_DIR.
  if (!isPostgresUrl(from) && sqliteFileFromUrl(from) !== ':memory:' && !existsSync(sqliteFileFromUrl(from))) {
    io.stderr(`error: the source database ${redactedUrl(from)} does not exist (set DATABASE_URL or DATA_DIR, or pass --from)\n`)
    return 2
  }

  // Passwords never reach the output, even inside a driver's message.
  const scrub = (message: string) => message.split(to).join(redactedUrl(to)).split(from).join(redactedUrl(from))
  const handles: DatabaseHandle[] = []
  try {
    const open = async (url: string, role: string) => {
      try {
        const handle = await connectDatabase(url, { poolSize: 2 })
        handles.push(handle)
        return handle
      } catch (error) {
        throw new Error(`cannot open the ${role} ${redactedUrl(url)}: ${databaseMessage(error)}`)
      }
    }
    const source = await open(from, 'source')
    const target = await open(to, 'target')
    io.stdout(`copy-data: ${redactedUrl(from)} → ${redactedUrl(to)}\n`)
    let reported = 0
    const result = await copyData(source.driver, target.driver, event => {
      if (event.kind === 'table') {
        reported = 0
        io.stdout(`${event.table}: ${event.rows} row${event.rows === 1 ? '' : 's'}\n`)
      } else if (event.copied < event.total && Math.floor(event.copied / PROGRESS_EVERY) > Math.floor(reported / PROGRESS_EVERY)) {
        reported = event.copied
        io.stderr(`${event.table}: ${event.copied} of ${event.total} rows…\n`)
      }
    })
    io.stdout(`copied ${result.tables.length} tables, ${result.rows} rows\n`)
    return 0
  } catch (error) {
    if (error instanceof TargetNotEmptyError) {
      io.stderr(`error: the target ${redactedUrl(to)} already holds data (${error.table}: ${error.rows} row${error.rows === 1 ? '' : 's'}); copy-data only fills an empty database; nothing was copied\n`)
    } else {
      io.stderr(`error: ${scrub(databaseMessage(error))}; nothing was copied\n`)
    }
    return 1
  } finally {
    await Promise.allSettled(handles.map(handle => handle.close()))
  }
}

/**
 * The database the server would open, resolved as `resolveSettings` does. Only DATA_DIR and DATABASE_URL are read,
 * with the server's own schema and defaults: the full settings would demand ENCRYPTION_KEY and ADMIN_TOKEN on
 * PostgreSQL, or write a fresh secrets.json into DATA_DIR on SQLite, and copying needs neither (ciphertexts are
 * copied as they are).
 */
function configuredDatabaseUrl (env: Readonly<Record<string, string | undefined>>): string {
  const schema = Type.Pick(EnvSchema, ['DATA_DIR', 'DATABASE_URL'])
  const given = Object.fromEntries(Object.entries({ DATA_DIR: env.DATA_DIR, DATABASE_URL: env.DATABASE_URL }).filter(([, value]) => value !== undefined))
  const settings = Value.Default(schema, given)
  const problem = Value.Errors(schema, settings).First()
  if (problem !== undefined) throw new Error(`${problem.path.replace(/^\//, '')} ${problem.message.toLowerCase()}`)
  const { DATA_DIR: dataDir, DATABASE_URL: databaseUrl } = settings as { DATA_DIR: string, DATABASE_URL?: string }
  return databaseUrl ?? `sqlite:${join(resolve(dataDir), 'app.db')}`
}

/** Whether two URLs name one database: the same SQLite file however written, or the same PostgreSQL server and database. */
function sameDatabase (first: string, second: string): boolean {
  const identity = (url: string): string => {
    if (!isPostgresUrl(url)) {
      const file = sqliteFileFromUrl(url)
      return file === ':memory:' ? url : `sqlite:${resolve(file)}`
    }
    try {
      const parsed = new URL(url)
      return `postgres://${parsed.hostname.toLowerCase()}:${parsed.port === '' ? '5432' : parsed.port}${decodeURIComponent(parsed.pathname)}`
    } catch {
      return url
    }
  }
  return identity(first) === identity(second)
}
