import t from 'tap'
import { createConnectionSlots, QUEUE_FULL_RETRY_SECONDS } from '../../src/actions/engine/connection-slots.ts'
import { AppError } from '../../plugins/errors.ts'

// Step "connection slots": back-pressure per provider connection, with no provider and no database involved.

const CONNECTION = 11
const OTHER_CONNECTION = 22

/** A signal that never fires, for waiters the test does not abort. */
const never = () => new AbortController().signal

/** Lets every settled promise run its callbacks. */
const settle = () => new Promise(resolve => setImmediate(resolve))

/** Tracks whether an acquire has resolved (started), rejected, or is still waiting. */
function watch (acquired: Promise<() => void>) {
  const state: { started: boolean, release?: () => void, error?: unknown } = { started: false }
  acquired.then(release => { state.started = true; state.release = release }, error => { state.error = error })
  return state
}

t.test('at most `concurrency` calls run at once on one connection; the rest wait', async t => {
  const slots = createConnectionSlots({ concurrency: 2, queueLimit: 10 })
  const first = watch(slots.acquire(CONNECTION, { mayRefuse: false, signal: never() }))
  const second = watch(slots.acquire(CONNECTION, { mayRefuse: false, signal: never() }))
  const third = watch(slots.acquire(CONNECTION, { mayRefuse: false, signal: never() }))
  await settle()
  t.ok(first.started, 'the first call runs')
  t.ok(second.started, 'the second call runs')
  t.notOk(third.started, 'the third call waits')
  t.same(slots.load(CONNECTION), { running: 2, waiting: 1 })

  first.release?.()
  await settle()
  t.ok(third.started, 'a released slot goes to the waiting call')
  t.same(slots.load(CONNECTION), { running: 2, waiting: 0 })
})

t.test('released slots are handed over in arrival order', async t => {
  const slots = createConnectionSlots({ concurrency: 1, queueLimit: 10 })
  const order: string[] = []
  const running = await slots.acquire(CONNECTION, { mayRefuse: false, signal: never() })
  const waiters = ['second', 'third', 'fourth'].map(name => {
    const state = watch(slots.acquire(CONNECTION, { mayRefuse: false, signal: never() }))
    return { name, state }
  })
  await settle()
  t.same(waiters.map(waiter => waiter.state.started), [false, false, false], 'all three wait behind the running call')

  running()
  for (const expected of waiters) {
    await settle()
    const started = waiters.filter(waiter => waiter.state.started && !order.includes(waiter.name))
    t.equal(started.length, 1, `exactly one waiter starts when a slot frees (${expected.name} expected)`)
    t.equal(started[0]?.name, expected.name)
    order.push(started[0]?.name ?? 'none')
    started[0]?.state.release?.()
  }
  t.same(order, ['second', 'third', 'fourth'])
  await settle()
  t.same(slots.load(CONNECTION), { running: 0, waiting: 0 }, 'nothing is left once every call released its slot')
})

t.test('releasing twice frees one slot only', async t => {
  const slots = createConnectionSlots({ concurrency: 1, queueLimit: 10 })
  const release = await slots.acquire(CONNECTION, { mayRefuse: false, signal: never() })
  const second = watch(slots.acquire(CONNECTION, { mayRefuse: false, signal: never() }))
  const third = watch(slots.acquire(CONNECTION, { mayRefuse: false, signal: never() }))
  await settle()

  release()
  release()
  await settle()
  t.ok(second.started, 'the next waiter starts')
  t.notOk(third.started, 'the second release of the same slot starts nobody else')
  t.same(slots.load(CONNECTION), { running: 1, waiting: 1 })

  release()
  second.release?.()
  second.release?.()
  await settle()
  t.ok(third.started)
  t.same(slots.load(CONNECTION), { running: 1, waiting: 0 }, 'repeated releases never push the count below what runs')
})

t.test('different connections have separate lines', async t => {
  const slots = createConnectionSlots({ concurrency: 1, queueLimit: 0 })
  const held = await slots.acquire(CONNECTION, { mayRefuse: true, signal: never() })
  const other = watch(slots.acquire(OTHER_CONNECTION, { mayRefuse: true, signal: never() }))
  await settle()
  t.ok(other.started, 'a full connection does not hold up another one')
  t.same(slots.load(CONNECTION), { running: 1, waiting: 0 })
  t.same(slots.load(OTHER_CONNECTION), { running: 1, waiting: 0 })

  other.release?.()
  t.same(slots.load(CONNECTION), { running: 1, waiting: 0 }, 'releasing on one connection leaves the other as it was')
  t.same(slots.load(OTHER_CONNECTION), { running: 0, waiting: 0 })
  held()
  t.same(slots.load(CONNECTION), { running: 0, waiting: 0 })
})

t.test('a refusable call is refused with RATE_LIMITED once `queueLimit` refusable calls wait; others still queue', async t => {
  const slots = createConnectionSlots({ concurrency: 1, queueLimit: 2 })
  await slots.acquire(CONNECTION, { mayRefuse: true, signal: never() })
  const waiting = [
    watch(slots.acquire(CONNECTION, { mayRefuse: true, signal: never() })),
    watch(slots.acquire(CONNECTION, { mayRefuse: true, signal: never() }))
  ]
  await settle()
  t.same(slots.load(CONNECTION), { running: 1, waiting: 2 })

  const refused = await slots.acquire(CONNECTION, { mayRefuse: true, signal: never() }).then(() => undefined, (error: unknown) => error)
  t.ok(refused instanceof AppError, 'refused with an AppError')
  t.equal((refused as AppError).code, 'RATE_LIMITED')
  t.equal((refused as AppError).retryAfterSeconds, QUEUE_FULL_RETRY_SECONDS)
  t.match((refused as AppError).message, /1 calls running and 2 waiting/)
  t.same(slots.load(CONNECTION), { running: 1, waiting: 2 }, 'a refused call does not join the line')

  const accepted = watch(slots.acquire(CONNECTION, { mayRefuse: false, signal: never() }))
  await settle()
  t.equal(accepted.error, undefined, 'work HubSpot cannot retry is never refused')
  t.same(slots.load(CONNECTION), { running: 1, waiting: 3 }, 'it waits past the limit')
  t.same(waiting.map(state => state.error), [undefined, undefined], 'the waiting calls were not disturbed')
})

t.test('calls that may not be refused do not count against the limit of refusable ones', async t => {
  const slots = createConnectionSlots({ concurrency: 1, queueLimit: 1 })
  await slots.acquire(CONNECTION, { mayRefuse: false, signal: never() })
  watch(slots.acquire(CONNECTION, { mayRefuse: false, signal: never() }))
  watch(slots.acquire(CONNECTION, { mayRefuse: false, signal: never() }))
  const refusable = watch(slots.acquire(CONNECTION, { mayRefuse: true, signal: never() }))
  await settle()
  t.equal(refusable.error, undefined, 'the first refusable waiter is accepted')
  const second = await slots.acquire(CONNECTION, { mayRefuse: true, signal: never() }).then(() => undefined, (error: unknown) => error)
  t.equal((second as AppError | undefined)?.code, 'RATE_LIMITED', 'the second refusable waiter is refused')
  t.same(slots.load(CONNECTION), { running: 1, waiting: 3 })
})

t.test('aborting a waiting call removes it from the line and rejects with the signal\'s reason', async t => {
  const slots = createConnectionSlots({ concurrency: 1, queueLimit: 5 })
  const running = await slots.acquire(CONNECTION, { mayRefuse: true, signal: never() })
  const controller = new AbortController()
  const aborted = watch(slots.acquire(CONNECTION, { mayRefuse: true, signal: controller.signal }))
  const after = watch(slots.acquire(CONNECTION, { mayRefuse: true, signal: never() }))
  await settle()
  t.same(slots.load(CONNECTION), { running: 1, waiting: 2 })

  const reason = new Error('the deadline passed')
  controller.abort(reason)
  await settle()
  t.equal(aborted.error, reason, 'rejected with the reason the signal was aborted with')
  t.notOk(aborted.started)
  t.same(slots.load(CONNECTION), { running: 1, waiting: 1 }, 'load no longer counts the aborted waiter')

  running()
  await settle()
  t.ok(after.started, 'the slot goes to the next live waiter, not the aborted one')
  t.same(slots.load(CONNECTION), { running: 1, waiting: 0 })
})

t.test('an aborted waiter frees its place under the refusal limit', async t => {
  const slots = createConnectionSlots({ concurrency: 1, queueLimit: 1 })
  await slots.acquire(CONNECTION, { mayRefuse: true, signal: never() })
  const controller = new AbortController()
  const aborted = slots.acquire(CONNECTION, { mayRefuse: true, signal: controller.signal }).catch((error: unknown) => error)
  controller.abort(new Error('gone'))
  t.match(await aborted, { message: 'gone' })
  const next = watch(slots.acquire(CONNECTION, { mayRefuse: true, signal: never() }))
  await settle()
  t.equal(next.error, undefined, 'a new refusable waiter is accepted again')
  t.same(slots.load(CONNECTION), { running: 1, waiting: 1 })
})

t.test('aborting a call that already holds its slot changes nothing', async t => {
  const slots = createConnectionSlots({ concurrency: 1, queueLimit: 5 })
  const controller = new AbortController()
  const release = await slots.acquire(CONNECTION, { mayRefuse: true, signal: controller.signal })
  controller.abort(new Error('too late'))
  t.same(slots.load(CONNECTION), { running: 1, waiting: 0 }, 'the slot stays taken until it is released')
  release()
  t.same(slots.load(CONNECTION), { running: 0, waiting: 0 })
})

t.test('a call whose signal was aborted before it had to wait is rejected at once, not queued', async t => {
  const slots = createConnectionSlots({ concurrency: 1, queueLimit: 5 })
  const running = await slots.acquire(CONNECTION, { mayRefuse: true, signal: never() })
  const reason = new Error('the deadline passed before the call was made')
  const late = watch(slots.acquire(CONNECTION, { mayRefuse: true, signal: AbortSignal.abort(reason) }))
  await settle()
  t.equal(late.error, reason, 'rejected with the signal\'s reason')
  t.same(slots.load(CONNECTION), { running: 1, waiting: 0 }, 'it takes no place in the line')
  running()
  await settle()
  t.notOk(late.started, 'it is never handed a slot')
  late.release?.()
})
