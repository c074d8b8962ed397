import t, { type Test } from 'tap'
import { openDatabase } from '../../db/database.ts'
import { createRepositories } from '../../db/repositories/index.ts'
import type { ExecutionsRepository } from '../../db/repositories/executions-repository.ts'
import type { SetTimer } from '../../plugins/timers.ts'
import { manualClock } from '../helpers/manual-clock.ts'
import { COMPLETION_MAX_ATTEMPTS, createCompletionQueue, type CallbackCompletion, type CompletionAnswer, type CompletionQueue } from '../../src/actions/engine/completion-queue.ts'

// The durable completion queue over the real executions table (in-memory SQLite). `complete` is the HubSpot
// client's seam: here a plain function that records each call and answers as the test says.

const PORTAL = 8181
const OTHER_PORTAL = 8282
const ACCEPTED: CompletionAnswer = { kind: 'accepted' }

interface RecordedCall { readonly portalId: number, readonly completions: readonly CallbackCompletion[] }

const OWNER = 'instance-a'
const LEASE_MS = 30_000

interface QueueSetup {
  readonly executions: ExecutionsRepository
  readonly queue: CompletionQueue
  readonly calls: RecordedCall[]
  readonly logs: Array<{ level: string, message?: string, object: object }>
  /** Decides each answer; accepts everything unless replaced. */
  answer: (call: RecordedCall) => CompletionAnswer | Promise<CompletionAnswer>
  /** A BLOCKed execution finished with an answer: its completion is pending and due now. */
  pending (callbackId: string, portalId?: number, outputFields?: Record<string, string>): Promise<number>
  /** Another instance's queue on the same database, sending through the same recorded `complete`; closed at teardown. */
  queueOf (owner: string): CompletionQueue
  /** Records a failed attempt of an earlier round (claimed, failed, and the claim handed back). */
  attemptFailed (id: number, error: string, dueAt: number | undefined): Promise<void>
}

interface QueueOptions {
  readonly random?: () => number
  readonly clock?: () => number
  readonly setTimer?: SetTimer
}

function queueSetup (t: Test, options: QueueOptions = {}): QueueSetup {
  const handle = openDatabase(':memory:')
  const executions = createRepositories(handle.driver).executions
  const calls: RecordedCall[] = []
  const logs: QueueSetup['logs'] = []
  const write = (level: string) => (object: object, message?: string) => { logs.push({ level, object, ...(message === undefined ? {} : { message }) }) }
  const clock = options.clock ?? Date.now
  const queues: CompletionQueue[] = []
  const queueOf = (owner: string) => {
    const queue = createCompletionQueue({
      executions,
      clock,
      log: { info: write('info'), warn: write('warn'), error: write('error') },
      ...(options.random === undefined ? {} : { random: options.random }),
      ...(options.setTimer === undefined ? {} : { setTimer: options.setTimer }),
      owner,
      leaseMs: LEASE_MS,
      complete: async (portalId, completions) => {
        const call = { portalId, completions }
        calls.push(call)
        return await setup.answer(call)
      }
    })
    queues.push(queue)
    return queue
  }
  const setup: QueueSetup = {
    executions,
    calls,
    logs,
    answer: () => ACCEPTED,
    queue: queueOf(OWNER),
    queueOf,
    async pending (callbackId, portalId = PORTAL, outputFields = { response: 'Hello', inputTokens: '12', hs_execution_state: 'SUCCESS' }) {
      const now = clock()
      const claim = await executions.claim({ portalId, action: 'custom-llm', callbackId, startedAt: now - 1000, request: '{}', expiresAt: now + 60_000 }, { owner: OWNER, until: now + LEASE_MS })
      if (claim.kind !== 'new') throw new Error('expected a new claim')
      await executions.markBlocked(claim.id)
      const finished = await executions.finish(claim.id, { status: 'success', outputFields, finishedAt: now - 1 }, OWNER)
      if (!finished.completionPending) throw new Error('expected a pending completion')
      return claim.id
    },
    async attemptFailed (id, error, dueAt) {
      const earlier = 'instance-earlier'
      const claimed = await executions.claimCompletions({ owner: earlier, until: clock() + LEASE_MS }, clock(), 1_000)
      if (!claimed.some(row => row.id === id)) throw new Error(`execution ${id} was not due`)
      await executions.completionAttemptFailed([id], error, dueAt, earlier)
      await executions.releaseLeases(earlier)
    }
  }
  t.teardown(async () => {
    for (const queue of queues) await queue.close()
    await handle.close()
  })
  return setup
}

const sleep = (milliseconds: number) => new Promise(resolve => setTimeout(resolve, milliseconds))

async function eventually (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

t.test('several due completions of one portal go out in one batch call, and are marked delivered', async t => {
  const setup = queueSetup(t)
  const ids: number[] = []
  for (const callbackId of ['first', 'second', 'third']) ids.push(await setup.pending(callbackId))
  const before = Date.now()
  await setup.queue.flush()
  t.equal(setup.calls.length, 1, 'one call')
  t.equal(setup.calls[0]?.portalId, PORTAL)
  t.same(setup.calls[0]?.completions.map(completion => completion.callbackId), ['first', 'second', 'third'])
  t.same(setup.calls[0]?.completions[0]?.outputFields, { response: 'Hello', inputTokens: '12', hs_execution_state: 'SUCCESS' }, 'the stored outputs as they are')
  t.same(setup.calls[0]?.completions[0]?.typedOutputs, { response: 'Hello', inputTokens: 12 }, 'and typed, without hs_ fields')
  for (const id of ids) {
    const row = await setup.executions.find(id)
    t.equal(row?.completionState, 'delivered')
    t.equal(row?.completionAttempts, 1)
    t.ok((row?.completedAt ?? 0) >= before, 'completedAt is set')
    t.equal(row?.completionDueAt, null)
  }
  await setup.queue.flush()
  t.equal(setup.calls.length, 1, 'a delivered completion is never sent again')
})

t.test('completions of two portals go out in two calls, one per portal', async t => {
  const setup = queueSetup(t)
  await setup.pending('mine-1')
  await setup.pending('theirs-1', OTHER_PORTAL)
  await setup.pending('mine-2')
  await setup.queue.flush()
  t.equal(setup.calls.length, 2)
  const byPortal = new Map(setup.calls.map(call => [call.portalId, call.completions.map(completion => completion.callbackId)]))
  t.same(byPortal.get(PORTAL), ['mine-1', 'mine-2'])
  t.same(byPortal.get(OTHER_PORTAL), ['theirs-1'])
})

t.test('a refused batch is retried one by one, so one bad callbackId does not sink the others', async t => {
  const setup = queueSetup(t)
  const good = await setup.pending('good-1')
  const bad = await setup.pending('bad')
  const alsoGood = await setup.pending('good-2')
  setup.answer = call => call.completions.length > 1 || call.completions[0]?.callbackId === 'bad'
    ? { kind: 'refused', status: 400, message: 'HubSpot refused callbackId bad' }
    : ACCEPTED
  await setup.queue.flush()
  t.same(setup.calls.map(call => call.completions.map(completion => completion.callbackId)), [['good-1', 'bad', 'good-2'], ['good-1'], ['bad'], ['good-2']])
  t.equal((await setup.executions.find(good))?.completionState, 'delivered')
  t.equal((await setup.executions.find(alsoGood))?.completionState, 'delivered')
  const refused = await setup.executions.find(bad)
  t.equal(refused?.completionState, 'failed')
  t.equal(refused?.completionError, 'HubSpot refused callbackId bad')
  t.equal(refused?.completionDueAt, null)
})

t.test('a retry answer with Retry-After makes the completion due again about that much later', async t => {
  const setup = queueSetup(t)
  const id = await setup.pending('later')
  setup.answer = () => ({ kind: 'retry', status: 429, retryAfterMs: 2000, message: 'HubSpot answered 429' })
  const before = Date.now()
  await setup.queue.flush()
  const after = Date.now()
  const row = await setup.executions.find(id)
  t.equal(row?.completionState, 'pending')
  t.equal(row?.completionAttempts, 1)
  t.equal(row?.completionError, 'HubSpot answered 429')
  t.ok((row?.completionDueAt ?? 0) >= before + 2000 && (row?.completionDueAt ?? 0) <= after + 2000, `due ${(row?.completionDueAt ?? 0) - before} ms later`)
  t.ok(setup.logs.some(line => line.level === 'warn'), 'a retry is a warning')
})

t.test('a retry answer without Retry-After backs off from one second', async t => {
  const setup = queueSetup(t, { random: () => 0 })
  const id = await setup.pending('backoff')
  setup.answer = () => ({ kind: 'retry', status: 503, message: 'HubSpot answered 503' })
  const before = Date.now()
  await setup.queue.flush()
  const after = Date.now()
  const due = (await setup.executions.find(id))?.completionDueAt ?? 0
  // One second after the answer came, which was some time between `before` and `after` on a loaded machine.
  t.ok(due >= before + 1000 && due <= after + 1000, `due ${due - before} ms after the flush began, ${after - before} ms long`)
})

t.test('a tiny Retry-After is raised to a floor, a huge one capped at an hour', async t => {
  const setup = queueSetup(t)
  const soon = await setup.pending('soon')
  const late = await setup.pending('late', OTHER_PORTAL)
  setup.answer = call => ({ kind: 'retry', status: 429, retryAfterMs: call.portalId === PORTAL ? 10 : 5 * 60 * 60_000, message: 'wait' })
  const before = Date.now()
  await setup.queue.flush()
  const soonIn = ((await setup.executions.find(soon))?.completionDueAt ?? 0) - before
  const lateIn = ((await setup.executions.find(late))?.completionDueAt ?? 0) - before
  t.ok(soonIn >= 250 && soonIn <= 350, `a 10 ms Retry-After waits ${soonIn} ms`)
  t.ok(lateIn >= 60 * 60_000 && lateIn <= 60 * 60_000 + 100, `a five-hour Retry-After waits ${lateIn} ms`)
})

t.test('a completion due again is delivered by the queue itself, without another kick', async t => {
  const setup = queueSetup(t)
  const id = await setup.pending('again')
  let first = true
  setup.answer = () => {
    if (!first) return ACCEPTED
    first = false
    return { kind: 'retry', status: 429, retryAfterMs: 300, message: 'slow down' }
  }
  await setup.queue.flush()
  t.equal(setup.calls.length, 1)
  await eventually('the second attempt', () => setup.calls.length === 2)
  await eventually('the delivery to be written', async () => (await setup.executions.find(id))?.completionState === 'delivered')
  t.equal((await setup.executions.find(id))?.completionAttempts, 2)
})

t.test('a portal that is not installed fails the completion for good, with the message', async t => {
  const setup = queueSetup(t)
  const id = await setup.pending('uninstalled')
  setup.answer = () => ({ kind: 'not_installed', message: 'Portal 8181 has not installed the app.' })
  await setup.queue.flush()
  const row = await setup.executions.find(id)
  t.equal(row?.completionState, 'failed')
  t.equal(row?.completionError, 'Portal 8181 has not installed the app.')
  t.equal(row?.completionDueAt, null)
  t.equal(row?.completionAttempts, 1)
  t.ok(setup.logs.some(line => line.level === 'error'), 'a final failure is an error in the log')
  await sleep(100)
  t.equal(setup.calls.length, 1, 'and it is not tried again')
})

t.test('a refusal of a single completion fails it for good, with the message', async t => {
  const setup = queueSetup(t)
  const id = await setup.pending('refused')
  setup.answer = () => ({ kind: 'refused', status: 404, message: 'HubSpot answered 404: unknown callbackId' })
  await setup.queue.flush()
  const row = await setup.executions.find(id)
  t.equal(row?.completionState, 'failed')
  t.equal(row?.completionError, 'HubSpot answered 404: unknown callbackId')
  t.equal(setup.calls.length, 1)
})

t.test(`after ${COMPLETION_MAX_ATTEMPTS} attempts a completion HubSpot keeps refusing to take is failed`, async t => {
  const setup = queueSetup(t)
  const lastTry = await setup.pending('last-try')
  const oneBefore = await setup.pending('one-before', OTHER_PORTAL)
  for (let attempt = 1; attempt < COMPLETION_MAX_ATTEMPTS; attempt++) await setup.attemptFailed(lastTry, 'HubSpot answered 503', Date.now() - 1)
  for (let attempt = 1; attempt < COMPLETION_MAX_ATTEMPTS - 1; attempt++) await setup.attemptFailed(oneBefore, 'HubSpot answered 503', Date.now() - 1)
  setup.answer = () => ({ kind: 'retry', status: 503, message: 'HubSpot answered 503' })
  await setup.queue.flush()

  const failed = await setup.executions.find(lastTry)
  t.equal(failed?.completionAttempts, COMPLETION_MAX_ATTEMPTS)
  t.equal(failed?.completionState, 'failed')
  t.equal(failed?.completionError, `HubSpot answered 503 (gave up after ${COMPLETION_MAX_ATTEMPTS} attempts)`)
  t.equal(failed?.completionDueAt, null)

  const stillPending = await setup.executions.find(oneBefore)
  t.equal(stillPending?.completionAttempts, COMPLETION_MAX_ATTEMPTS - 1)
  t.equal(stillPending?.completionState, 'pending', 'one attempt short of the limit it is retried')
})

t.test('kick delivers soon, in one batch for what became due together', async t => {
  const setup = queueSetup(t)
  for (const callbackId of ['a', 'b', 'c']) {
    await setup.pending(callbackId)
    setup.queue.kick()
  }
  t.equal(setup.calls.length, 0, 'not at once: the batch window is open')
  await eventually('the batch', () => setup.calls.length > 0)
  await sleep(50)
  t.equal(setup.calls.length, 1)
  t.same(setup.calls[0]?.completions.map(completion => completion.callbackId), ['a', 'b', 'c'])
})

t.test('close stops scheduling: no retry runs and a kick does nothing', async t => {
  const setup = queueSetup(t)
  const retried = await setup.pending('retried')
  setup.answer = () => ({ kind: 'retry', status: 429, retryAfterMs: 300, message: 'slow down' })
  await setup.queue.flush()
  t.equal(setup.calls.length, 1)
  await setup.queue.close()
  await setup.pending('kicked')
  setup.queue.kick()
  await sleep(600)
  t.equal(setup.calls.length, 1, 'nothing was sent after close')
  t.equal((await setup.executions.find(retried))?.completionState, 'pending', 'the retry stays in the table for the next start')
})

t.test('close waits for the round under way', async t => {
  const setup = queueSetup(t)
  const id = await setup.pending('slow')
  setup.answer = async () => { await sleep(200); return ACCEPTED }
  setup.queue.kick()
  await eventually('the call to start', () => setup.calls.length === 1)
  await setup.queue.close()
  t.equal((await setup.executions.find(id))?.completionState, 'delivered', 'the answer was written before close resolved')
})

t.test('what becomes due during a round is delivered before flush resolves', async t => {
  const setup = queueSetup(t)
  const first = await setup.pending('during-1')
  let second: number | undefined
  setup.answer = async call => {
    // Like the HubSpot client, answer only after an await: the round is under way by then.
    await sleep(10)
    if (call.completions[0]?.callbackId === 'during-1') {
      second = await setup.pending('during-2')
      void setup.queue.flush()
    }
    await sleep(10)
    return ACCEPTED
  }
  await setup.queue.flush()
  t.equal((await setup.executions.find(first))?.completionState, 'delivered')
  t.equal(second === undefined ? undefined : (await setup.executions.find(second))?.completionState, 'delivered')
  t.same(setup.calls.map(call => call.completions.map(completion => completion.callbackId)), [['during-1'], ['during-2']], 'each once')
})

t.test('two instances flushing at once send each completion once, each from its own claim', async t => {
  const setup = queueSetup(t)
  const other = setup.queueOf('instance-b')
  const callbackIds: string[] = []
  for (let index = 0; index < 30; index++) {
    const callbackId = `shared-${index}`
    callbackIds.push(callbackId)
    await setup.pending(callbackId, [PORTAL, OTHER_PORTAL, 8383][index % 3])
  }
  setup.answer = async () => { await sleep(5); return ACCEPTED }
  await Promise.all([setup.queue.flush(), other.flush()])
  const sent = setup.calls.flatMap(call => call.completions.map(completion => completion.callbackId))
  t.equal(sent.length, 30, `thirty completions sent in ${setup.calls.length} calls`)
  t.strictSame([...sent].sort(), [...callbackIds].sort(), 'each once')
  t.equal(await setup.executions.countPendingCompletions(), 0, 'every one marked delivered')
})

t.test('a completion another instance claimed is left to it while its claim lasts, then delivered here', async t => {
  const setup = queueSetup(t)
  const id = await setup.pending('theirs')
  const claimed = await setup.executions.claimCompletions({ owner: 'instance-b', until: Date.now() + 300 }, Date.now(), 10)
  t.strictSame(claimed.map(row => row.id), [id])
  await setup.queue.flush()
  t.equal(setup.calls.length, 0, 'not sent while the other instance holds it')
  t.match(await setup.executions.find(id), { completionState: 'pending', completionAttempts: 0, leaseOwner: 'instance-b' })
  await sleep(350)
  await setup.queue.flush()
  t.strictSame(setup.calls.map(call => call.completions.map(completion => completion.callbackId)), [['theirs']], 'sent once the claim ran out')
  t.match(await setup.executions.find(id), { completionState: 'delivered', completionAttempts: 1, leaseOwner: null })
})

t.test('a claim that grew older than half the lease before it was sent is not sent; it is left to the next claim', async t => {
  let now = Date.now()
  const setup = queueSetup(t, { clock: () => now })
  await setup.pending('first-portal', PORTAL)
  const late = await setup.pending('second-portal', OTHER_PORTAL)
  // The first portal's call takes so long (a paused process) that the round's claim is past half its lease.
  setup.answer = () => {
    now += LEASE_MS / 2 + 1
    return ACCEPTED
  }
  await setup.queue.flush()
  t.equal(setup.calls.length, 1, 'one portal was sent; the other was not')
  const skippedPortal = setup.calls[0]?.portalId === PORTAL ? OTHER_PORTAL : PORTAL
  const skipped = skippedPortal === OTHER_PORTAL ? late : (await setup.executions.recent(PORTAL, 1))[0]?.id
  t.match(await setup.executions.find(skipped ?? 0), { completionState: 'pending', completionAttempts: 0 }, 'left pending, no attempt counted')
  t.ok(setup.logs.some(line => line.level === 'warn' && /grew old/.test(line.message ?? '')), 'with a warning')

  setup.answer = () => ACCEPTED
  await setup.queue.flush()
  t.equal(setup.calls.length, 1, 'not claimed again while its claim lasts')
  now += LEASE_MS
  await setup.queue.flush()
  t.equal(setup.calls.length, 2, 'claimed and sent once the claim ran out')
  t.equal(setup.calls[1]?.portalId, skippedPortal)
  t.equal(await setup.executions.countPendingCompletions(), 0)
})

t.test('once another instance\'s claim ran out, the queue\'s own timer delivers the completion', async t => {
  const clock = manualClock(Date.now())
  const setup = queueSetup(t, { clock, setTimer: clock.setTimer })
  const id = await setup.pending('after-their-lease')
  const until = clock() + 5_000
  await setup.executions.claimCompletions({ owner: 'instance-b', until }, clock(), 10)
  await setup.queue.flush()
  t.equal(setup.calls.length, 0, 'held by the other instance')
  t.ok((clock.nextTimerAt() ?? 0) >= until, 'the next round is set for when the claim runs out, not before')
  // Each timer runs a round; a round that finds nothing to claim sets the next timer. A few are allowed, not an endless run at one instant.
  for (let round = 0; round < 5 && setup.calls.length === 0; round++) {
    clock.runNext()
    await setup.queue.flush()
  }
  t.equal(setup.calls.length, 1, `delivered by the queue's timer (the clock stands ${clock() - until} ms past the claim's end)`)
  t.equal((await setup.executions.find(id))?.completionState, 'delivered')
})
