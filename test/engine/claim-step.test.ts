import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import t, { type Test } from 'tap'
import { openDatabase } from '../../db/database.ts'
import type { Claim } from '../../db/repositories/executions-repository.ts'
import { MIGRATIONS_FOLDER } from '../../db/sqlite/open-sqlite.ts'
import { indexColumns } from '../../db/sqlite/sqlite-faults.ts'
import type { ExecutionFinish, ExecutionStart } from '../../db/repositories/executions-repository.ts'
import { createRepositories } from '../../db/repositories/index.ts'
import { executionStart } from '../helpers/execution-start.ts'

// Step "claim" and the durable record behind it: the executions repository over a real in-memory SQLite.

const PORTAL = 4242
const STARTED_AT = 1_800_000_000_000
const EXPIRES_AT = STARTED_AT + 24 * 60 * 60_000
/** This instance, and the lease its claims take. */
const OWNER = 'instance-a'
const LEASE_MS = 30_000
const LEASE = { owner: OWNER, until: STARTED_AT + LEASE_MS }
const SUCCESS_FIELDS = { response: 'Hello', provider: 'openai', model: 'gpt-4.1', inputTokens: '3', outputTokens: '4', hs_execution_state: 'SUCCESS' }

function executionsOf (t: Test) {
  const handle = openDatabase(':memory:')
  t.teardown(() => handle.close())
  return createRepositories(handle.driver).executions
}

const start = (overrides: Partial<ExecutionStart> = {}): ExecutionStart => executionStart(PORTAL, STARTED_AT, overrides)

function success (overrides: Partial<ExecutionFinish> = {}): ExecutionFinish {
  return { status: 'success', provider: 'openai', model: 'gpt-4.1', inputTokens: 3, outputTokens: 4, outputFields: SUCCESS_FIELDS, finishedAt: STARTED_AT + 500, latencyMs: 500, ...overrides }
}

function newId (claim: Claim): number {
  if (claim.kind !== 'new') throw new Error(`expected a new claim, got ${claim.kind}`)
  return claim.id
}

t.test('a new callbackId is claimed as a new execution with one run', async t => {
  const executions = executionsOf(t)
  const given = start()
  const claim = await executions.claim(given, LEASE)
  t.equal(claim.kind, 'new')
  t.equal(claim.kind === 'new' ? claim.runs : undefined, 1)
  const row = await executions.find(newId(claim))
  t.equal(row?.status, 'running')
  t.equal(row?.callbackId, given.callbackId)
  t.equal(row?.request, given.request, 'the request is kept so the call can be made again after a crash')
  t.equal(row?.runs, 1)
  t.equal(row?.expiresAt, EXPIRES_AT)
  t.equal(row?.answered, null)
  t.equal(row?.completionState, null)
  t.equal(row?.leaseOwner, OWNER, 'the claiming instance holds the lease')
  t.equal(row?.leaseExpiresAt, LEASE.until)
  t.equal(row?.reservedUsd, null, 'nothing held against a budget yet')
})

t.test('the same callbackId again returns the stored execution instead of a new one', async t => {
  const executions = executionsOf(t)
  const given = start()
  const id = newId(await executions.claim(given, LEASE))
  const running = await executions.claim({ ...given, startedAt: STARTED_AT + 10 }, LEASE)
  t.equal(running.kind, 'existing', 'while it runs')
  t.equal(running.kind === 'existing' ? running.execution.id : undefined, id)
  t.equal(running.kind === 'existing' ? running.execution.startedAt : undefined, STARTED_AT, 'the stored row is not touched')

  await executions.finish(id, success(), OWNER)
  const finished = await executions.claim(given, LEASE)
  t.equal(finished.kind, 'existing', 'after it finished')
  t.equal(finished.kind === 'existing' ? finished.execution.status : undefined, 'success')
  t.equal((await executions.recent(PORTAL, 10)).length, 1, 'one row for the callbackId')
})

t.test('an execution handed back for a retry is claimed again, with one more run', async t => {
  const executions = executionsOf(t)
  const given = start()
  const id = newId(await executions.claim(given, LEASE))
  const finished = await executions.finish(id, { status: 'retry', errorCode: 'PROVIDER_UNAVAILABLE', errorMessage: 'down', finishedAt: STARTED_AT + 100 }, OWNER)
  t.same(finished, { written: true, completionPending: false, lost: false })
  t.equal((await executions.find(id))?.status, 'retry')

  t.equal((await executions.find(id))?.leaseOwner, null, 'the finish ended the lease')

  const later = STARTED_AT + 60_000
  const again = await executions.claim({ ...given, startedAt: later, request: '{"inputFields":{"prompt":"again"}}', expiresAt: later + 1000 }, { owner: 'instance-b', until: later + LEASE_MS })
  t.same(again, { kind: 'new', id, runs: 2 })
  const row = await executions.find(id)
  t.equal(row?.status, 'running')
  t.equal(row?.startedAt, later)
  t.equal(row?.finishedAt, null)
  t.equal(row?.errorCode, null, 'the last error is forgotten')
  t.equal(row?.errorMessage, null)
  t.equal(row?.request, '{"inputFields":{"prompt":"again"}}')
  t.equal(row?.expiresAt, later + 1000)
  t.equal(row?.runs, 2)
  t.equal(row?.leaseOwner, 'instance-b', 'whichever instance the redelivery reached holds it now')
  t.equal(row?.leaseExpiresAt, later + LEASE_MS)
})

t.test('a run claimed again after a retry does not keep the previous run\'s fallback reason', async t => {
  const executions = executionsOf(t)
  const given = start()
  const id = newId(await executions.claim(given, LEASE))
  await executions.finish(id, { status: 'retry', provider: 'anthropic', model: 'claude-sonnet-4-6', errorCode: 'PROVIDER_RATE_LIMITED', errorMessage: 'slow down', fallbackReason: 'openai/gpt-4.1 failed with PROVIDER_AUTH; answered by the fallback anthropic/claude-sonnet-4-6.', finishedAt: STARTED_AT + 100 }, OWNER)
  await executions.claim({ ...given, startedAt: STARTED_AT + 60_000 }, LEASE)
  await executions.finish(id, success({ finishedAt: STARTED_AT + 61_000 }), OWNER)
  const row = await executions.find(id)
  t.equal(row?.provider, 'openai', 'the primary answered this time')
  t.equal(row?.fallbackReason, null, 'so the record must not say the fallback answered')
})

t.test('test runs without a callbackId are always new executions', async t => {
  const executions = executionsOf(t)
  const { callbackId: _none, ...withoutCallback } = start({ action: 'test' })
  const first = await executions.claim(withoutCallback, LEASE)
  const second = await executions.claim(withoutCallback, LEASE)
  t.equal(first.kind, 'new')
  t.equal(second.kind, 'new')
  t.not(newId(first), newId(second), 'two rows')
  t.equal(second.kind === 'new' ? second.runs : undefined, 1)
  t.equal((await executions.find(newId(second)))?.callbackId, null)
})

t.test('markBlocked on a running execution records the BLOCK answer', async t => {
  const executions = executionsOf(t)
  const id = newId(await executions.claim(start(), LEASE))
  t.same(await executions.markBlocked(id), { kind: 'blocked' })
  const row = await executions.find(id)
  t.equal(row?.answered, 'block')
  t.equal(row?.status, 'running', 'still running')
})

t.test('markBlocked on a finished execution returns its row and writes nothing', async t => {
  const executions = executionsOf(t)
  const id = newId(await executions.claim(start(), LEASE))
  await executions.finish(id, success(), OWNER)
  const mark = await executions.markBlocked(id)
  t.equal(mark.kind, 'finished')
  t.equal(mark.kind === 'finished' ? mark.execution.id : undefined, id)
  t.equal(mark.kind === 'finished' ? mark.execution.status : undefined, 'success')
  t.equal(mark.kind === 'finished' ? mark.execution.outputFields : undefined, JSON.stringify(SUCCESS_FIELDS), 'the stored answer comes with it')
  t.equal((await executions.find(id))?.answered, null, 'not marked as BLOCKed')
})

t.test('markBlocked on an unknown execution throws', async t => {
  const executions = executionsOf(t)
  await t.rejects(executions.markBlocked(999), /execution 999 does not exist/)
})

t.test('finishing a BLOCKed execution with an answer queues its completion in the same write', async t => {
  const executions = executionsOf(t)
  const id = newId(await executions.claim(start(), LEASE))
  await executions.markBlocked(id)
  const finishedAt = STARTED_AT + 900
  t.same(await executions.finish(id, success({ finishedAt }), OWNER), { written: true, completionPending: true, lost: false })
  const row = await executions.find(id)
  t.equal(row?.status, 'success')
  t.equal(row?.completionState, 'pending')
  t.equal(row?.completionAttempts, 0)
  t.equal(row?.completionDueAt, finishedAt, 'due at once')
  t.equal(row?.completionError, null)
  t.equal(row?.outputFields, JSON.stringify(SUCCESS_FIELDS))
})

t.test('a BLOCKed execution that fails for good is completed too; an expired one is not', async t => {
  const executions = executionsOf(t)
  const failed = newId(await executions.claim(start(), LEASE))
  await executions.markBlocked(failed)
  const failure = { errorCode: 'PROVIDER_REJECTED', errorMessage: 'no', hs_execution_state: 'FAIL_CONTINUE' }
  t.same(await executions.finish(failed, { status: 'failed', errorCode: 'PROVIDER_REJECTED', errorMessage: 'no', outputFields: failure, finishedAt: STARTED_AT + 1 }, OWNER), { written: true, completionPending: true, lost: false })

  const expired = newId(await executions.claim(start(), LEASE))
  await executions.markBlocked(expired)
  t.same(await executions.finish(expired, { status: 'expired', errorCode: 'EXECUTION_EXPIRED', errorMessage: 'late', outputFields: { ...failure, errorCode: 'EXECUTION_EXPIRED' }, finishedAt: STARTED_AT + 1 }, OWNER), { written: true, completionPending: false, lost: false })
  t.equal((await executions.find(expired))?.completionState, null)
})

t.test('finishing an execution HubSpot still waits on (no BLOCK) queues no completion', async t => {
  const executions = executionsOf(t)
  const id = newId(await executions.claim(start(), LEASE))
  t.same(await executions.finish(id, success(), OWNER), { written: true, completionPending: false, lost: false })
  t.equal((await executions.find(id))?.completionState, null)
  t.equal((await executions.find(id))?.completionDueAt, null)
})

t.test('a retry outcome of a BLOCKed execution is not written: it stays running for the engine to run again', async t => {
  const executions = executionsOf(t)
  const given = start()
  const id = newId(await executions.claim(given, LEASE))
  await executions.markBlocked(id)
  t.same(await executions.finish(id, { status: 'retry', errorCode: 'PROVIDER_UNAVAILABLE', errorMessage: 'down', finishedAt: STARTED_AT + 100 }, OWNER), { written: false, completionPending: false, lost: false })
  const row = await executions.find(id)
  t.equal(row?.status, 'running')
  t.equal(row?.errorCode, null)
  t.equal(row?.finishedAt, null)
  t.equal(row?.request, given.request, 'the request is kept for the next run')
  t.equal(row?.completionState, null)
})

t.test('finishing clears the stored request and writes the outcome columns', async t => {
  const executions = executionsOf(t)
  const id = newId(await executions.claim(start(), LEASE))
  await executions.finish(id, success({ adjustments: ['Temperature 0.2 ignored.'], cachedInputTokens: 1, reasoningTokens: 2, finishReason: 'stop', fallbackReason: 'because' }), OWNER)
  const row = await executions.find(id)
  t.equal(row?.request, null)
  t.equal(row?.status, 'success')
  t.equal(row?.provider, 'openai')
  t.equal(row?.model, 'gpt-4.1')
  t.equal(row?.inputTokens, 3)
  t.equal(row?.outputTokens, 4)
  t.equal(row?.cachedInputTokens, 1)
  t.equal(row?.reasoningTokens, 2)
  t.equal(row?.finishReason, 'stop')
  t.equal(row?.fallbackReason, 'because')
  t.equal(row?.adjustments, JSON.stringify(['Temperature 0.2 ignored.']))
  t.equal(row?.finishedAt, STARTED_AT + 500)
  t.equal(row?.latencyMs, 500)

  const plain = newId(await executions.claim(start(), LEASE))
  await executions.finish(plain, success({ adjustments: [] }), OWNER)
  t.equal((await executions.find(plain))?.adjustments, null, 'no adjustments are stored as null, not "[]"')
})

t.test('unfinished lists the running executions only, oldest first', async t => {
  const executions = executionsOf(t)
  const first = newId(await executions.claim(start(), LEASE))
  const done = newId(await executions.claim(start(), LEASE))
  const blocked = newId(await executions.claim(start(), LEASE))
  await executions.finish(done, success(), OWNER)
  await executions.markBlocked(blocked)
  t.same((await executions.unfinished()).map(row => row.id), [first, blocked])
})

/** A BLOCKed execution finished with an answer, so its completion is pending, due at `dueAt`. */
async function pendingCompletion (executions: ReturnType<typeof executionsOf>, dueAt: number, portalId = PORTAL): Promise<number> {
  const id = newId(await executions.claim(start({ portalId }), LEASE))
  await executions.markBlocked(id)
  await executions.finish(id, success({ finishedAt: dueAt }), OWNER)
  return id
}

/** Claims what is due by `now` for OWNER, as a completion round does, and answers the ids claimed. */
async function claimDue (executions: ReturnType<typeof executionsOf>, now: number, limit = 10): Promise<number[]> {
  return (await executions.claimCompletions({ owner: OWNER, until: now + LEASE_MS }, now, limit)).map(row => row.id)
}

t.test('claimCompletions claims pending completions due by now, earliest first, at most `limit`, each once while its lease lasts', async t => {
  const executions = executionsOf(t)
  const later = await pendingCompletion(executions, STARTED_AT + 300)
  const earliest = await pendingCompletion(executions, STARTED_AT + 100)
  const tiedOlder = await pendingCompletion(executions, STARTED_AT + 200)
  const tiedNewer = await pendingCompletion(executions, STARTED_AT + 200)
  const notYet = await pendingCompletion(executions, STARTED_AT + 10_000)
  const notBlocked = newId(await executions.claim(start(), LEASE))
  await executions.finish(notBlocked, success({ finishedAt: STARTED_AT }), OWNER)
  t.equal(await executions.nextCompletionDue(), STARTED_AT + 100)

  t.same(await claimDue(executions, STARTED_AT + 99), [], 'nothing is due before its time')
  t.same(await claimDue(executions, STARTED_AT + 300, 2), [earliest, tiedOlder], 'by due time, then by id, at most limit')
  const rest = await claimDue(executions, STARTED_AT + 300)
  t.same(rest, [tiedNewer, later], 'the claimed ones are not claimed again')
  t.notOk(rest.includes(notYet), 'not one due later')
  t.notOk(rest.includes(notBlocked), 'not one HubSpot was answered directly')
  t.match(await executions.find(later), { leaseOwner: OWNER, leaseExpiresAt: STARTED_AT + 300 + LEASE_MS })
  t.equal(await executions.nextCompletionDue(), STARTED_AT + 10_000, 'the claimed ones wait for their leases to run out')
  t.same(await claimDue(executions, STARTED_AT + 300 + LEASE_MS + 1), [earliest, tiedOlder, tiedNewer, later, notYet], 'once they ran out, claimed again')
})

t.test('completionDelivered marks delivered, counts the attempt and clears the due time, error and lease', async t => {
  const executions = executionsOf(t)
  const first = await pendingCompletion(executions, STARTED_AT)
  const second = await pendingCompletion(executions, STARTED_AT)
  t.same(await claimDue(executions, STARTED_AT), [first, second])
  await executions.completionAttemptFailed([first], 'HubSpot answered 503', STARTED_AT + 1000, OWNER)
  t.same(await claimDue(executions, STARTED_AT + 1000), [first], 'due again; the other is still held')
  await executions.completionDelivered([first, second], STARTED_AT + 2000, OWNER)
  for (const id of [first, second]) {
    const row = await executions.find(id)
    t.equal(row?.completionState, 'delivered')
    t.equal(row?.completedAt, STARTED_AT + 2000)
    t.equal(row?.completionDueAt, null)
    t.equal(row?.completionError, null)
    t.equal(row?.leaseOwner, null)
  }
  t.equal((await executions.find(first))?.completionAttempts, 2)
  t.equal((await executions.find(second))?.completionAttempts, 1)
  t.same(await claimDue(executions, STARTED_AT + 10_000 + LEASE_MS), [])
  t.equal(await executions.nextCompletionDue(), undefined)
})

t.test('completionDelivered and completionAttemptFailed change nothing for an instance that does not hold the claim', async t => {
  const executions = executionsOf(t)
  const id = await pendingCompletion(executions, STARTED_AT)
  t.same(await claimDue(executions, STARTED_AT), [id])
  const before = await executions.find(id)
  await executions.completionDelivered([id], STARTED_AT + 1, 'instance-b')
  await executions.completionAttemptFailed([id], 'HubSpot answered 503', STARTED_AT + 5000, 'instance-b')
  await executions.completionAttemptFailed([id], 'refused', undefined, 'instance-b')
  t.same(await executions.find(id), before, 'the row is as the claim left it')
})

t.test('completionAttemptFailed with a due time leaves it pending for then, with the error', async t => {
  const executions = executionsOf(t)
  const id = await pendingCompletion(executions, STARTED_AT)
  t.same(await claimDue(executions, STARTED_AT), [id])
  await executions.completionAttemptFailed([id], 'HubSpot answered 429', STARTED_AT + 5000, OWNER)
  const row = await executions.find(id)
  t.equal(row?.completionState, 'pending')
  t.equal(row?.completionDueAt, STARTED_AT + 5000)
  t.equal(row?.completionError, 'HubSpot answered 429')
  t.equal(row?.completionAttempts, 1)
  t.equal(row?.leaseOwner, null, 'the lease ends with the attempt')
  t.same(await claimDue(executions, STARTED_AT + 4999), [])
  t.same(await claimDue(executions, STARTED_AT + 5000), [id])
})

t.test('completionAttemptFailed without a due time marks it failed for good', async t => {
  const executions = executionsOf(t)
  const id = await pendingCompletion(executions, STARTED_AT)
  t.same(await claimDue(executions, STARTED_AT), [id])
  await executions.completionAttemptFailed([id], 'the callbackId is unknown', undefined, OWNER)
  const row = await executions.find(id)
  t.equal(row?.completionState, 'failed')
  t.equal(row?.completionDueAt, null)
  t.equal(row?.completionError, 'the callbackId is unknown')
  t.equal(row?.completionAttempts, 1)
  t.same(await claimDue(executions, Number.MAX_SAFE_INTEGER - LEASE_MS), [])
  t.equal(await executions.nextCompletionDue(), undefined)
})

t.test('requestRedelivery puts a failed completion back in the queue with its attempts counted afresh', async t => {
  const executions = executionsOf(t)
  const id = await pendingCompletion(executions, STARTED_AT)
  t.same(await claimDue(executions, STARTED_AT), [id])
  await executions.completionAttemptFailed([id], 'first', STARTED_AT + 1, OWNER)
  t.same(await claimDue(executions, STARTED_AT + 1), [id])
  await executions.completionAttemptFailed([id], 'refused', undefined, OWNER)
  await executions.requestRedelivery(id, STARTED_AT + 50_000)
  const row = await executions.find(id)
  t.equal(row?.completionState, 'pending')
  t.equal(row?.completionDueAt, STARTED_AT + 50_000)
  t.equal(row?.completionAttempts, 0)
  t.equal(row?.completionError, null)
  t.same(await claimDue(executions, STARTED_AT + 50_000), [id])
})

t.test('startRun counts one more start and returns the new count', async t => {
  const executions = executionsOf(t)
  const id = newId(await executions.claim(start(), LEASE))
  t.equal(await executions.startRun(id, OWNER), 2)
  t.equal(await executions.startRun(id, OWNER), 3)
  t.equal((await executions.find(id))?.runs, 3)
  t.equal(await executions.startRun(12345, OWNER), 0, 'an unknown execution counts nothing')
  t.equal(await executions.startRun(id, 'instance-b'), 0, 'an instance without the lease counts nothing')
  t.equal((await executions.find(id))?.runs, 3)
})

t.test('an instance that lost the lease cannot write the outcome; the one holding it can', async t => {
  const executions = executionsOf(t)
  const given = start()
  const id = newId(await executions.claim(given, { owner: OWNER, until: STARTED_AT + 100 }))
  const [taken] = await executions.takeOver({ owner: 'instance-b', until: STARTED_AT + 1000 + LEASE_MS }, STARTED_AT + 1000, 10)
  t.equal(taken?.id, id, 'its lease ran out and another instance took it over')
  t.same(await executions.finish(id, success(), OWNER), { written: false, completionPending: false, lost: true })
  t.match(await executions.find(id), { status: 'running', request: given.request, leaseOwner: 'instance-b' }, 'nothing written')
  t.same(await executions.finish(id, success(), 'instance-b'), { written: true, completionPending: false, lost: false })
  t.equal((await executions.find(id))?.status, 'success')
})

t.test('one callbackId sent by two portals is two executions: neither gets the other\'s stored answer', async t => {
  const executions = executionsOf(t)
  const shared = start({ callbackId: 'callback-shared' })
  const first = newId(await executions.claim(shared, LEASE))
  await executions.finish(first, success(), OWNER)

  const other = await executions.claim({ ...shared, portalId: PORTAL + 1 }, LEASE)
  t.equal(other.kind, 'new', 'the other portal claims its own execution')
  t.not(newId(other), first)
  t.equal((await executions.find(newId(other)))?.portalId, PORTAL + 1)

  const again = await executions.claim(shared, LEASE)
  t.equal(again.kind === 'existing' ? again.execution.id : undefined, first, 'the first portal still gets its own')
})

t.test('a database from before the per-portal key migrates with its rows and gets the (portal, callbackId) index', async t => {
  const directory = t.testdir()
  // The migrations as they were before 0002, so the database starts as an existing deployment's would.
  const earlier = join(directory, 'migrations')
  mkdirSync(join(earlier, 'meta'), { recursive: true })
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> }
  const before = journal.entries.filter(entry => entry.tag < '0002')
  for (const entry of before) copyFileSync(join(MIGRATIONS_FOLDER, `${entry.tag}.sql`), join(earlier, `${entry.tag}.sql`))
  writeFileSync(join(earlier, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: before }))

  const file = join(directory, 'app.db')
  const old = new Database(file)
  migrate(drizzle(old), { migrationsFolder: earlier })
  const insert = old.prepare('insert into executions (portal_id, action, callback_id, status, started_at) values (?, ?, ?, ?, ?)')
  insert.run(PORTAL, 'custom-llm', 'callback-old-a', 'success', STARTED_AT)
  insert.run(PORTAL + 1, 'custom-llm', 'callback-old-b', 'success', STARTED_AT)
  insert.run(PORTAL, 'test', null, 'success', STARTED_AT)
  insert.run(PORTAL, 'test', null, 'success', STARTED_AT)
  old.close()

  const handle = openDatabase(file)
  t.teardown(() => handle.close())
  t.equal(await handle.unavailableReason(), undefined, 'every migration is applied')
  t.same(indexColumns(handle, 'executions_callback'), ['portal_id', 'callback_id'])
  const executions = createRepositories(handle.driver).executions
  t.equal((await executions.recent(PORTAL, 10)).length, 3, 'the rows are kept')
  const replay = await executions.claim(start({ callbackId: 'callback-old-a' }), LEASE)
  t.equal(replay.kind, 'existing', 'an old execution is still found by its portal and callbackId')
  t.equal((await executions.claim(start({ callbackId: 'callback-old-a', portalId: PORTAL + 1 }), LEASE)).kind, 'new', 'but not by another portal')
})
