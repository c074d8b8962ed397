import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { asc, getTableName } from 'drizzle-orm'
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'
import t, { type Test } from 'tap'
import { COPY_ORDER, NOT_COPIED } from '../../db/copy-data.ts'
import { connectDatabase, openDatabase, type DatabaseHandle } from '../../db/database.ts'
import type { Driver } from '../../db/driver.ts'
import { createRepositories } from '../../db/repositories/index.ts'
import * as sqliteSchema from '../../db/schema/sqlite.ts'
import { writeUnchecked } from '../../db/sqlite/sqlite-faults.ts'
import { connectionKeyContext, oauthTokenContext } from '../../db/secret-contexts.ts'
import { createKeyring } from '../../plugins/keyring/keyring.ts'
import { monthOf } from '../../src/actions/budgets/month-of.ts'
import { main } from '../../src/cli/index.ts'
import { sharedCluster } from '../helpers/postgres-cluster.ts'

const keyring = createKeyring([{ id: 'default', key: Buffer.alloc(32, 7) }])
const OPENAI_KEY = 'sk-test-openai-0123456789abcdef'
const T0 = 1_760_000_000_000
/** The instance the executions are written under: its lease is data like any other column, and is copied. */
const LEASE = { owner: 'instance-a', until: T0 + 30_000 }

function io (env: Record<string, string | undefined> = {}) {
  const out: string[] = []
  const errors: string[] = []
  return { out, errors, io: { env, stdout: (text: string) => { out.push(text) }, stderr: (text: string) => { errors.push(text) }, fetch: globalThis.fetch } }
}

async function open (t: Test, url: string): Promise<DatabaseHandle> {
  const handle = await connectDatabase(url, { poolSize: 2 })
  t.teardown(() => handle.close())
  return handle
}

/** Every row of every table, in primary key order, keyed by SQL table name. */
async function readAll (driver: Driver): Promise<Record<string, Array<Record<string, unknown>>>> {
  const tables: Record<string, Array<Record<string, unknown>>> = {}
  for (const { table: key, key: column } of COPY_ORDER) {
    const table = driver.tables[key] as SQLiteTable
    const order = (table as unknown as Record<string, SQLiteColumn>)[column] as SQLiteColumn
    tables[getTableName(table)] = await driver.all(driver.db.select().from(table).orderBy(asc(order))) as Array<Record<string, unknown>>
  }
  return tables
}

const counts = (tables: Record<string, unknown[]>) => Object.fromEntries(Object.entries(tables).map(([name, rows]) => [name, rows.length]))

/** A data dir whose SQLite database holds a row in every table, written the way the service writes them. */
async function populate (dataDir: string): Promise<void> {
  const handle = await connectDatabase(`sqlite:${join(dataDir, 'app.db')}`)
  try {
    // Written by a named instance, as the service writes them: the audit events carry its name.
    const repositories = createRepositories(handle.driver, { instanceId: LEASE.owner })
    await repositories.connections.save({
      portalId: 101, provider: 'openai', encryptedKey: keyring.encrypt(OPENAI_KEY, connectionKeyContext(101, 'openai')), keyHint: 'cdef', baseUrl: null, at: T0, actor: 'admin-api'
    })
    await repositories.connections.save({
      portalId: 202, provider: 'anthropic', encryptedKey: keyring.encrypt('sk-ant-test-9876543210', connectionKeyContext(202, 'anthropic')), keyHint: '3210', baseUrl: 'https://proxy.example/v1', at: T0 + 1, actor: 'admin-api'
    })
    await repositories.connections.setAllowedModels(101, 'openai', ['gpt-5', 'gpt-5-mini'], 'admin-api', T0 + 2)
    await repositories.assistants.create(101, 'asst_1', { name: 'Summariser', model: 'gpt-5', instructions: 'Summarise the deal.', temperature: 0.2, reasoningEffort: null }, 'admin-api', T0 + 3)
    await repositories.assistants.create(202, 'asst_2', { name: 'Classifier', model: 'claude-sonnet-4-5', instructions: 'Classify.', temperature: null, reasoningEffort: 'low' }, 'admin-api', T0 + 4)
    await repositories.budgets.save(101, { monthlyLimitUsd: 25.5, warnAtPercent: 80, timeZone: 'Europe/Paris' }, 'admin-api', T0 + 5)
    const finished = await repositories.executions.claim({ portalId: 101, action: 'custom-llm', callbackId: 'cb-1', source: 'WORKFLOWS', startedAt: T0 + 10, request: '{"inputFields":{}}', expiresAt: T0 + 60_000 }, LEASE)
    if (finished.kind !== 'new') throw new Error('expected a new execution')
    await repositories.executions.finish(finished.id, {
      status: 'success', provider: 'openai', model: 'gpt-5', inputTokens: 1234, outputTokens: 567, cachedInputTokens: 100, reasoningTokens: 64,
      costUsd: 0.012_345, finishReason: 'stop', adjustments: ['max tokens lowered to 4096'], outputFields: { answer: 'Yes' }, finishedAt: T0 + 900, latencyMs: 890
    }, LEASE.owner)
    await repositories.executions.claim({ portalId: 202, action: 'openai-assistant', callbackId: 'cb-2', startedAt: T0 + 20, request: '{"inputFields":{"a":1}}', expiresAt: T0 + 60_000 }, LEASE)
    const running = await repositories.executions.claim({ portalId: 101, action: 'test', startedAt: T0 + 30, request: '{}', expiresAt: T0 + 60_000 }, LEASE)
    if (running.kind !== 'new') throw new Error('expected a new execution')
    // A running call's hold on its portal's budget, and the month's ledger the reservation kept on the budget's row.
    const standing = await repositories.budgets.reserve(101, monthOf(T0 + 30, 'Europe/Paris'), { executionId: running.id, owner: LEASE.owner, amountUsd: 0.5 })
    if (standing.kind !== 'fits') throw new Error(`expected the reservation to fit, got ${standing.kind}`)
    // An economy execution in a provider batch: the batch, and the execution that points at it.
    const queued = await repositories.executions.claim({ portalId: 202, action: 'custom-llm', callbackId: 'cb-3', startedAt: T0 + 31, request: '{"inputFields":{"processing":"economy"}}', expiresAt: T0 + 172_800_000 }, LEASE)
    if (queued.kind !== 'new') throw new Error('expected a new execution')
    await repositories.economy.enqueue(queued.id, LEASE.owner, { provider: 'anthropic', model: 'claude-sonnet-4-5', at: T0 + 32, expiresAt: T0 + 172_800_000 })
    const opened = await repositories.economy.openBatch({ portalId: 202, provider: 'anthropic', model: 'claude-sonnet-4-5' }, LEASE, 'llm-actions-copy-test', T0 + 33, 10)
    if (opened === undefined) throw new Error('expected a batch')
    await repositories.economy.submitted(opened.batch.id, LEASE.owner, 'msgbatch_01', T0 + 34, T0 + 60_000)
    // What describes running processes rather than data, which is not copied.
    await repositories.instances.register({ instanceId: LEASE.owner, version: '1.0.0', at: T0 + 35 })
    await repositories.rateLimits.hit('portal:101', T0 + 36, 60_000)
    await repositories.oauth.recordInstall({
      portalId: 101,
      encryptedAccessToken: keyring.encrypt('access-token', oauthTokenContext(101, 'access')),
      encryptedRefreshToken: keyring.encrypt('refresh-token', oauthTokenContext(101, 'refresh')),
      expiresAt: T0 + 1_800_000, scopes: 'oauth automation', at: T0 + 40, actor: 'hubspot-oauth'
    })
    await repositories.sessions.create({ idHash: 'a'.repeat(64), createdAt: T0 + 50, expiresAt: T0 + 86_400_000, tokenFingerprint: 'f'.repeat(64) }, 'session:aaaaaaaaaaaa')
    await repositories.oauth.insertState('nonce-1', T0 + 60)
  } finally {
    await handle.close()
  }
}

t.test('COPY_ORDER and NOT_COPIED name every table of the schema once', async t => {
  t.same([...COPY_ORDER.map(entry => entry.table), ...NOT_COPIED].sort(), Object.keys(sqliteSchema).sort())
})

t.test('SQLite → PostgreSQL → SQLite: every row kept, ids and ciphertexts included; a filled target is refused', async t => {
  const cluster = await sharedCluster()
  const dataDir = t.testdir()
  await populate(dataDir)
  const source = await open(t, `sqlite:${join(dataDir, 'app.db')}`)
  const original = await readAll(source.driver)
  for (const [name, rows] of Object.entries(original)) t.ok(rows.length > 0, `the source has ${name}`)

  const name = `copy_${process.pid}`
  const postgresUrl = await cluster.createDatabase(name)
  t.teardown(() => cluster.dropDatabase(name))

  await t.test('copies into an empty PostgreSQL database, --from defaulting to DATA_DIR/app.db', async t => {
    // No ENCRYPTION_KEY, no ADMIN_TOKEN: copying needs neither, and must not generate them.
    const run = io({ DATA_DIR: dataDir })
    t.equal(await main(['copy-data', '--to', postgresUrl], run.io), 0, run.errors.join(''))
    t.notOk(existsSync(join(dataDir, 'secrets.json')), 'no secrets.json written')
    const lines = run.out.join('').trimEnd().split('\n')
    t.equal(lines[0], `copy-data: sqlite:${join(dataDir, 'app.db')} → ${postgresUrl}`)
    t.same(lines.slice(1, -1), Object.entries(counts(original)).map(([table, rows]) => `${table}: ${rows} row${rows === 1 ? '' : 's'}`))
    const total = Object.values(counts(original)).reduce((sum, rows) => sum + rows, 0)
    t.equal(lines.at(-1), `copied 10 tables, ${total} rows`)

    const target = await open(t, postgresUrl)
    t.equal(target.dialect, 'postgres')
    const copied = await readAll(target.driver)
    t.same(counts(copied), counts(original))
    t.same(copied, original, 'every row equal, ids kept')
    const execution = copied.executions?.find(row => row.callbackId === 'cb-1')
    t.match(execution, { id: 1, inputTokens: 1234, outputTokens: 567, costUsd: 0.012_345, status: 'success', adjustments: '["max tokens lowered to 4096"]' })
    t.same(copied.audit_events?.find(row => row.action === 'budget')?.after, { monthlyLimitUsd: 25.5, warnAtPercent: 80, timeZone: 'Europe/Paris' }, 'JSON columns survive')
    t.match(copied.executions?.find(row => row.action === 'test'), { status: 'running', leaseOwner: LEASE.owner, leaseExpiresAt: LEASE.until, reservedUsd: 0.5 }, 'leases and holds are kept')
    t.match(copied.portal_budgets?.[0], { portalId: 101, ledgerMonth: '2025-10', spentUsd: 0.012_345 }, 'so is the month\'s ledger (the finished execution\'s cost)')
    t.ok(copied.audit_events?.every(row => row.instanceId === LEASE.owner), 'and the instance that wrote each audit event')
    t.strictSame(await target.driver.all(target.driver.db.select().from(target.driver.tables.instances)), [], 'the instances are not copied')
    t.strictSame(await target.driver.all(target.driver.db.select().from(target.driver.tables.rateLimitCounters)), [], 'nor the rate limit counters')

    const repositories = createRepositories(target.driver)
    const connection = await repositories.connections.find(101, 'openai')
    t.equal(connection?.encryptedKey, original.connections?.find(row => row.portalId === 101)?.encryptedKey, 'the same ciphertext')
    t.equal(keyring.decrypt(connection?.encryptedKey ?? '', connectionKeyContext(101, 'openai')), OPENAI_KEY, 'still decrypts under the same key')
    const tokens = await repositories.oauth.findTokens(101)
    t.equal(keyring.decrypt(tokens?.encryptedRefreshToken ?? '', oauthTokenContext(101, 'refresh')), 'refresh-token')

    const largest = (rows: Array<Record<string, unknown>> | undefined) => Math.max(...(rows ?? []).map(row => Number(row.id)))
    const claim = await repositories.executions.claim({ portalId: 101, action: 'test', startedAt: T0 + 100, request: '{}', expiresAt: T0 + 60_000 }, LEASE)
    t.ok(claim.kind === 'new' && claim.id > largest(copied.executions), 'a new execution gets an id past the copied ones')
    await repositories.connections.save({ portalId: 303, provider: 'openai', encryptedKey: 'v1.default.x.y', keyHint: '', baseUrl: null, at: T0 + 200, actor: 'admin-api' })
    const fresh = await readAll(target.driver)
    t.ok(largest(fresh.connections) > largest(copied.connections), 'so does a new connection')
    t.ok(largest(fresh.audit_events) > largest(copied.audit_events), 'and its audit event')
  })

  await t.test('a second copy into the now filled target is refused and changes nothing', async t => {
    const target = await open(t, postgresUrl)
    const before = counts(await readAll(target.driver))
    // The cluster trusts every connection, so the password is never checked: it is here to be kept out of the output.
    const withPassword = postgresUrl.replace('postgres@', 'postgres:hunter2@')
    const run = io({ DATA_DIR: dataDir })
    t.equal(await main(['copy-data', '--to', withPassword], run.io), 1)
    const message = run.errors.join('')
    t.match(message, `the target ${postgresUrl.replace('postgres@', 'postgres:***@')} already holds data (portals: ${before.portals} rows)`)
    t.match(message, /nothing was copied/)
    t.notMatch(message + run.out.join(''), /hunter2/, 'the password is never printed')
    t.same(counts(await readAll(target.driver)), before)
  })

  await t.test('copies PostgreSQL into a fresh SQLite file', async t => {
    const copyDir = t.testdir()
    const sqliteUrl = `sqlite:${join(copyDir, 'copy.db')}`
    const run = io({})
    t.equal(await main(['copy-data', '--from', postgresUrl, '--to', sqliteUrl], run.io), 0, run.errors.join(''))
    const fromPostgres = await readAll((await open(t, postgresUrl)).driver)
    const copy = await open(t, sqliteUrl)
    t.equal(copy.dialect, 'sqlite')
    t.same(await readAll(copy.driver), fromPostgres, 'every row equal, ids kept')
    const repositories = createRepositories(copy.driver)
    const claim = await repositories.executions.claim({ portalId: 101, action: 'test', startedAt: T0 + 300, request: '{}', expiresAt: T0 + 60_000 }, LEASE)
    t.ok(claim.kind === 'new' && claim.id > Math.max(...(fromPostgres.executions ?? []).map(row => Number(row.id))), 'SQLite continues past the copied ids')
  })
})

t.test('a failure part way rolls the whole copy back', async t => {
  const cluster = await sharedCluster()
  const dataDir = t.testdir()
  await populate(dataDir)
  // A connection whose portal does not exist: SQLite with foreign keys off took it, PostgreSQL refuses it after
  // the portals were already inserted.
  const broken = openDatabase(join(dataDir, 'app.db'))
  writeUnchecked(broken, "insert into connections (portal_id, provider, encrypted_key, key_hint, connected_at, last_validated_at) values (999, 'openai', 'v1.default.a.b', '', 1, 1)")
  await broken.close()

  const name = `copy_fail_${process.pid}`
  const postgresUrl = await cluster.createDatabase(name)
  t.teardown(() => cluster.dropDatabase(name))
  const run = io({ DATABASE_URL: `sqlite:${join(dataDir, 'app.db')}` })
  t.equal(await main(['copy-data', '--to', postgresUrl], run.io), 1)
  t.match(run.errors.join(''), /^error: copying connections: insert or update on table "connections" violates foreign key constraint [^\n]*; nothing was copied\n$/)
  t.notMatch(run.errors.join(''), /v1\.default/, 'no ciphertext quoted from the failed statement')
  const target = await open(t, postgresUrl)
  t.same(Object.values(counts(await readAll(target.driver))), Array(COPY_ORDER.length).fill(0), 'the target is still empty')
})

t.test('SQLite → SQLite in pages, with progress on stderr for a long table', async t => {
  const dataDir = t.testdir()
  const source = openDatabase(join(dataDir, 'app.db'))
  const { db, tables } = source.driver
  const rows = Array.from({ length: 10_500 }, (_, index) => ({ portalId: 7, action: 'test', status: 'success', startedAt: T0 + index, prompt: `prompt ${index}`, costUsd: index / 1000 }))
  // Plain inserts (not through the driver) to fill the table quickly; 500 rows of 6 columns stay in SQLite's limits.
  for (let start = 0; start < rows.length; start += 500) db.insert(tables.executions).values(rows.slice(start, start + 500)).run()
  const original = await readAll(source.driver)
  await source.close()

  const to = `sqlite:${join(dataDir, 'copy', 'copy.db')}`
  const run = io({ DATA_DIR: dataDir })
  t.equal(await main(['copy-data', '--to', to], run.io), 0, run.errors.join(''))
  t.match(run.out.join(''), /\nexecutions: 10500 rows\n/)
  t.equal(run.errors.join(''), 'executions: 10000 of 10500 rows…\n', 'one progress line, at 10,000')
  const copy = await open(t, to)
  // Not t.same: a mismatch of 10,500 rows would take minutes to diff.
  t.ok(isDeepStrictEqual(await readAll(copy.driver), original), 'every row equal')
})

t.test('bad usage exits 2 and says how to use it', async t => {
  const dataDir = t.testdir()
  await populate(dataDir)
  const database = `sqlite:${join(dataDir, 'app.db')}`
  const cases: Array<[string, string[], Record<string, string>, RegExp]> = [
    ['no --to', [], { DATA_DIR: dataDir }, /--to is required[\s\S]*Usage: llm-actions copy-data/],
    ['an unknown option', ['--to', 'sqlite:/tmp/x.db', '--frob'], {}, /Unknown option '--frob'[\s\S]*Usage: llm-actions copy-data/],
    ['--to without a value', ['--to'], {}, /argument missing[\s\S]*Usage/],
    ['a positional argument', ['--to', 'sqlite:/tmp/x.db', 'extra'], {}, /Unexpected argument 'extra'/],
    ['an unknown scheme', ['--to', 'mysql://u:pw@host/db'], { DATA_DIR: dataDir }, /--to must be sqlite:<file>, postgres:\/\/… or postgresql:\/\/…, got "mysql:\/\/u:\*\*\*@host\/db"/],
    ['--to the same database as --from', ['--to', database], { DATABASE_URL: `sqlite:${dataDir}/./app.db` }, /--to and --from both name/],
    ['a source that does not exist', ['--to', database, '--from', `sqlite:${join(dataDir, 'missing.db')}`], {}, /missing\.db does not exist/],
    ['a bad DATA_DIR', ['--to', database], { DATA_DIR: '' }, /DATA_DIR/]
  ]
  for (const [what, argv, env, message] of cases) {
    const run = io(env)
    t.equal(await main(['copy-data', ...argv], run.io), 2, what)
    t.match(run.errors.join(''), message, what)
  }
  t.notOk(existsSync(join(dataDir, 'missing.db')), 'a missing source is not created')
  const help = io({})
  t.equal(await main(['copy-data', '--help'], help.io), 0)
  t.match(help.out.join(''), /--to URL/)
  const usage = io({})
  t.equal(await main(['--help'], usage.io), 0)
  t.match(usage.out.join(''), /copy-data/)
})
