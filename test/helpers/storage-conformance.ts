import { eq } from 'drizzle-orm'
import type { Test } from 'tap'
import type { Driver } from '../../db/driver.ts'
import type { AuditRow } from '../../db/repositories/audit-repository.ts'
import type { Claim, ExecutionFinish, ExecutionRow, ExecutionStart, Lease } from '../../db/repositories/executions-repository.ts'
import { createRepositories, type Repositories } from '../../db/repositories/index.ts'
import type { SaveConnection } from '../../db/repositories/connections-repository.ts'
import type { SaveTokens } from '../../db/repositories/oauth-repository.ts'
import type { StoredSecret } from '../../db/secret-contexts.ts'
import { executionStart } from './execution-start.ts'

/** A store as the conformance cases need it: its driver, and a way to release it (and whatever holds its data). */
export interface ConformanceStore {
  readonly driver: Driver
  close (): Promise<void>
}

/** Opens a new, empty, migrated store each time it is called: no case may see another's rows. */
export type OpenStore = () => Promise<ConformanceStore>

interface OpenedStore {
  readonly driver: Driver
  readonly repositories: Repositories
  /** Closes the store; the teardown's close then does nothing (a PostgreSQL pool refuses to end twice). */
  close (): Promise<void>
}

const PORTAL = 101
const OTHER_PORTAL = 202
const THIRD_PORTAL = 303
const T0 = Date.UTC(2026, 0, 15, 12)
const ACTOR = 'admin-api'
/** The instance the cases work as, and another one sharing its database. */
const OWNER = 'instance-a'
const RIVAL = 'instance-b'
const LEASE_MS = 30_000
/** The month T0 falls in, as a UTC budget counts it. */
const JANUARY = { month: '2026-01', startMs: Date.UTC(2026, 0, 1), endMs: Date.UTC(2026, 1, 1) }
/** Longer than any statement takes on a loaded machine, shorter than tap's timeout, so a hang fails by name. */
const HANG_MS = 5_000

/**
 * The storage contract every database the service runs on must keep, as tap subtests of `t`: the same assertions,
 * with exact values, whichever dialect `openStore` opens. Each case opens its own store and closes it when done.
 */
export function storageConformance (t: Test, openStore: OpenStore): void {
  const storeCase = (name: string, body: (t: Test, store: OpenedStore) => Promise<void>) =>
    t.test(name, async t => { await body(t, await opened(t, openStore)) })

  storeCase('executions: a callbackId is claimed once, then answers the stored row; another portal\'s is its own', async (t, { repositories: { executions } }) => {
    const given = start({ callbackId: 'cb-once', source: 'WORKFLOWS' })
    const id = newId(t, await executions.claim(given, lease()), 1)
    const stored = await executions.find(id)
    t.strictSame(stored, runningRow(id, given), 'the new row, column by column')

    t.strictSame(await executions.claim({ ...given, startedAt: T0 + 10, request: '{"later":true}' }, lease()), { kind: 'existing', execution: stored },
      'a duplicate delivery gets the stored row, untouched')
    await executions.finish(id, success(), OWNER)
    const finished = await executions.find(id)
    t.equal(finished?.status, 'success')
    t.strictSame(await executions.claim(given, lease()), { kind: 'existing', execution: finished }, 'also once it finished')

    const elsewhere = { ...given, portalId: OTHER_PORTAL }
    const otherId = newId(t, await executions.claim(elsewhere, lease()), 1)
    t.not(otherId, id, 'the same callbackId on another portal is another execution')
    t.strictSame(await executions.find(otherId), runningRow(otherId, elsewhere))

    const withoutCallback = start({ callbackId: undefined })
    const first = newId(t, await executions.claim(withoutCallback, lease()), 1)
    const second = newId(t, await executions.claim(withoutCallback, lease()), 1)
    t.not(first, second, 'executions without a callbackId never meet at the unique index')
    t.equal((await executions.recent(PORTAL, 100)).length, 3)
  })

  storeCase('executions: of 25 concurrent claims of one callbackId exactly one is new', async (t, { repositories: { executions } }) => {
    const claims = await Promise.all(Array.from({ length: 25 }, (_, index) => executions.claim(start({ callbackId: 'cb-race', startedAt: T0 + index }), lease())))
    const fresh = claims.filter(claim => claim.kind === 'new')
    t.equal(fresh.length, 1, 'one new claim')
    const id = fresh[0]?.id
    t.equal(claims.filter(claim => claim.kind === 'existing' && claim.execution.id === id && claim.execution.runs === 1).length, 24,
      'every other claim gets that execution')
    t.equal((await executions.recent(PORTAL, 100)).length, 1, 'one row')
  })

  storeCase('executions: one finished with status retry is claimed again (runs 2); of 10 concurrent re-claims one is new', async (t, { repositories: { executions } }) => {
    const given = start({ callbackId: 'cb-retry' })
    const id = newId(t, await executions.claim(given, lease()), 1)
    t.strictSame(await executions.finish(id, { status: 'retry', provider: 'openai', model: 'gpt-4.1', errorCode: 'PROVIDER_RATE_LIMITED', errorMessage: 'slow down', inputTokens: 10, costUsd: 0.25, finishedAt: T0 + 100, latencyMs: 100 }, OWNER),
      { written: true, completionPending: false, lost: false })
    t.equal((await executions.find(id))?.status, 'retry')

    const again = { ...given, startedAt: T0 + 1_000, request: '{"run":2}', expiresAt: T0 + 5_000 }
    t.strictSame(await executions.claim(again, lease()), { kind: 'new', id, runs: 2 }, 'the redelivery runs it again')
    t.strictSame(await executions.find(id), { ...runningRow(id, again), runs: 2, inputTokens: 10, costUsd: 0.25 },
      'a new run describes itself afresh; only what earlier runs spent stays')

    await executions.finish(id, { status: 'retry', finishedAt: T0 + 1_100 }, OWNER)
    const claims = await Promise.all(Array.from({ length: 10 }, (_, index) => executions.claim({ ...again, startedAt: T0 + 2_000 + index }, lease())))
    t.strictSame(claims.filter(claim => claim.kind === 'new').map(claim => claim.kind === 'new' ? [claim.id, claim.runs] : []), [[id, 3]], 'one re-claim, run 3')
    t.equal(claims.filter(claim => claim.kind === 'existing' && claim.execution.id === id && claim.execution.status === 'running' && claim.execution.runs === 3).length, 9,
      'the others see it running')
  })

  storeCase('executions: markBlocked marks a running execution and answers a finished one', async (t, { repositories: { executions } }) => {
    const running = newId(t, await executions.claim(start(), lease()), 1)
    t.strictSame(await executions.markBlocked(running), { kind: 'blocked' })
    t.equal((await executions.find(running))?.answered, 'block')

    const done = newId(t, await executions.claim(start(), lease()), 1)
    await executions.finish(done, success(), OWNER)
    const row = await executions.find(done)
    t.strictSame(await executions.markBlocked(done), { kind: 'finished', execution: row }, 'the finished row instead')
    t.equal((await executions.find(done))?.answered, null, 'and it is not marked')
    await t.rejects(executions.markBlocked(999_999), { message: 'execution 999999 does not exist' })
  })

  storeCase('executions: finish adds tokens and cost across runs, and costUnknown stays once set', async (t, { repositories: { executions } }) => {
    const given = start({ callbackId: 'cb-sum' })
    const id = newId(t, await executions.claim(given, lease()), 1)
    await executions.finish(id, { status: 'retry', inputTokens: 10, outputTokens: 5, reasoningTokens: 7, costUsd: 0.25, costUnknown: true, errorCode: 'PROVIDER_UNAVAILABLE', finishedAt: T0 + 100 }, OWNER)
    t.match(await executions.claim({ ...given, startedAt: T0 + 200 }, lease()), { kind: 'new', id, runs: 2 })
    const outputFields = { response: 'Hello', hs_execution_state: 'SUCCESS' }
    t.strictSame(await executions.finish(id, {
      status: 'success', provider: 'openai', model: 'gpt-4.1', inputTokens: 3, outputTokens: 4, cachedInputTokens: 2, costUsd: 0.5, costUnknown: false,
      finishReason: 'stop', adjustments: ['temperature dropped'], outputFields, fallbackReason: 'primary down', prompt: 'Say hi', response: 'Hello',
      finishedAt: T0 + 700, latencyMs: 500
    }, OWNER), { written: true, completionPending: false, lost: false })
    t.strictSame(await executions.find(id), {
      ...runningRow(id, { ...given, startedAt: T0 + 200 }),
      status: 'success', provider: 'openai', model: 'gpt-4.1', runs: 2, request: null,
      inputTokens: 13, outputTokens: 9, cachedInputTokens: 2, reasoningTokens: 7, costUsd: 0.75, costUnknown: 1,
      finishReason: 'stop', adjustments: '["temperature dropped"]', outputFields: JSON.stringify(outputFields), fallbackReason: 'primary down',
      prompt: 'Say hi', response: 'Hello', finishedAt: T0 + 700, latencyMs: 500, leaseOwner: null, leaseExpiresAt: null
    }, 'sums of both runs; a run that reported none leaves a column as it was')
  })

  storeCase('executions: a BLOCKed execution ignores a retry and queues its outcome; others do not queue', async (t, { repositories: { executions } }) => {
    const blocked = newId(t, await executions.claim(start(), lease()), 1)
    await executions.markBlocked(blocked)
    const before = await executions.find(blocked)
    t.strictSame(await executions.finish(blocked, { status: 'retry', inputTokens: 50, costUsd: 1, errorCode: 'PROVIDER_RATE_LIMITED', finishedAt: T0 + 50 }, OWNER),
      { written: false, completionPending: false, lost: false }, 'HubSpot will not retry: nothing is written')
    t.strictSame(await executions.find(blocked), before, 'the row is as it was')

    t.strictSame(await executions.finish(blocked, success({ finishedAt: T0 + 300 }), OWNER), { written: true, completionPending: true, lost: false })
    t.match(await executions.find(blocked), { status: 'success', completionState: 'pending', completionDueAt: T0 + 300, completionAttempts: 0, completionError: null })

    const plain = newId(t, await executions.claim(start(), lease()), 1)
    t.strictSame(await executions.finish(plain, success(), OWNER), { written: true, completionPending: false, lost: false }, 'HubSpot was answered directly')
    t.match(await executions.find(plain), { completionState: null, completionDueAt: null })

    const expired = newId(t, await executions.claim(start(), lease()), 1)
    await executions.markBlocked(expired)
    t.strictSame(await executions.finish(expired, success({ status: 'expired' }), OWNER), { written: true, completionPending: false, lost: false }, 'HubSpot stopped waiting')

    const nothingToSend = newId(t, await executions.claim(start(), lease()), 1)
    await executions.markBlocked(nothingToSend)
    t.strictSame(await executions.finish(nothingToSend, { status: 'failed', errorCode: 'INTERNAL', finishedAt: T0 + 10 }, OWNER), { written: true, completionPending: false, lost: false },
      'no outputFields, nothing to deliver')
    t.equal(await executions.countPendingCompletions(), 1)
  })

  storeCase('executions: the completion queue (claim order, limit, held by a lease, next due, count, delivered, failed attempts, redelivery)', async (t, { repositories: { executions } }) => {
    t.strictSame(await executions.claimCompletions(lease(), T0 + 10_000, 10), [], 'empty at first')
    t.equal(await executions.nextCompletionDue(), undefined)
    t.equal(await executions.countPendingCompletions(), 0)

    const queue = async (finishedAt: number) => {
      const id = newId(t, await executions.claim(start(), lease()), 1)
      await executions.markBlocked(id)
      await executions.finish(id, success({ finishedAt }), OWNER)
      return id
    }
    const late = await queue(T0 + 300)
    const early = await queue(T0 + 100)
    const middle = await queue(T0 + 200)
    await executions.finish(newId(t, await executions.claim(start(), lease()), 1), success({ finishedAt: T0 + 50 }), OWNER)
    const ids = (rows: ExecutionRow[]) => rows.map(row => row.id)
    t.match(await executions.find(early), { completionState: 'pending', leaseOwner: null, leaseExpiresAt: null }, 'the finish ended the execution\'s lease')

    t.strictSame(ids(await executions.claimCompletions(lease(OWNER, T0 + 99 + LEASE_MS), T0 + 99, 10)), [], 'none due yet')
    t.equal(await executions.nextCompletionDue(), T0 + 100)
    t.equal(await executions.countPendingCompletions(), 3)
    const claimed = await executions.claimCompletions(lease(OWNER, T0 + 200 + LEASE_MS), T0 + 200, 1)
    t.strictSame(ids(claimed), [early], 'oldest due first, at most limit')
    t.match(claimed[0], { leaseOwner: OWNER, leaseExpiresAt: T0 + 200 + LEASE_MS }, 'the claimed row as it is now, under the claimer\'s lease')
    t.strictSame(ids(await executions.claimCompletions(lease(OWNER, T0 + 200 + LEASE_MS), T0 + 200, 10)), [middle], 'due at now counts; a claimed one is not claimed again')
    t.strictSame(ids(await executions.claimCompletions(lease(RIVAL, T0 + 1_000 + LEASE_MS), T0 + 1_000, 10)), [late], 'another instance gets only what no live lease holds')
    t.ok((await executions.nextCompletionDue() ?? 0) >= T0 + 200 + LEASE_MS, 'the next that can be claimed waits for the earliest lease to run out')
    t.equal(await executions.countPendingCompletions(), 3, 'claimed ones are still pending')

    await executions.completionDelivered([], T0 + 400, OWNER)
    await executions.completionDelivered([early, middle], T0 + 400, RIVAL)
    t.match(await executions.find(early), { completionState: 'pending', completedAt: null, leaseOwner: OWNER }, 'only the claimer marks its completions delivered')
    await executions.completionDelivered([early, middle], T0 + 500, OWNER)
    for (const id of [early, middle]) {
      t.match(await executions.find(id), { completionState: 'delivered', completedAt: T0 + 500, completionDueAt: null, completionError: null, completionAttempts: 1, leaseOwner: null, leaseExpiresAt: null })
    }
    t.equal(await executions.countPendingCompletions(), 1)
    t.ok((await executions.nextCompletionDue() ?? 0) >= T0 + 1_000 + LEASE_MS, 'the rival\'s claim holds the last one')

    await executions.completionAttemptFailed([late], 'HTTP 503', T0 + 900, OWNER)
    t.match(await executions.find(late), { completionState: 'pending', completionAttempts: 0, completionError: null, leaseOwner: RIVAL }, 'only the claimer records a failed attempt')
    await executions.completionAttemptFailed([late], 'HTTP 503', T0 + 900, RIVAL)
    t.match(await executions.find(late), { completionState: 'pending', completionDueAt: T0 + 900, completionError: 'HTTP 503', completionAttempts: 1, completedAt: null, leaseOwner: null, leaseExpiresAt: null })
    t.equal(await executions.nextCompletionDue(), T0 + 900, 'the failed attempt handed the lease back')
    t.strictSame(ids(await executions.claimCompletions(lease(OWNER, T0 + 899 + LEASE_MS), T0 + 899, 10)), [], 'backing off')
    t.strictSame(ids(await executions.claimCompletions(lease(OWNER, T0 + 900 + LEASE_MS), T0 + 900, 10)), [late], 'then anyone may claim it')

    await executions.completionAttemptFailed([late], 'HTTP 400', undefined, OWNER)
    t.match(await executions.find(late), { completionState: 'failed', completionDueAt: null, completionError: 'HTTP 400', completionAttempts: 2, leaseOwner: null })
    t.equal(await executions.countPendingCompletions(), 0)
    t.equal(await executions.nextCompletionDue(), undefined)

    await executions.requestRedelivery(late, T0 + 2_000)
    t.match(await executions.find(late), { completionState: 'pending', completionDueAt: T0 + 2_000, completionError: null, completionAttempts: 0, leaseOwner: null, leaseExpiresAt: null })
    t.equal(await executions.countPendingCompletions(), 1)
    t.equal(await executions.nextCompletionDue(), T0 + 2_000)
    t.strictSame(ids(await executions.claimCompletions(lease(RIVAL, T0 + 2_000 + LEASE_MS), T0 + 2_000, 10)), [late])
  })

  storeCase('executions: a redelivery an operator asks for commits with its audit event, the completion before and after', async (t, { repositories: { executions, audit } }) => {
    const id = newId(t, await executions.claim(start(), lease()), 1)
    await executions.markBlocked(id)
    await executions.finish(id, success({ finishedAt: T0 + 10 }), OWNER)
    await executions.claimCompletions(lease(), T0 + 10, 10)
    await executions.completionAttemptFailed([id], 'HTTP 400', undefined, OWNER)

    await executions.requestRedelivery(id, T0 + 2_000, { actor: ACTOR })
    t.match(await executions.find(id), { completionState: 'pending', completionDueAt: T0 + 2_000, completionAttempts: 0, completionError: null })
    await executions.requestRedelivery(id + 1, T0 + 2_001, { actor: ACTOR })
    t.strictSame((await audit.list({ limit: 10 })).map(withoutId), [{
      portalId: PORTAL, provider: 'openai', action: 'redeliver', actor: ACTOR, at: T0 + 2_000, detail: String(id),
      before: { completion: 'failed', attempts: 1, error: 'HTTP 400' }, after: { completion: 'pending', attempts: 0, error: null }, instanceId: null
    }], 'one event; an execution that does not exist changes nothing and is not audited')
  })

  storeCase('executions: a redelivery requeues only a BLOCKed execution whose completion failed or is pending', async (t, { repositories: { executions } }) => {
    const direct = newId(t, await executions.claim(start(), lease()), 1)
    await executions.finish(direct, success({ finishedAt: T0 + 10 }), OWNER)
    t.equal(await executions.requestRedelivery(direct, T0 + 2_000), false, 'one answered in HubSpot\'s request is not resent')
    t.match(await executions.find(direct), { completionState: null })
    const delivered = newId(t, await executions.claim(start(), lease()), 1)
    await executions.markBlocked(delivered)
    await executions.finish(delivered, success({ finishedAt: T0 + 10 }), OWNER)
    await executions.claimCompletions(lease(), T0 + 10, 10)
    await executions.completionDelivered([delivered], T0 + 20, OWNER)
    t.equal(await executions.requestRedelivery(delivered, T0 + 2_000), false, 'one delivered meanwhile is not sent again')
    t.match(await executions.find(delivered), { completionState: 'delivered', completedAt: T0 + 20 })
  })

  storeCase('executions: at nextCompletionDue a completion whose claim ran out can be claimed, and not a millisecond before', async (t, { repositories: { executions } }) => {
    const id = newId(t, await executions.claim(start(), lease()), 1)
    await executions.markBlocked(id)
    await executions.finish(id, success({ finishedAt: T0 + 10 }), OWNER)
    t.strictSame((await executions.claimCompletions(lease(OWNER, T0 + 1_000), T0 + 10, 10)).map(row => row.id), [id])
    const next = await executions.nextCompletionDue() ?? Number.NaN
    t.strictSame(await executions.claimCompletions(lease(RIVAL, next - 1 + LEASE_MS), next - 1, 10), [], 'a millisecond before, the claim still holds')
    t.strictSame((await executions.claimCompletions(lease(RIVAL, next + LEASE_MS), next, 10)).map(row => row.id), [id],
      `at the time answered (T0 + ${next - T0} ms, the claim being held to T0 + 1000 ms) a claim finds it: the queue does not wake to nothing`)
  })

  storeCase('executions: of four instances claiming completions at once, each row goes to one; it is claimable again only once its lease ran out', async (t, { repositories: { executions } }) => {
    const pending: number[] = []
    for (let index = 0; index < 30; index++) {
      const id = newId(t, await executions.claim(start(), lease()), 1)
      await executions.markBlocked(id)
      await executions.finish(id, success({ finishedAt: T0 + index }), OWNER)
      pending.push(id)
    }
    const until = T0 + 100 + LEASE_MS
    const owners = ['instance-1', 'instance-2', 'instance-3', 'instance-4']
    const claims = await Promise.all(owners.map(owner => executions.claimCompletions(lease(owner, until), T0 + 100, 10)))
    const claimedIds = claims.flatMap(rows => rows.map(row => row.id))
    t.equal(claimedIds.length, new Set(claimedIds).size, `no row went to two instances (${claims.map(rows => rows.length).join(', ')})`)
    t.ok(claims.every(rows => rows.length <= 10), 'none claimed more than its limit')
    t.strictSame([...claimedIds].sort((a, b) => a - b), pending, 'and together they claimed every due row')
    t.ok(claims.every((rows, index) => rows.every(row => row.leaseOwner === owners[index] && row.leaseExpiresAt === until)), 'each row carries its claimer\'s lease')
    for (const [index, rows] of claims.entries()) {
      for (const row of rows) t.equal((await executions.find(row.id))?.leaseOwner, owners[index])
    }

    t.strictSame(await executions.claimCompletions(lease(RIVAL, until + LEASE_MS), until, 100), [], 'not while the leases last (to their last millisecond)')
    const after = await executions.claimCompletions(lease(RIVAL, until + 1 + LEASE_MS), until + 1, 100)
    t.strictSame(after.map(row => row.id), pending, 'every one once the leases ran out, due order')
    await executions.completionDelivered(pending, until + 2, 'instance-1')
    t.equal(await executions.countPendingCompletions(), 30, 'the instance whose lease ran out can no longer mark them delivered')
    await executions.completionDelivered(pending, until + 2, RIVAL)
    t.equal(await executions.countPendingCompletions(), 0)
  })

  storeCase('executions: startRun, unfinished, findForPortal', async (t, { repositories: { executions } }) => {
    t.strictSame(await executions.unfinished(), [])
    const first = newId(t, await executions.claim(start(), lease()), 1)
    const second = newId(t, await executions.claim(start(), lease()), 1)
    const third = newId(t, await executions.claim(start({ portalId: OTHER_PORTAL }), lease()), 1)
    t.equal(await executions.startRun(first, OWNER), 2)
    t.equal(await executions.startRun(first, OWNER), 3)
    t.equal((await executions.find(first))?.runs, 3)
    t.equal(await executions.startRun(999_999, OWNER), 0, 'no such execution')

    await executions.finish(second, success(), OWNER)
    t.strictSame((await executions.unfinished()).map(row => [row.id, row.status, row.runs]), [[first, 'running', 3], [third, 'running', 1]], 'running ones, by id')

    t.strictSame(await executions.findForPortal(PORTAL, second), await executions.find(second))
    t.equal(await executions.findForPortal(OTHER_PORTAL, second), undefined, 'another portal\'s id is refused')
    t.equal(await executions.findForPortal(PORTAL, 999_999), undefined)
    t.equal(await executions.find(999_999), undefined)
  })

  storeCase('leases: an instance that does not hold an execution\'s lease can neither finish it nor start another run', async (t, { repositories: { executions } }) => {
    const given = start()
    const id = newId(t, await executions.claim(given, lease()), 1)
    t.strictSame(await executions.finish(id, success(), RIVAL), { written: false, completionPending: false, lost: true }, 'the other instance is told it lost the execution')
    t.equal(await executions.startRun(id, RIVAL), 0, 'and counts no run')
    t.strictSame(await executions.find(id), runningRow(id, given), 'the row is as the claim wrote it')

    t.equal(await executions.startRun(id, OWNER), 2, 'the owner counts its run')
    t.strictSame(await executions.finish(id, success(), OWNER), { written: true, completionPending: false, lost: false })
    t.match(await executions.find(id), { status: 'success', leaseOwner: null, leaseExpiresAt: null }, 'the write ends the lease')
    t.strictSame(await executions.finish(id, success({ finishedAt: T0 + 900 }), OWNER), { written: false, completionPending: false, lost: true }, 'a finished execution is lost to a second finish')
    t.equal((await executions.find(id))?.finishedAt, T0 + 500, 'which wrote nothing')
    t.equal(await executions.startRun(id, OWNER), 0, 'nor does a finished one start again')
    t.strictSame(await executions.finish(999_999, success(), OWNER), { written: false, completionPending: false, lost: true }, 'an unknown execution is lost too')
  })

  storeCase('leases: takeOver takes running executions whose lease ran out, oldest first, for the new owner, and drops their holds', async (t, { driver, repositories: { executions, budgets } }) => {
    const running = (until: number) => executions.claim(start(), lease(OWNER, until))
    const live = newId(t, await running(T0 + 10_000), 1)
    const expiredFirst = newId(t, await running(T0 + 100), 1)
    const expiredSecond = newId(t, await running(T0 + 200), 1)
    const edge = newId(t, await running(T0 + 500), 1)
    const legacy = newId(t, await running(T0 + 10_000), 1)
    // Written before leases existed: no owner, no expiry.
    await driver.run(driver.db.update(driver.tables.executions).set({ leaseOwner: null, leaseExpiresAt: null }).where(eq(driver.tables.executions.id, legacy)))
    const finished = newId(t, await running(T0 + 100), 1)
    await executions.finish(finished, success(), OWNER)
    await budgets.save(PORTAL, { monthlyLimitUsd: 100, warnAtPercent: null, timeZone: null }, ACTOR, T0)
    t.match(await budgets.reserve(PORTAL, JANUARY, { executionId: expiredFirst, owner: OWNER, amountUsd: 4 }), { kind: 'fits', reservedUsd: 4 })

    const rival = lease(RIVAL, T0 + 500 + LEASE_MS)
    const first = await executions.takeOver(rival, T0 + 500, 2)
    t.strictSame(first.map(row => row.id), [expiredFirst, expiredSecond], 'oldest first, at most limit')
    t.ok(first.every(row => row.leaseOwner === RIVAL && row.leaseExpiresAt === rival.until && row.reservedUsd === null && row.status === 'running'), 'answered as they are now: the new owner\'s, without a hold')
    t.strictSame((await executions.takeOver(rival, T0 + 500, 10)).map(row => row.id), [legacy], 'then one without any lease; not the live one, nor one held to this very millisecond')
    t.strictSame(await executions.takeOver(rival, T0 + 500, 10), [], 'nothing is taken twice while the new lease lasts')
    t.match(await executions.find(live), { leaseOwner: OWNER, leaseExpiresAt: T0 + 10_000 })
    t.match(await executions.find(edge), { leaseOwner: OWNER, leaseExpiresAt: T0 + 500 })
    t.match(await executions.find(finished), { status: 'success', leaseOwner: null }, 'a finished execution is never taken')
    t.match(await budgets.standing(PORTAL, JANUARY), { spentUsd: 0, reservedUsd: 0 }, 'the old run\'s hold went with its lease')

    t.strictSame(await executions.finish(expiredFirst, success(), OWNER), { written: false, completionPending: false, lost: true }, 'the old owner can no longer write')
    t.equal(await executions.startRun(expiredFirst, RIVAL), 2, 'the new owner runs it')
    t.strictSame(await executions.finish(expiredFirst, success(), RIVAL), { written: true, completionPending: false, lost: false })
    t.strictSame((await executions.takeOver(lease(OWNER, T0 + 40_000 + LEASE_MS), T0 + 40_000, 10)).map(row => row.id), [live, expiredSecond, edge, legacy],
      'once every lease ran out, every running one, whoever held it')
  })

  storeCase('leases: of two instances taking over at once, each execution goes to one', async (t, { repositories: { executions } }) => {
    const ids: number[] = []
    for (let index = 0; index < 20; index++) ids.push(newId(t, await executions.claim(start(), lease(OWNER, T0 + 100)), 1))
    const [mine, theirs] = await Promise.all([
      executions.takeOver(lease('instance-1', T0 + 1_000 + LEASE_MS), T0 + 1_000, 20),
      executions.takeOver(lease('instance-2', T0 + 1_000 + LEASE_MS), T0 + 1_000, 20)
    ])
    const taken = [...(mine ?? []), ...(theirs ?? [])].map(row => row.id)
    t.equal(taken.length, 20, `each taken once (${mine?.length} and ${theirs?.length})`)
    t.strictSame([...taken].sort((a, b) => a - b), ids, 'and every one taken')
    for (const row of mine ?? []) t.equal((await executions.find(row.id))?.leaseOwner, 'instance-1')
    for (const row of theirs ?? []) t.equal((await executions.find(row.id))?.leaseOwner, 'instance-2')
  })

  storeCase('leases: renewLeases extends the owner\'s leases on the executions it names and answers those it still holds', async (t, { repositories: { executions } }) => {
    const kept = newId(t, await executions.claim(start(), lease(OWNER, T0 + 1_000)), 1)
    const lost = newId(t, await executions.claim(start(), lease(OWNER, T0 + 100)), 1)
    const theirs = newId(t, await executions.claim(start(), lease(RIVAL, T0 + 1_000)), 1)
    const unnamed = newId(t, await executions.claim(start(), lease(OWNER, T0 + 1_000)), 1)
    const completion = newId(t, await executions.claim(start(), lease()), 1)
    await executions.markBlocked(completion)
    await executions.finish(completion, success(), OWNER)
    t.strictSame((await executions.claimCompletions(lease(OWNER, T0 + 1_000), T0 + 500, 10)).map(row => row.id), [completion])
    t.strictSame((await executions.takeOver(lease(RIVAL, T0 + 1_000), T0 + 200, 10)).map(row => row.id), [lost], 'the other instance took one over')

    t.strictSame([...await executions.renewLeases(OWNER, T0 + 5_000, [kept, lost, theirs])], [kept], 'only the one still held')
    t.match(await executions.find(kept), { leaseOwner: OWNER, leaseExpiresAt: T0 + 5_000 })
    t.match(await executions.find(lost), { leaseOwner: RIVAL, leaseExpiresAt: T0 + 1_000 }, 'a lost one is left to its new owner')
    t.match(await executions.find(theirs), { leaseOwner: RIVAL, leaseExpiresAt: T0 + 1_000 })
    t.match(await executions.find(unnamed), { leaseOwner: OWNER, leaseExpiresAt: T0 + 1_000 }, 'a lease not named is left to run out')
    t.match(await executions.find(completion), { leaseOwner: OWNER, leaseExpiresAt: T0 + 1_000 })

    // More ids than one statement takes: the ones past the first slice are renewed too.
    const many = [...Array.from({ length: 1_500 }, (_, index) => 1_000_000 + index), unnamed]
    t.strictSame([...await executions.renewLeases(OWNER, T0 + 5_500, many)], [unnamed], 'found past the first thousand ids')
    t.match(await executions.find(unnamed), { leaseExpiresAt: T0 + 5_500 })

    await executions.finish(kept, success(), OWNER)
    t.strictSame([...await executions.renewLeases(OWNER, T0 + 6_000, [kept])], [], 'a finished execution holds no lease')
    t.strictSame([...await executions.renewLeases(OWNER, T0 + 6_000, [])], [], 'nothing named, nothing renewed')
    t.strictSame([...await executions.renewLeases(RIVAL, T0 + 6_000, [lost, theirs])].sort((a, b) => a - b), [lost, theirs])
  })

  storeCase('leases: releaseLeases makes the owner\'s work takeable at once, and only the owner\'s', async (t, { repositories: { executions } }) => {
    const running = newId(t, await executions.claim(start(), lease()), 1)
    const completion = newId(t, await executions.claim(start(), lease()), 1)
    await executions.markBlocked(completion)
    await executions.finish(completion, success({ finishedAt: T0 + 10 }), OWNER)
    t.strictSame((await executions.claimCompletions(lease(), T0 + 10, 10)).map(row => row.id), [completion])
    const theirs = newId(t, await executions.claim(start(), lease(RIVAL)), 1)
    const third = lease('instance-c', T0 + 20 + LEASE_MS)
    t.strictSame(await executions.takeOver(third, T0 + 20, 10), [], 'every lease is live')
    t.strictSame(await executions.claimCompletions(third, T0 + 20, 10), [])
    t.ok((await executions.nextCompletionDue() ?? 0) >= T0 + LEASE_MS, 'the completion waits for its lease')

    t.equal(await executions.releaseLeases(OWNER), 2, 'the running execution and the completion')
    t.equal(await executions.nextCompletionDue(), T0 + 10, 'the completion can be claimed again at once')
    t.strictSame((await executions.takeOver(third, T0 + 20, 10)).map(row => [row.id, row.leaseOwner]), [[running, 'instance-c']])
    t.strictSame((await executions.claimCompletions(third, T0 + 20, 10)).map(row => [row.id, row.leaseOwner]), [[completion, 'instance-c']])
    t.match(await executions.find(theirs), { leaseOwner: RIVAL, leaseExpiresAt: T0 + LEASE_MS }, 'another owner\'s lease is not touched')
    t.equal(await executions.releaseLeases(OWNER), 0, 'nothing left to release')
  })

  storeCase('budgets: of 20 concurrent 1 USD reservations on a 10 USD budget, exactly 10 fit and the rest are held', async (t, { repositories: { executions, budgets } }) => {
    await budgets.save(PORTAL, { monthlyLimitUsd: 10, warnAtPercent: null, timeZone: null }, ACTOR, T0)
    const ids: number[] = []
    for (let index = 0; index < 20; index++) ids.push(newId(t, await executions.claim(start(), lease()), 1))
    const standings = await Promise.all(ids.map(executionId => budgets.reserve(PORTAL, JANUARY, { executionId, owner: OWNER, amountUsd: 1 })))
    const fitting = ids.filter((_id, index) => standings[index]?.kind === 'fits')
    t.equal(fitting.length, 10, 'exactly ten fit')
    t.equal(standings.filter(standing => standing.kind === 'held').length, 10, 'the other ten are held back, not refused')
    t.strictSame(standings.filter(standing => standing.kind === 'fits').map(standing => 'reservedUsd' in standing ? standing.reservedUsd : -1).sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'each saw the holds committed before it')
    for (const id of ids) t.equal((await executions.find(id))?.reservedUsd, fitting.includes(id) ? 1 : null, `execution ${id} holds only what fit`)
    t.match(await budgets.standing(PORTAL, JANUARY), { month: '2026-01', spentUsd: 0, reservedUsd: 10 })
    t.match(await budgets.find(PORTAL), { ledgerMonth: '2026-01', spentUsd: 0 }, 'the month\'s ledger is kept on the budget')

    // Each call cost 0.5 USD, not the 1 it held: the real cost replaces the estimate, then the outcome is written and settled.
    for (const id of fitting) await budgets.adjustHold(id, OWNER, -0.5)
    t.match(await budgets.standing(PORTAL, JANUARY), { spentUsd: 0, reservedUsd: 5 })
    await budgets.adjustHold(fitting[0] ?? 0, RIVAL, 5)
    t.match(await budgets.standing(PORTAL, JANUARY), { reservedUsd: 5 }, 'only the lease\'s owner changes a hold')
    for (const id of fitting) await executions.finish(id, success({ costUsd: 0.5 }), OWNER)
    t.match(await budgets.standing(PORTAL, JANUARY), { spentUsd: 0, reservedUsd: 5 }, 'a written cost is counted by its hold until settled')
    const settled = await Promise.all(fitting.map(id => budgets.settle(PORTAL, id, '2026-01', 0.5)))
    t.strictSame(settled.map(result => result?.spentUsd).sort((a, b) => (a ?? 0) - (b ?? 0)), [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5], 'each settle added its cost once')
    t.strictSame(await Promise.all(fitting.map(id => budgets.settle(PORTAL, id, '2026-01', 0.5))), fitting.map(() => undefined), 'a second settle counts nothing')
    t.match(await budgets.standing(PORTAL, JANUARY), { spentUsd: 5, reservedUsd: 0 })
    t.equal(await budgets.monthSpend(PORTAL, JANUARY), 5, 'the ledger agrees with the executions\' recorded cost')

    const waiting = ids.filter(id => !fitting.includes(id))
    const again = await Promise.all(waiting.map(executionId => budgets.reserve(PORTAL, JANUARY, { executionId, owner: OWNER, amountUsd: 1 })))
    t.strictSame(again.map(standing => standing.kind).sort(), [...Array.from({ length: 5 }, () => 'fits'), ...Array.from({ length: 5 }, () => 'held')], 'the five dollars left fit five more')
    t.match(await budgets.reserve(PORTAL, JANUARY, { executionId: waiting[0] ?? 0, owner: OWNER, amountUsd: 6 }), { kind: 'exceeded', spentUsd: 5 }, 'more than the spend leaves is refused for good')
    t.match(await budgets.reserve(PORTAL, JANUARY), { kind: 'held', spentUsd: 5, reservedUsd: 5 }, 'without a reservation: where the month stands')
    t.strictSame(await budgets.reserve(OTHER_PORTAL, JANUARY, { executionId: waiting[0] ?? 0, owner: OWNER, amountUsd: 1 }), { kind: 'none' }, 'a portal without a budget')
  })

  storeCase('budgets: a reservation for an execution the instance does not hold is lost and reserves nothing', async (t, { repositories: { executions, budgets } }) => {
    await budgets.save(PORTAL, { monthlyLimitUsd: 10, warnAtPercent: null, timeZone: null }, ACTOR, T0)
    const theirs = newId(t, await executions.claim(start(), lease(RIVAL)), 1)
    t.strictSame(await budgets.reserve(PORTAL, JANUARY, { executionId: theirs, owner: OWNER, amountUsd: 1 }), { kind: 'lost' })
    const finished = newId(t, await executions.claim(start(), lease()), 1)
    await executions.finish(finished, success(), OWNER)
    t.strictSame(await budgets.reserve(PORTAL, JANUARY, { executionId: finished, owner: OWNER, amountUsd: 1 }), { kind: 'lost' }, 'nor one that finished')
    t.match(await budgets.standing(PORTAL, JANUARY), { spentUsd: 0, reservedUsd: 0 })
    t.equal((await executions.find(theirs))?.reservedUsd, null)
    t.match(await budgets.reserve(PORTAL, JANUARY, { executionId: theirs, owner: RIVAL, amountUsd: 1 }), { kind: 'fits', reservedUsd: 1 }, 'its owner reserves')
    await budgets.releaseHold(theirs, OWNER)
    t.equal((await executions.find(theirs))?.reservedUsd, 1, 'and only its owner drops the hold')
    await budgets.releaseHold(theirs, RIVAL)
    t.equal((await executions.find(theirs))?.reservedUsd, null)
  })

  storeCase('budgets: sweepHolds drops the holds left on finished executions and has their months summed afresh', async (t, { repositories: { executions, budgets } }) => {
    await budgets.save(PORTAL, { monthlyLimitUsd: 10, warnAtPercent: null, timeZone: null }, ACTOR, T0)
    await budgets.save(OTHER_PORTAL, { monthlyLimitUsd: 10, warnAtPercent: null, timeZone: null }, ACTOR, T0)
    const reserved = async (portalId: number, amountUsd: number) => {
      const id = newId(t, await executions.claim(start({ portalId }), lease()), 1)
      t.match(await budgets.reserve(portalId, JANUARY, { executionId: id, owner: OWNER, amountUsd }), { kind: 'fits' })
      return id
    }
    // Their instance died between writing the outcome and settling it.
    const stale = await reserved(PORTAL, 2)
    await executions.finish(stale, success({ costUsd: 1.5, finishedAt: T0 + 100 }), OWNER)
    const recent = await reserved(PORTAL, 1)
    await executions.finish(recent, success({ costUsd: 0.25, finishedAt: T0 + 900 }), OWNER)
    const stillRunning = await reserved(PORTAL, 3)
    const elsewhere = await reserved(OTHER_PORTAL, 1)
    t.match(await budgets.standing(PORTAL, JANUARY), { spentUsd: 0, reservedUsd: 6 })

    t.equal(await budgets.sweepHolds(T0 + 500), 1, 'the hold of the execution finished before then')
    t.equal((await executions.find(stale))?.reservedUsd, null)
    t.equal((await executions.find(recent))?.reservedUsd, 1, 'a recent one may still be settled')
    t.equal((await executions.find(stillRunning))?.reservedUsd, 3, 'a running one is never swept')
    t.match(await budgets.find(PORTAL), { ledgerMonth: null }, 'the portal\'s ledger is summed afresh')
    t.match(await budgets.find(OTHER_PORTAL), { ledgerMonth: '2026-01' }, 'another portal\'s is kept')
    t.match(await budgets.standing(PORTAL, JANUARY), { spentUsd: 1.5, reservedUsd: 4 }, 'the swept cost counts once, in the spend')
    t.match(await budgets.reserve(PORTAL, JANUARY), { kind: 'fits', spentUsd: 1.5, reservedUsd: 4 })
    t.match(await budgets.find(PORTAL), { ledgerMonth: '2026-01', spentUsd: 1.5 }, 'the next reservation kept the new sum')

    t.equal(await budgets.settle(PORTAL, stale, '2026-01', 1.5), undefined, 'a late settle of a swept hold counts nothing')
    t.equal(await budgets.sweepHolds(T0 + 1_000), 1, 'then the recent one')
    t.equal(await budgets.sweepHolds(T0 + 1_000), 0, 'nothing left to sweep')
    t.match(await budgets.standing(PORTAL, JANUARY), { spentUsd: 1.75, reservedUsd: 3 })
    t.equal((await executions.find(elsewhere))?.reservedUsd, 1)
  })

  storeCase('executions: recent pages newest first, by before and status', async (t, { repositories: { executions } }) => {
    const ids: number[] = []
    for (const status of ['success', 'failed', 'success', 'failed', 'running'] as const) {
      const id = newId(t, await executions.claim(start(), lease()), 1)
      if (status !== 'running') await executions.finish(id, status === 'success' ? success() : { status, errorCode: 'PROVIDER_AUTH', finishedAt: T0 + 5 }, OWNER)
      ids.push(id)
    }
    const other = newId(t, await executions.claim(start({ portalId: OTHER_PORTAL }), lease()), 1)
    const [e1, e2, e3, e4, e5] = ids
    const page = async (...args: Parameters<typeof executions.recent>) => (await executions.recent(...args)).map(row => row.id)
    t.strictSame(await page(PORTAL, 2), [e5, e4])
    t.strictSame(await page(PORTAL, 2, e4), [e3, e2], 'older than before')
    t.strictSame(await page(PORTAL, 2, e2), [e1], 'the last page')
    t.strictSame(await page(PORTAL, 10, undefined, 'failed'), [e4, e2])
    t.strictSame(await page(PORTAL, 10, e4, 'failed'), [e2])
    t.strictSame(await page(PORTAL, 10, undefined, 'running'), [e5])
    t.strictSame(await page(PORTAL, 10, undefined, 'expired'), [])
    t.strictSame(await page(OTHER_PORTAL, 10), [other])
    t.strictSame(await page(THIRD_PORTAL, 10), [])
  })

  storeCase('executions: usage grouped by provider, model, action and UTC day; usageByPortal sums and order', async (t, { driver, repositories: { executions } }) => {
    const from = Date.UTC(2026, 0, 1)
    const to = Date.UTC(2026, 0, 3)
    const run = async (portalId: number, action: string, startedAt: number, finish?: Omit<ExecutionFinish, 'finishedAt'>) => {
      const id = newId(t, await executions.claim(start({ portalId, action, startedAt }), lease()), 1)
      if (finish !== undefined) await executions.finish(id, { ...finish, finishedAt: startedAt + 1 }, OWNER)
    }
    await run(PORTAL, 'custom-llm', from, { status: 'success', provider: 'openai', model: 'gpt-4.1', inputTokens: 10, outputTokens: 20, cachedInputTokens: 4, costUsd: 0.5 })
    await run(PORTAL, 'custom-llm', Date.UTC(2026, 0, 1, 23, 59, 59, 999), { status: 'failed', provider: 'openai', model: 'gpt-4.1-mini', inputTokens: 5, outputTokens: 0, costUsd: 0.25, costUnknown: true })
    await run(PORTAL, 'openai-assistant', Date.UTC(2026, 0, 2), { status: 'success', provider: 'anthropic', model: 'claude-sonnet-4', inputTokens: 7, outputTokens: 8, reasoningTokens: 3, costUsd: 0.125 })
    await run(PORTAL, 'custom-llm', Date.UTC(2026, 0, 2, 12)) // still running: counted, with nothing spent
    await run(PORTAL, 'custom-llm', to, { status: 'success', provider: 'openai', model: 'gpt-4.1', inputTokens: 1000, costUsd: 64 })
    await run(PORTAL, 'custom-llm', from - 1, { status: 'success', provider: 'openai', model: 'gpt-4.1', inputTokens: 1000, costUsd: 32 })
    await run(OTHER_PORTAL, 'custom-llm', from + 5, { status: 'success', provider: 'openai', model: 'gpt-4.1', inputTokens: 1, outputTokens: 1, costUsd: 1 })
    await run(OTHER_PORTAL, 'custom-llm', from + 6, { status: 'failed', provider: 'openai', model: 'gpt-4.1', costUnknown: true })
    await run(THIRD_PORTAL, 'custom-llm', from + 7, { status: 'success', provider: 'xai', model: 'grok-4', inputTokens: 2, outputTokens: 2, costUsd: 0.875 })

    // None of these ran in economy mode (the economy columns are covered by test/routes/admin-economy.test.ts).
    const noEconomy = { economyExecutions: 0, economyCostUsd: 0, savedUsd: 0 }
    const none = { executions: 1, errors: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, costUsd: 0, unpricedExecutions: 0, ...noEconomy }
    const openai = { executions: 2, errors: 1, inputTokens: 15, cachedInputTokens: 4, outputTokens: 20, reasoningTokens: 0, costUsd: 0.75, unpricedExecutions: 1, ...noEconomy }
    const anthropic = { executions: 1, errors: 0, inputTokens: 7, cachedInputTokens: 0, outputTokens: 8, reasoningTokens: 3, costUsd: 0.125, unpricedExecutions: 0, ...noEconomy }
    const byProvider = [{ provider: null, ...none }, { provider: 'anthropic', ...anthropic }, { provider: 'openai', ...openai }]
    const byModel = [
      { provider: null, model: null, ...none },
      { provider: 'anthropic', model: 'claude-sonnet-4', ...anthropic },
      { provider: 'openai', model: 'gpt-4.1', executions: 1, errors: 0, inputTokens: 10, cachedInputTokens: 4, outputTokens: 20, reasoningTokens: 0, costUsd: 0.5, unpricedExecutions: 0, ...noEconomy },
      { provider: 'openai', model: 'gpt-4.1-mini', executions: 1, errors: 1, inputTokens: 5, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, costUsd: 0.25, unpricedExecutions: 1, ...noEconomy }
    ]
    // Executions not yet finished have no provider: their group is part of every report, and where it sorts is part of the answer.
    const usage = (groupBy: 'provider' | 'model' | 'action' | 'day') => executions.usage(PORTAL, from, to, groupBy)
    const sortedByKey = (rows: readonly object[]) => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
    t.strictSame(sortedByKey(await usage('provider')), sortedByKey(byProvider), 'by provider: the groups and their sums')
    t.strictSame(await usage('provider'), byProvider, 'by provider, in order (no provider first)')
    t.strictSame(sortedByKey(await usage('model')), sortedByKey(byModel), 'by model: the groups and their sums')
    t.strictSame(await usage('model'), byModel, 'by model, in order (no provider first)')
    t.strictSame(await usage('action'), [
      { action: 'custom-llm', executions: 3, errors: 1, inputTokens: 15, cachedInputTokens: 4, outputTokens: 20, reasoningTokens: 0, costUsd: 0.75, unpricedExecutions: 1, ...noEconomy },
      { action: 'openai-assistant', ...anthropic }
    ], 'by action')
    t.strictSame(await usage('day'), [
      { day: '2026-01-01', ...openai },
      { day: '2026-01-02', executions: 2, errors: 0, inputTokens: 7, cachedInputTokens: 0, outputTokens: 8, reasoningTokens: 3, costUsd: 0.125, unpricedExecutions: 0, ...noEconomy }
    ], 'by UTC day: 23:59:59.999 is still the first')
    t.strictSame(await executions.usage(PORTAL, to + 1, to + 2), [], 'nothing in the range')

    const totals = { executions: 4, errors: 1, inputTokens: 22, cachedInputTokens: 4, outputTokens: 28, reasoningTokens: 3, costUsd: 0.875, unpricedExecutions: 1, ...noEconomy }
    t.strictSame(await executions.usageByPortal(from, to), [
      { portalId: OTHER_PORTAL, executions: 2, errors: 1, inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0, costUsd: 1, unpricedExecutions: 1, ...noEconomy },
      { portalId: PORTAL, ...totals },
      { portalId: THIRD_PORTAL, executions: 1, errors: 0, inputTokens: 2, cachedInputTokens: 0, outputTokens: 2, reasoningTokens: 0, costUsd: 0.875, unpricedExecutions: 0, ...noEconomy }
    ], 'the biggest spender first, then by portal id')
    t.strictSame(await executions.usageByPortal(to + 1, to + 2), [])
  })

  storeCase('connections: connect, switch, allowlist, status and remove, each seen by find at once and audited', async (t, { repositories: { connections } }) => {
    t.equal(await connections.find(PORTAL, 'openai'), undefined)
    t.equal(await connections.save(connection({ at: T0 })), 'connect')
    const connected = await connections.find(PORTAL, 'openai')
    const id = connected?.id
    t.type(id, 'number')
    const record = { id, portalId: PORTAL, provider: 'openai', encryptedKey: 'v1.k.iv.one', keyHint: 'AAAA', baseUrl: null, status: 'connected', allowedModels: null, connectedAt: T0, lastValidatedAt: T0 }
    t.strictSame(connected, record)

    t.equal(await connections.setAllowedModels(PORTAL, 'openai', ['gpt-4.1', 'gpt-4.1-mini'], ACTOR, T0 + 1), true)
    t.strictSame(await connections.find(PORTAL, 'openai'), { ...record, allowedModels: ['gpt-4.1', 'gpt-4.1-mini'] }, 'the allowlist at once')

    t.equal(await connections.save(connection({ encryptedKey: 'v1.k.iv.two', keyHint: 'BBBB', baseUrl: 'https://proxy.example/v1', at: T0 + 2 })), 'switch_key')
    const switched = { ...record, encryptedKey: 'v1.k.iv.two', keyHint: 'BBBB', baseUrl: 'https://proxy.example/v1', allowedModels: ['gpt-4.1', 'gpt-4.1-mini'], connectedAt: T0 + 2, lastValidatedAt: T0 + 2 }
    t.strictSame(await connections.find(PORTAL, 'openai'), switched, 'the switched key at once, the allowlist kept, the same row')

    await connections.setStatus(PORTAL, 'openai', 'invalid', T0 + 3)
    t.strictSame(await connections.find(PORTAL, 'openai'), { ...switched, status: 'invalid' }, 'a rejected key at once; lastValidatedAt stays')
    await connections.setStatus(PORTAL, 'openai', 'connected', T0 + 4)
    t.strictSame(await connections.find(PORTAL, 'openai'), { ...switched, lastValidatedAt: T0 + 4 }, 'connected again, validated now')

    t.equal(await connections.setAllowedModels(PORTAL, 'openai', null, ACTOR, T0 + 5), true)
    t.strictSame(await connections.find(PORTAL, 'openai'), { ...switched, lastValidatedAt: T0 + 4, allowedModels: null })

    t.equal(await connections.remove(PORTAL, 'openai', ACTOR, T0 + 6), true)
    t.equal(await connections.find(PORTAL, 'openai'), undefined, 'gone at once')
    t.equal(await connections.remove(PORTAL, 'openai', ACTOR, T0 + 7), false, 'nothing to remove')
    t.equal(await connections.setAllowedModels(PORTAL, 'openai', ['x'], ACTOR, T0 + 7), false, 'nothing to restrict')

    const trail = await connections.auditTrail(PORTAL)
    t.ok(trail.every((row, index) => index === 0 || row.id > (trail[index - 1]?.id ?? Infinity)), 'oldest first')
    const event = (action: string, at: number, detail: string | null, before: unknown, after: unknown) =>
      ({ portalId: PORTAL, provider: 'openai', action, actor: ACTOR, detail, before, after, at, instanceId: null })
    t.strictSame(trail.map(withoutId), [
      event('connect', T0, null, null, { keyHint: 'AAAA', baseUrl: null }),
      event('allowed_models', T0 + 1, 'gpt-4.1,gpt-4.1-mini', { allowedModels: null }, { allowedModels: ['gpt-4.1', 'gpt-4.1-mini'] }),
      event('switch_key', T0 + 2, null, { keyHint: 'AAAA', baseUrl: null }, { keyHint: 'BBBB', baseUrl: 'https://proxy.example/v1' }),
      event('allowed_models', T0 + 5, 'all', { allowedModels: ['gpt-4.1', 'gpt-4.1-mini'] }, { allowedModels: null }),
      event('disconnect', T0 + 6, null, { keyHint: 'BBBB', baseUrl: 'https://proxy.example/v1', allowedModels: null }, null)
    ], 'one event per change, before and after, never the key; a status change and a failed remove write none')
  })

  storeCase('connections: list is by provider and per portal; allCiphertexts has every key', async (t, { repositories: { connections } }) => {
    await connections.save(connection({ provider: 'xai', encryptedKey: 'c-xai' }))
    await connections.save(connection({ provider: 'anthropic', encryptedKey: 'c-anthropic' }))
    await connections.save(connection({ provider: 'openai', encryptedKey: 'c-openai' }))
    await connections.save(connection({ portalId: OTHER_PORTAL, provider: 'openai', encryptedKey: 'c-other' }))
    await connections.setStatus(PORTAL, 'xai', 'key_unreadable', T0 + 1)
    const listed = await connections.list(PORTAL)
    t.strictSame(listed.map(row => [row.provider, row.encryptedKey, row.status]), [['anthropic', 'c-anthropic', 'connected'], ['openai', 'c-openai', 'connected'], ['xai', 'c-xai', 'key_unreadable']])
    t.strictSame(listed[1], await connections.find(PORTAL, 'openai'), 'the same record as find')
    t.strictSame((await connections.list(OTHER_PORTAL)).map(row => row.encryptedKey), ['c-other'])
    t.strictSame(await connections.list(THIRD_PORTAL), [])

    const all = [...await connections.allCiphertexts()].sort((a, b) => a.id - b.id)
    t.strictSame(all.map(({ id: _id, ...row }) => row), [
      { portalId: PORTAL, provider: 'xai', encryptedKey: 'c-xai', status: 'key_unreadable' },
      { portalId: PORTAL, provider: 'anthropic', encryptedKey: 'c-anthropic', status: 'connected' },
      { portalId: PORTAL, provider: 'openai', encryptedKey: 'c-openai', status: 'connected' },
      { portalId: OTHER_PORTAL, provider: 'openai', encryptedKey: 'c-other', status: 'connected' }
    ], 'by id: each with its portal, provider and status')
  })

  storeCase('assistants: create, list order, find, update and remove, each audited with before and after', async (t, { repositories: { assistants, audit } }) => {
    const fields = { name: 'beta', model: 'gpt-4.1', instructions: 'Summarise.', temperature: 0.5, reasoningEffort: null }
    const created = await assistants.create(PORTAL, 'asst-b', fields, ACTOR, T0)
    const row = { id: 'asst-b', portalId: PORTAL, ...fields, createdAt: T0, updatedAt: T0 }
    t.strictSame(created, row)
    await assistants.create(PORTAL, 'asst-a', { ...fields, temperature: null, reasoningEffort: 'high' }, ACTOR, T0 + 1)
    await assistants.create(PORTAL, 'asst-c', { ...fields, name: 'alpha' }, ACTOR, T0 + 2)
    t.strictSame((await assistants.list(PORTAL)).map(assistant => assistant.id), ['asst-c', 'asst-a', 'asst-b'], 'by name, then id')
    t.strictSame(await assistants.list(OTHER_PORTAL), [])
    t.strictSame(await assistants.find(PORTAL, 'asst-b'), row)
    t.equal(await assistants.find(OTHER_PORTAL, 'asst-b'), undefined, 'not another portal\'s')

    const changed = { name: 'gamma', model: 'claude-sonnet-4', instructions: 'Translate.', temperature: null, reasoningEffort: 'low' }
    t.strictSame(await assistants.update(PORTAL, 'asst-b', changed, ACTOR, T0 + 3), { ...row, ...changed, updatedAt: T0 + 3 })
    t.strictSame(await assistants.find(PORTAL, 'asst-b'), { ...row, ...changed, updatedAt: T0 + 3 })
    t.equal(await assistants.update(PORTAL, 'asst-missing', changed, ACTOR, T0 + 3), undefined)
    t.equal(await assistants.update(OTHER_PORTAL, 'asst-b', changed, ACTOR, T0 + 3), undefined)

    t.equal(await assistants.remove(PORTAL, 'asst-c', ACTOR, T0 + 4), true)
    t.equal(await assistants.remove(PORTAL, 'asst-c', ACTOR, T0 + 5), false)
    t.equal(await assistants.find(PORTAL, 'asst-c'), undefined)

    const audited = (values: typeof fields) => ({ name: values.name, model: values.model, instructions: values.instructions, temperature: values.temperature, reasoningEffort: values.reasoningEffort })
    const event = (action: string, at: number, detail: string, before: unknown, after: unknown) => ({ portalId: PORTAL, provider: null, action, actor: ACTOR, detail, before, after, at, instanceId: null })
    t.strictSame((await audit.list({ portalId: PORTAL, limit: 100 })).map(withoutId), [
      event('assistant_delete', T0 + 4, 'asst-c', audited({ ...fields, name: 'alpha' }), null),
      event('assistant_update', T0 + 3, 'asst-b', audited(fields), changed),
      event('assistant_create', T0 + 2, 'asst-c', null, audited({ ...fields, name: 'alpha' })),
      event('assistant_create', T0 + 1, 'asst-a', null, { ...fields, temperature: null, reasoningEffort: 'high' }),
      event('assistant_create', T0, 'asst-b', null, audited(fields))
    ], 'newest first; a missing update or remove writes nothing')
  })

  storeCase('assistants: a create with an id that exists throws and its transaction leaves nothing behind', async (t, { repositories: { assistants, audit, portals } }) => {
    const fields = { name: 'one', model: 'gpt-4.1', instructions: 'Be brief.', temperature: null, reasoningEffort: null }
    await assistants.create(PORTAL, 'asst-dup', fields, ACTOR, T0)
    await t.rejects(assistants.create(PORTAL, 'asst-dup', { ...fields, name: 'two' }, ACTOR, T0 + 1), 'the same portal')
    await t.rejects(assistants.create(THIRD_PORTAL, 'asst-dup', { ...fields, name: 'three' }, ACTOR, T0 + 2), 'a new portal: the id is unique across portals')
    t.strictSame((await audit.list({ limit: 100 })).map(row => [row.portalId, row.action, row.at]), [[PORTAL, 'assistant_create', T0]], 'only the first create is audited')
    t.equal(await portals.find(THIRD_PORTAL), undefined, 'the new portal\'s row was rolled back with the failed insert')
    t.strictSame((await assistants.list(PORTAL)).map(row => row.name), ['one'], 'the first is untouched')
    t.match(await assistants.create(PORTAL, 'asst-next', fields, ACTOR, T0 + 3), { id: 'asst-next' }, 'the store works on after the rollback')
  })

  storeCase('budgets: save, replace (forgets the warning), remove with null, each audited; markWarned marks once', async (t, { repositories: { budgets, audit } }) => {
    const paris = { monthlyLimitUsd: 50, warnAtPercent: 80, timeZone: 'Europe/Paris' }
    const first = { portalId: PORTAL, ...paris, warnedMonth: null, updatedAt: T0, ledgerMonth: null, spentUsd: 0 }
    t.strictSame(await budgets.save(PORTAL, paris, ACTOR, T0), { after: first })
    t.strictSame(await budgets.find(PORTAL), first)
    t.equal(await budgets.markWarned(PORTAL, '2026-01'), true, 'the first to mark the month logs the warning')
    t.equal(await budgets.markWarned(PORTAL, '2026-01'), false, 'a second does not')
    t.strictSame(await budgets.find(PORTAL), { ...first, warnedMonth: '2026-01' })

    const plain = { monthlyLimitUsd: 25.5, warnAtPercent: null, timeZone: null }
    const second = { portalId: PORTAL, ...plain, warnedMonth: null, updatedAt: T0 + 1, ledgerMonth: null, spentUsd: 0 }
    t.strictSame(await budgets.save(PORTAL, plain, ACTOR, T0 + 1), { before: { ...first, warnedMonth: '2026-01' }, after: second }, 'a new setting warns again')
    t.strictSame(await budgets.find(PORTAL), second)
    t.equal(await budgets.markWarned(PORTAL, '2026-01'), true, 'so the month can be marked again')

    t.strictSame(await budgets.save(PORTAL, null, ACTOR, T0 + 2), { before: { ...second, warnedMonth: '2026-01' } })
    t.equal(await budgets.find(PORTAL), undefined)
    t.strictSame(await budgets.save(PORTAL, null, ACTOR, T0 + 3), {}, 'removing none changes nothing')
    t.equal(await budgets.markWarned(OTHER_PORTAL, '2026-01'), false, 'nothing to mark without a budget')
    t.equal(await budgets.find(OTHER_PORTAL), undefined, 'markWarned without a budget creates none')

    const event = (at: number, detail: string, before: unknown, after: unknown) => ({ portalId: PORTAL, provider: null, action: 'budget', actor: ACTOR, detail, before, after, at, instanceId: null })
    t.strictSame((await audit.list({ limit: 100 })).map(withoutId), [
      event(T0 + 2, '25.5 USD a month, no warning, UTC → none', plain, null),
      event(T0 + 1, '50 USD a month, warn at 80%, Europe/Paris → 25.5 USD a month, no warning, UTC', paris, plain),
      event(T0, 'none → 50 USD a month, warn at 80%, Europe/Paris', null, paris)
    ], 'one event per change; removing none writes none')
  })

  storeCase('audit: events carry the instance that wrote them, whichever repository wrote them', async (t, { driver }) => {
    const named = createRepositories(driver, { instanceId: OWNER })
    await named.audit.record(auditEvent('recorded'))
    await named.budgets.save(PORTAL, { monthlyLimitUsd: 5, warnAtPercent: null, timeZone: null }, ACTOR, T0)
    await named.connections.save(connection())
    await named.assistants.create(PORTAL, 'asst-named', { name: 'n', model: 'gpt-4.1', instructions: 'i', temperature: null, reasoningEffort: null }, ACTOR, T0)
    await named.sessions.create({ idHash: 'hash-named', createdAt: T0, expiresAt: T0 + 1_000, tokenFingerprint: 'fingerprint' }, 'session:named')
    await named.sessions.remove('hash-named', { actor: 'session:named', at: T0 + 1 })
    await named.sessions.removeAll({ actor: ACTOR, at: T0 + 2 })
    const execution = newId(t, await named.executions.claim(start(), lease()), 1)
    await named.executions.markBlocked(execution)
    await named.executions.finish(execution, success(), OWNER)
    await named.executions.requestRedelivery(execution, T0 + 3, { actor: ACTOR })
    await createRepositories(driver).audit.record(auditEvent('unnamed'))
    t.strictSame((await named.audit.list({ limit: 20 })).map(row => [row.action, row.instanceId]), [
      ['unnamed', null], ['redeliver', OWNER], ['end_sessions', OWNER], ['sign_out', OWNER], ['sign_in', OWNER],
      ['assistant_create', OWNER], ['connect', OWNER], ['budget', OWNER], ['recorded', OWNER]
    ], 'newest first')
  })

  storeCase('budgets: monthSpend sums the portal\'s recorded cost from start (inclusive) to end (exclusive), leaving out what holds still count', async (t, { repositories: { budgets, executions } }) => {
    const february = { month: '2026-02', startMs: Date.UTC(2026, 1, 1), endMs: Date.UTC(2026, 2, 1) }
    const { startMs: from, endMs: to } = february
    const spend = async (portalId: number, startedAt: number, costUsd?: number) => {
      const id = newId(t, await executions.claim(start({ portalId, startedAt }), lease()), 1)
      if (costUsd !== undefined) await executions.finish(id, success({ costUsd, finishedAt: startedAt + 1 }), OWNER)
      return id
    }
    await spend(PORTAL, from - 1, 100)
    await spend(PORTAL, from, 0.5)
    await spend(PORTAL, to - 1, 0.25)
    await spend(PORTAL, from + 10) // running: nothing spent yet
    await spend(PORTAL, to, 64)
    await spend(OTHER_PORTAL, from + 1, 32)
    t.equal(await budgets.monthSpend(PORTAL, february), 0.75)
    t.equal(await budgets.monthSpend(OTHER_PORTAL, february), 32)
    t.equal(await budgets.monthSpend(THIRD_PORTAL, february), 0, 'nothing spent')

    // A finished execution whose hold was not yet settled: its hold counts its cost, so the sum must not.
    await budgets.save(PORTAL, { monthlyLimitUsd: 100, warnAtPercent: null, timeZone: null }, ACTOR, T0)
    const held = newId(t, await executions.claim(start({ startedAt: from + 20 }), lease()), 1)
    t.match(await budgets.reserve(PORTAL, february, { executionId: held, owner: OWNER, amountUsd: 3 }), { kind: 'fits' })
    await executions.finish(held, success({ costUsd: 2, finishedAt: from + 21 }), OWNER)
    t.equal(await budgets.monthSpend(PORTAL, february), 0.75, 'a cost still held is left out')
    await budgets.settle(PORTAL, held, february.month, 2)
    t.equal(await budgets.monthSpend(PORTAL, february), 2.75, 'and counted once settled')
  })

  storeCase('oauth: install, token refresh, re-install required and token removal, with portal status and audit', async (t, { repositories: { oauth, portals, audit } }) => {
    const install = tokens({ at: T0 })
    await oauth.recordInstall({ ...install, actor: 'hubspot-oauth' })
    const stored = { portalId: PORTAL, encryptedAccessToken: 'v1.access.1', encryptedRefreshToken: 'v1.refresh.1', expiresAt: T0 + 1_800_000, scopes: 'oauth automation', updatedAt: T0 }
    t.strictSame(await oauth.findTokens(PORTAL), stored)
    const portal = await portals.find(PORTAL)
    t.match(portal, { portalId: PORTAL, installStatus: 'installed', installedAt: T0 })
    t.type(portal?.createdAt, 'number')

    await oauth.saveTokens(tokens({ encryptedAccessToken: 'v1.access.2', encryptedRefreshToken: 'v1.refresh.2', expiresAt: T0 + 3_600_000, scopes: null, at: T0 + 10 }))
    t.strictSame(await oauth.findTokens(PORTAL), { ...stored, encryptedAccessToken: 'v1.access.2', encryptedRefreshToken: 'v1.refresh.2', expiresAt: T0 + 3_600_000, scopes: null, updatedAt: T0 + 10 })
    t.strictSame(await portals.find(PORTAL), portal, 'a refresh leaves the install status alone')

    await oauth.saveTokens(tokens({ portalId: OTHER_PORTAL, at: T0 + 11 }))
    t.match(await portals.find(OTHER_PORTAL), { portalId: OTHER_PORTAL, installStatus: null, installedAt: null }, 'saveTokens creates the portal row it needs')
    t.match(await oauth.findTokens(OTHER_PORTAL), { portalId: OTHER_PORTAL, updatedAt: T0 + 11 })

    await oauth.recordReinstallRequired(PORTAL, 'hubspot-oauth', T0 + 20, 'BAD_REFRESH_TOKEN')
    t.equal(await oauth.findTokens(PORTAL), undefined, 'the tokens are erased')
    t.strictSame(await portals.find(PORTAL), { ...portal, installStatus: 'reinstall_required' }, 'installedAt stays')

    await oauth.recordInstall({ ...tokens({ at: T0 + 30 }), actor: 'hubspot-oauth' })
    t.strictSame(await portals.find(PORTAL), { ...portal, installStatus: 'installed', installedAt: T0 + 30 }, 'installed again')

    t.equal(await oauth.deleteTokens(PORTAL), true)
    t.equal(await oauth.findTokens(PORTAL), undefined)
    t.equal(await oauth.deleteTokens(PORTAL), false, 'none left')
    t.match(await oauth.findTokens(OTHER_PORTAL), { portalId: OTHER_PORTAL }, 'another portal\'s tokens stay')

    const event = (action: string, at: number, detail: string | null) => ({ portalId: PORTAL, provider: null, action, actor: 'hubspot-oauth', detail, before: null, after: null, at, instanceId: null })
    t.strictSame((await audit.list({ limit: 100 })).map(withoutId), [
      event('install', T0 + 30, 'oauth automation'),
      event('reinstall_required', T0 + 20, 'BAD_REFRESH_TOKEN'),
      event('install', T0, 'oauth automation')
    ], 'install and re-install required are audited; refreshes and deletions are not')
  })

  storeCase('oauth: a state nonce is valid once and only while fresh; pruneStates counts', async (t, { repositories: { oauth } }) => {
    const maxAge = 600_000
    await oauth.insertState('once', T0)
    t.equal(await oauth.consumeState('once', T0 + 1_000, maxAge), true)
    t.equal(await oauth.consumeState('once', T0 + 1_001, maxAge), false, 'used up')
    t.equal(await oauth.consumeState('unknown', T0, maxAge), false)

    await oauth.insertState('edge', T0)
    t.equal(await oauth.consumeState('edge', T0 + maxAge, maxAge), true, 'exactly maxAge old is still valid')
    await oauth.insertState('stale', T0)
    t.equal(await oauth.consumeState('stale', T0 + maxAge + 1, maxAge), false, 'older is refused')
    await t.resolves(oauth.insertState('stale', T0 + maxAge + 2), 'an expired nonce is deleted when refused (the same nonce can be stored again)')

    await oauth.insertState('race', T0)
    const consumed = await Promise.all(Array.from({ length: 10 }, () => oauth.consumeState('race', T0 + 1, maxAge)))
    t.equal(consumed.filter(Boolean).length, 1, 'of 10 concurrent callbacks with one state, exactly one gets it')

    await oauth.pruneStates(Number.MAX_SAFE_INTEGER)
    for (const [nonce, createdAt] of [['p1', T0 - 2], ['p2', T0 - 1], ['p3', T0], ['p4', T0 + 1]] as const) await oauth.insertState(nonce, createdAt)
    t.equal(await oauth.pruneStates(T0), 2, 'created before olderThan')
    t.equal(await oauth.pruneStates(T0), 0)
    t.equal(await oauth.consumeState('p1', T0, maxAge), false, 'pruned')
    t.equal(await oauth.consumeState('p3', T0, maxAge), true, 'kept')
    t.equal(await oauth.consumeState('p4', T0 + 1, maxAge), true, 'kept')
  })

  storeCase('sessions: create, find (expired is none), remove, removeAll, removeExpired; sign-in, sign-out and ending all audited with them', async (t, { repositories: { sessions, audit } }) => {
    const session = { idHash: 'hash-1', createdAt: T0, expiresAt: T0 + 1_000, tokenFingerprint: 'fingerprint-1' }
    await sessions.create(session, 'session:hash-1')
    t.strictSame(await sessions.find('hash-1', T0 + 999), session)
    t.equal(await sessions.find('hash-1', T0 + 1_000), undefined, 'expired at expiresAt')
    t.equal(await sessions.find('hash-missing', T0), undefined)
    t.equal(await sessions.remove('hash-1', { actor: 'session:hash-1', at: T0 + 1 }), true)
    t.equal(await sessions.find('hash-1', T0), undefined, 'removed')
    t.equal(await sessions.remove('hash-1', { actor: 'session:hash-1', at: T0 + 2 }), false, 'a second sign-out finds nothing and is not audited')
    await sessions.create({ ...session, idHash: 'hash-2', expiresAt: T0 + 10 }, 'session:hash-2')
    await t.rejects(sessions.create({ ...session, idHash: 'hash-2' }, 'session:again'), 'an id that exists is refused, and its sign-in is not audited')

    for (const [idHash, expiresAt] of [['hash-3', T0 + 20], ['hash-4', T0 + 30]] as const) await sessions.create({ idHash, createdAt: T0, expiresAt, tokenFingerprint: 'fingerprint' }, `session:${idHash}`)
    t.equal(await sessions.removeExpired(T0 + 20), 2, 'expired by now, now included')
    t.equal(await sessions.removeExpired(T0 + 20), 0)
    t.strictSame(await sessions.find('hash-4', T0), { idHash: 'hash-4', createdAt: T0, expiresAt: T0 + 30, tokenFingerprint: 'fingerprint' })
    t.equal(await sessions.find('hash-3', T0), undefined, 'deleted, not merely expired')
    t.equal(await sessions.remove('hash-4'), true, 'a refused session is removed without a sign-out')

    for (const [idHash, expiresAt] of [['hash-5', T0 + 100], ['hash-6', T0 + 200], ['hash-7', T0 + 40]] as const) await sessions.create({ idHash, createdAt: T0, expiresAt, tokenFingerprint: 'fingerprint' }, `session:${idHash}`)
    t.equal(await sessions.removeAll({ actor: ACTOR, at: T0 + 50 }), 2, 'the live sessions are counted')
    t.equal(await sessions.removeExpired(0), 0, 'the expired one went too')
    t.equal(await sessions.find('hash-5', T0), undefined)
    t.equal(await sessions.removeAll({ actor: ACTOR, at: T0 + 60 }), 0)

    const events = (await audit.list({ limit: 100 })).map(row => [row.portalId, row.action, row.actor, row.at, row.before, row.after])
    const signIn = (idHash: string, expiresAt: number) => [0, 'sign_in', `session:${idHash}`, T0, null, { expiresAt: new Date(expiresAt).toISOString() }]
    t.strictSame(events, [
      [0, 'end_sessions', ACTOR, T0 + 60, { sessions: 0 }, { sessions: 0 }],
      [0, 'end_sessions', ACTOR, T0 + 50, { sessions: 2 }, { sessions: 0 }],
      signIn('hash-7', T0 + 40), signIn('hash-6', T0 + 200), signIn('hash-5', T0 + 100),
      signIn('hash-4', T0 + 30), signIn('hash-3', T0 + 20),
      signIn('hash-2', T0 + 10),
      [0, 'sign_out', 'session:hash-1', T0 + 1, null, null],
      signIn('hash-1', T0 + 1_000)
    ], 'one event per sign-in, sign-out and ending, none for a failed create, an expiry or a refused session')
  })

  storeCase('portals: list shows installed portals, portals with connections or a budget, and hides the rest', async (t, { repositories: { portals, connections, budgets, assistants, oauth } }) => {
    const [installed, connected, budgeted, assistantOnly, disconnected, unbudgeted, everything] = [1001, 1002, 1003, 1004, 1005, 1006, 1007]
    await oauth.recordInstall({ ...tokens({ portalId: installed, at: T0 }), actor: 'hubspot-oauth' })
    await connections.save(connection({ portalId: connected, provider: 'openai' }))
    await connections.save(connection({ portalId: connected, provider: 'anthropic' }))
    await connections.setStatus(connected, 'anthropic', 'invalid', T0 + 1)
    await budgets.save(budgeted, { monthlyLimitUsd: 40, warnAtPercent: null, timeZone: null }, ACTOR, T0)
    await assistants.create(assistantOnly, 'asst-1', { name: 'a', model: 'gpt-4.1', instructions: 'x', temperature: null, reasoningEffort: null }, ACTOR, T0)
    await connections.save(connection({ portalId: disconnected }))
    await connections.remove(disconnected, 'openai', ACTOR, T0 + 1)
    await budgets.save(unbudgeted, { monthlyLimitUsd: 5, warnAtPercent: null, timeZone: null }, ACTOR, T0)
    await budgets.save(unbudgeted, null, ACTOR, T0 + 1)
    await connections.save(connection({ portalId: everything, provider: 'xai' }))
    await budgets.save(everything, { monthlyLimitUsd: 12.5, warnAtPercent: 90, timeZone: null }, ACTOR, T0)
    await oauth.recordReinstallRequired(everything, 'hubspot-oauth', T0 + 2, 'BAD_REFRESH_TOKEN')

    const listed = await portals.list()
    const createdAt = async (portalId: number) => (await portals.find(portalId))?.createdAt
    t.strictSame(listed.map(row => ({ ...row, connections: row.connections?.split(',').sort() ?? null })), [
      { portalId: installed, createdAt: await createdAt(installed), installStatus: 'installed', installedAt: T0, connectionCount: 0, connections: null, monthlyLimitUsd: null },
      { portalId: connected, createdAt: await createdAt(connected), installStatus: null, installedAt: null, connectionCount: 2, connections: ['anthropic:invalid', 'openai:connected'], monthlyLimitUsd: null },
      { portalId: budgeted, createdAt: await createdAt(budgeted), installStatus: null, installedAt: null, connectionCount: 0, connections: null, monthlyLimitUsd: 40 },
      { portalId: everything, createdAt: await createdAt(everything), installStatus: 'reinstall_required', installedAt: null, connectionCount: 1, connections: ['xai:connected'], monthlyLimitUsd: 12.5 }
    ], 'by portal id; the connections pairs in any order')
    t.equal(listed.find(row => row.portalId === everything)?.connections, 'xai:connected', 'one pair is the text itself')
    t.ok(listed.every(row => typeof row.createdAt === 'number' && Math.abs(row.createdAt - Date.now()) < 600_000), 'createdAt: the database\'s clock, in milliseconds')
  })

  storeCase('reencryptSecrets rewrites every connection key and both OAuth tokens and counts them', async (t, { repositories }) => {
    const { connections, oauth } = repositories
    await secrets(repositories)
    const cached = await connections.find(PORTAL, 'openai')
    t.equal(cached?.encryptedKey, 'c1')
    const seen: StoredSecret[] = []
    const replaced = await repositories.reencryptSecrets(secret => {
      seen.push(secret)
      return secret.ciphertext === 'c2' ? secret.ciphertext : `new-${secret.ciphertext}`
    })
    t.equal(replaced, 6, 'seven secrets, one handed back unchanged')
    const context = (secret: StoredSecret) => secret.context
    t.strictSame([...seen].sort((a, b) => context(a).localeCompare(context(b))), [
      { ciphertext: 'a1', context: `portal:${PORTAL}/hubspot-oauth:access` },
      { ciphertext: 'r1', context: `portal:${PORTAL}/hubspot-oauth:refresh` },
      { ciphertext: 'c2', context: `portal:${PORTAL}/provider:anthropic` },
      { ciphertext: 'c1', context: `portal:${PORTAL}/provider:openai` },
      { ciphertext: 'a2', context: `portal:${OTHER_PORTAL}/hubspot-oauth:access` },
      { ciphertext: 'r2', context: `portal:${OTHER_PORTAL}/hubspot-oauth:refresh` },
      { ciphertext: 'c3', context: `portal:${OTHER_PORTAL}/provider:openai` }
    ], 'each ciphertext with the binding it was encrypted under')
    t.strictSame(await ciphertexts(repositories), {
      connections: [[PORTAL, 'openai', 'new-c1'], [PORTAL, 'anthropic', 'c2'], [OTHER_PORTAL, 'openai', 'new-c3']],
      oauth: [[PORTAL, 'new-a1', 'new-r1'], [OTHER_PORTAL, 'new-a2', 'new-r2']]
    })
    t.equal((await connections.find(PORTAL, 'openai'))?.encryptedKey, 'new-c1', 'find does not answer the old ciphertext from its cache')
    t.equal((await oauth.findTokens(PORTAL))?.encryptedAccessToken, 'new-a1')
    t.equal(await repositories.reencryptSecrets(secret => secret.ciphertext), 0, 'nothing to replace')
  })

  storeCase('reencryptSecrets that throws halfway leaves every ciphertext as it was', async (t, { repositories }) => {
    await secrets(repositories)
    const before = await ciphertexts(repositories)
    await repositories.connections.find(PORTAL, 'openai')
    let calls = 0
    // The fourth call comes after the three connection keys were rewritten in the transaction.
    await t.rejects(repositories.reencryptSecrets(secret => {
      if (++calls === 4) throw new Error('keyring refused')
      return `new-${secret.ciphertext}`
    }), { message: 'keyring refused' })
    t.equal(calls, 4)
    t.strictSame(await ciphertexts(repositories), before, 'all rolled back')
    t.equal((await repositories.connections.find(PORTAL, 'openai'))?.encryptedKey, 'c1', 'find answers the kept ciphertext')
  })

  storeCase('transactions: a body that throws after writing leaves nothing; one that returns commits all', async (t, { driver, repositories: { audit, portals } }) => {
    const { auditEvents, portals: portalsTable } = driver.tables
    await t.rejects(driver.transaction(async tx => {
      await tx.run(tx.db.insert(portalsTable).values({ portalId: THIRD_PORTAL }))
      await tx.run(tx.db.insert(auditEvents).values(auditEvent('inside')))
      t.equal((await tx.all(tx.db.select().from(auditEvents))).length, 1, 'the body reads its own write')
      throw new Error('after the writes')
    }), { message: 'after the writes' })
    t.strictSame(await audit.list({ limit: 10 }), [])
    t.equal(await portals.find(THIRD_PORTAL), undefined)

    t.equal(await driver.transaction(async tx => {
      await tx.run(tx.db.insert(portalsTable).values({ portalId: THIRD_PORTAL }))
      await tx.run(tx.db.insert(auditEvents).values(auditEvent('committed')))
      return 'done'
    }), 'done')
    t.strictSame((await audit.list({ limit: 10 })).map(row => row.action), ['committed'])
    t.match(await portals.find(THIRD_PORTAL), { portalId: THIRD_PORTAL })

    const concurrent = await Promise.all(Array.from({ length: 5 }, (_, index) => driver.transaction(async tx => {
      await tx.run(tx.db.insert(auditEvents).values(auditEvent(`first-${index}`)))
      await tx.run(tx.db.insert(auditEvents).values(auditEvent(`second-${index}`)))
      return index
    })))
    t.strictSame(concurrent, [0, 1, 2, 3, 4], 'concurrent transactions each commit')
    t.equal((await audit.list({ limit: 100 })).length, 11)
  })

  storeCase('transactions: a write from outside, started while a body is suspended, survives that transaction\'s rollback', async (t, { driver, repositories: { audit } }) => {
    const { auditEvents } = driver.tables
    let outsideWrite: Promise<void> | undefined
    let outsideRead: Promise<AuditRow[]> | undefined
    await t.rejects(driver.transaction(async tx => {
      await tx.run(tx.db.insert(auditEvents).values(auditEvent('inside-first')))
      // Between two of the body's statements: another request's write and read arrive now.
      outsideWrite = audit.record(auditEvent('outside'))
      outsideRead = audit.list({ limit: 10 })
      await tx.run(tx.db.insert(auditEvents).values(auditEvent('inside-second')))
      throw new Error('rolled back')
    }), { message: 'rolled back' })
    t.ok(outsideWrite !== undefined && outsideRead !== undefined, 'the outside calls were started during the body')
    await t.resolves(within(outsideWrite ?? Promise.resolve()), 'the outside write completes')
    t.strictSame((await within(outsideRead ?? Promise.resolve([]))).filter(row => row.action.startsWith('inside')), [],
      'the outside read never saw the transaction\'s uncommitted rows')
    t.strictSame((await audit.list({ limit: 10 })).map(row => row.action), ['outside'], 'the outside write is kept; the transaction\'s are not')

    let committedOutside: Promise<void> | undefined
    await driver.transaction(async tx => {
      await tx.run(tx.db.insert(auditEvents).values(auditEvent('inside-kept')))
      committedOutside = audit.record(auditEvent('outside-kept'))
      await tx.run(tx.db.insert(auditEvents).values(auditEvent('inside-kept-too')))
    })
    await within(committedOutside ?? Promise.resolve())
    t.strictSame((await audit.list({ limit: 10 })).map(row => row.action).sort(), ['inside-kept', 'inside-kept-too', 'outside', 'outside-kept'], 'with a commit, both are kept')
  })

  storeCase('economy: a settled batch of 600 gives each item its own answer or note, and leaves the other batch alone', async (t, { repositories: { executions, economy } }) => {
    const ids: number[] = []
    const refused: number[] = []
    for (let index = 0; index < 601; index++) {
      const claim = await executions.claim(start({ callbackId: `cb-economy-${index}` }), lease())
      const queued = claim.kind === 'new' && await economy.enqueue(claim.id, OWNER, { provider: 'openai', model: 'gpt-4.1', at: T0, expiresAt: T0 + LEASE_MS })
      if (claim.kind === 'new' && queued) ids.push(claim.id)
      else refused.push(index)
    }
    t.strictSame(refused, [], '601 executions claimed and queued')
    const opened = await economy.openBatch({ portalId: PORTAL, provider: 'openai', model: 'gpt-4.1' }, lease(), 'first', T0, 600)
    const other = await economy.openBatch({ portalId: PORTAL, provider: 'openai', model: 'gpt-4.1' }, lease(), 'second', T0, 600)
    t.equal(opened?.items.length, 600, 'the first batch holds 600')
    t.strictSame(other?.items.map(item => item.id), [ids[600]], 'the second holds the last one')
    const held = opened?.items.map(item => item.id) ?? []
    // Every third item answered, one with a note of its own, the rest the shared reason.
    const answers = new Map(held.filter((_id, index) => index % 3 === 0).map(id => [id, `{"answer":${id}}`]))
    const noted = held[1] ?? Number.NaN
    const changed = await economy.settle(opened?.batch.id ?? Number.NaN, lease(), {
      state: 'done', answers, notes: new Map([[noted, 'its own reason']]), otherwise: 'the batch left it out', at: T0 + 1000
    })
    t.strictSame(changed?.map(row => row.id), held, 'every item of the batch changed, in id order')
    const wrong = (changed ?? []).filter(row => answers.has(row.id)
      ? row.economyState !== 'answered' || row.economyAnswer !== answers.get(row.id) || row.economyNote !== null
      : row.economyState !== 'standard' || row.economyAnswer !== null || row.economyNote !== (row.id === noted ? 'its own reason' : 'the batch left it out'))
    t.strictSame(wrong.map(row => row.id), [], 'each with its own answer or note')
    t.ok((changed ?? []).every(row => row.leaseOwner === OWNER && row.status === 'running'), 'all running again under the settling lease')
    t.equal((await executions.find(ids[600] ?? Number.NaN))?.economyState, 'batched', 'the other batch\'s item untouched')
    t.equal(await economy.settle(opened?.batch.id ?? Number.NaN, lease(), { state: 'done', answers, notes: new Map(), otherwise: 'again', at: T0 + 2000 }), undefined,
      'a second settle of the same batch changes nothing')
  })

  storeCase('failures: a closed store rejects calls instead of hanging', async (t, store) => {
    const { driver, repositories } = store
    const id = newId(t, await repositories.executions.claim(start(), lease()), 1)
    await store.close()
    const calls: ReadonlyArray<readonly [string, () => Promise<unknown>]> = [
      ['a prepared read (executions.find)', () => repositories.executions.find(id)],
      ['a prepared write (executions.claim)', () => repositories.executions.claim(start(), lease())],
      ['a plain read (audit.list)', () => repositories.audit.list({ limit: 1 })],
      ['a plain write (audit.record)', () => repositories.audit.record(auditEvent('after close'))],
      ['a transaction (assistants.create)', () => repositories.assistants.create(PORTAL, 'asst-closed', { name: 'x', model: 'm', instructions: 'i', temperature: null, reasoningEffort: null }, ACTOR, T0)],
      ['driver.transaction', () => driver.transaction(async tx => await tx.all(tx.db.select().from(driver.tables.portals)))]
    ]
    for (const [name, call] of calls) t.equal(await outcome(call), 'rejected', name)
  })
}

async function opened (t: Test, openStore: OpenStore): Promise<OpenedStore> {
  const store = await openStore()
  let closing: Promise<void> | undefined
  const close = () => (closing ??= store.close())
  t.teardown(close)
  return { driver: store.driver, repositories: createRepositories(store.driver), close }
}

const start = (overrides: Partial<ExecutionStart> = {}): ExecutionStart => executionStart(PORTAL, T0, overrides)

/** A lease for `owner` (this case's instance unless named) until `until`. */
const lease = (owner: string = OWNER, until: number = T0 + LEASE_MS): Lease => ({ owner, until })

function success (overrides: Partial<ExecutionFinish> = {}): ExecutionFinish {
  return { status: 'success', provider: 'openai', model: 'gpt-4.1', inputTokens: 3, outputTokens: 4, outputFields: { response: 'Hello' }, finishedAt: T0 + 500, latencyMs: 500, ...overrides }
}

/** The id of a claim that must be new with `runs`; a failed assertion otherwise (and NaN, which matches no row). */
function newId (t: Test, claim: Claim, runs: number): number {
  t.match(claim, { kind: 'new', runs }, 'a new claim')
  return claim.kind === 'new' ? claim.id : Number.NaN
}

/** Every column of an execution just claimed from `given`. */
function runningRow (id: number, given: ExecutionStart, held: Lease = lease()): ExecutionRow {
  return {
    id, portalId: given.portalId, action: given.action, source: given.source ?? null, callbackId: given.callbackId ?? null,
    provider: null, model: null, status: 'running', errorCode: null, errorMessage: null,
    inputTokens: null, outputTokens: null, cachedInputTokens: null, reasoningTokens: null,
    finishReason: null, latencyMs: null, adjustments: null, outputFields: null, prompt: null, response: null,
    startedAt: given.startedAt, finishedAt: null, request: given.request, runs: 1, expiresAt: given.expiresAt,
    answered: null, fallbackReason: null, completionState: null, completionAttempts: 0, completionDueAt: null,
    completionError: null, completedAt: null, costUsd: null, costUnknown: 0,
    leaseOwner: held.owner, leaseExpiresAt: held.until, reservedUsd: null,
    processing: null, economyState: null, economyBatchId: null, economyAnswer: null, economyNote: null, enqueuedAt: null, savedUsd: null
  }
}

function connection (overrides: Partial<SaveConnection> = {}): SaveConnection {
  return { portalId: PORTAL, provider: 'openai', encryptedKey: 'v1.k.iv.one', keyHint: 'AAAA', baseUrl: null, at: T0, actor: ACTOR, ...overrides }
}

function tokens (overrides: Partial<SaveTokens> = {}): SaveTokens {
  return { portalId: PORTAL, encryptedAccessToken: 'v1.access.1', encryptedRefreshToken: 'v1.refresh.1', expiresAt: T0 + 1_800_000, scopes: 'oauth automation', at: T0, ...overrides }
}

function auditEvent (action: string) {
  return { portalId: PORTAL, action, actor: 'storage-conformance', at: T0 }
}

/** An audit row without its generated id, for comparing whole events. */
function withoutId ({ id: _id, ...rest }: AuditRow) {
  return rest
}

/** Three connection keys and two portals' OAuth tokens, for the re-encryption cases. */
async function secrets ({ connections, oauth }: Repositories): Promise<void> {
  await connections.save(connection({ provider: 'openai', encryptedKey: 'c1' }))
  await connections.save(connection({ provider: 'anthropic', encryptedKey: 'c2' }))
  await connections.save(connection({ portalId: OTHER_PORTAL, provider: 'openai', encryptedKey: 'c3' }))
  await oauth.recordInstall({ ...tokens({ encryptedAccessToken: 'a1', encryptedRefreshToken: 'r1' }), actor: 'hubspot-oauth' })
  await oauth.recordInstall({ ...tokens({ portalId: OTHER_PORTAL, encryptedAccessToken: 'a2', encryptedRefreshToken: 'r2' }), actor: 'hubspot-oauth' })
}

/** Every stored ciphertext, in a fixed order. */
async function ciphertexts ({ connections, oauth }: Repositories) {
  return {
    connections: [...await connections.allCiphertexts()].sort((a, b) => a.id - b.id).map(row => [row.portalId, row.provider, row.encryptedKey]),
    oauth: [...await oauth.allCiphertexts()].sort((a, b) => a.portalId - b.portalId).map(row => [row.portalId, row.encryptedAccessToken, row.encryptedRefreshToken])
  }
}

/** How a call settled, or `hung` when it had not after HANG_MS. */
async function outcome (call: () => Promise<unknown>): Promise<'resolved' | 'rejected' | 'hung'> {
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<'hung'>(resolve => { timer = setTimeout(() => resolve('hung'), HANG_MS) })
  try {
    // A synchronous throw counts as a rejection: the call still did not hang.
    const settled = (async () => await call())().then(() => 'resolved' as const, () => 'rejected' as const)
    return await Promise.race([settled, hung])
  } finally {
    clearTimeout(timer)
  }
}

/** `promise`, or a rejection naming the hang once HANG_MS passed. */
async function within<T> (promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`still pending after ${HANG_MS} ms`)), HANG_MS) })
  try {
    return await Promise.race([promise, hung])
  } finally {
    clearTimeout(timer)
  }
}
