import t from 'tap'
import { durableSetup, eventually, PORTAL } from '../helpers/durable-setup.ts'
import { manualClock } from '../helpers/manual-clock.ts'
import { openAIResponse } from '../stubs/openai-stub.ts'
import type { CallbackFault } from '../stubs/hubspot-stub.ts'

// HubSpot's callback API down for ten minutes (refusing with 503 and Retry-After, 502, 429, or unreachable) while
// BLOCKed executions finish: every completion is retried through the outage and lands exactly once when it is back.
// The service runs on a clock the test moves, so the queue's backoff (seconds growing to minutes) passes at once.

const OUTAGE_MS = 10 * 60_000
const FAULTS: readonly CallbackFault[] = [{ status: 503, retryAfterSeconds: 30 }, 502, { drop: true }, { status: 429, retryAfterSeconds: 1 }, 500]

t.test('the callback API down for ten minutes: completions retried through it, each delivered exactly once when it is back', async t => {
  const clock = manualClock(Date.parse('2026-06-01T09:00:00Z'))
  const setup = await durableSetup(t, {}, { clock, setTimer: clock.setTimer })
  // The provider answers only once both executions are answered BLOCK: an outcome written earlier would queue its
  // completion while the loop below still runs the service's timers, and go out in a batch of its own.
  let release: () => void = () => undefined
  const released = new Promise<void>(resolve => { release = resolve })
  setup.openai.on('POST /v1/responses', setup.openai.guarded(async request => {
    await released
    return { body: openAIResponse('Answer', { model: request.json?.model }) }
  }))
  const start = clock()
  // More refusals than the queue will try in ten minutes: HubSpot is down until the test clears them.
  const refusals = Array.from({ length: 60 }, (_, index) => FAULTS[index % FAULTS.length] ?? 503)
  setup.hubspot.failCallbacks(...refusals)
  const bodies = [setup.body(), setup.body()]
  const answering = Promise.all(bodies.map(async body => await setup.execute(body)))
  // SYNC_BUDGET_MS runs on the service's clock too: move it past the budget while the provider is still answering.
  let answered = false
  void answering.finally(() => { answered = true })
  const budgetMs = setup.app.config.syncBudgetMs
  while (!answered) {
    if ((clock.nextTimerAt() ?? Infinity) <= clock() + budgetMs) clock.runNext()
    await new Promise(resolve => setTimeout(resolve, 5))
  }
  const answers = await answering
  release()
  t.same(answers.map(answer => answer.json().outputFields.hs_execution_state), ['BLOCK', 'BLOCK'], 'both answered BLOCK')
  const rows = async () => (await setup.app.repositories.executions.recent(PORTAL, 2))
  await eventually('both outcomes to be written and queued', async () => (await rows()).every(row => row.status === 'success' && row.completionState === 'pending'))

  const delivered = async () => (await rows()).every(row => row.completionState === 'delivered')
  let back = false
  let refused = 0
  let rounds = 0
  while (!await delivered()) {
    // A round ends by setting the timer of the next attempt (or by delivering): wait for that, then move time to it.
    await eventually('the queue to set its next attempt', async () => clock.nextTimerAt() !== undefined || await delivered())
      .catch(async (error: Error) => { t.comment(JSON.stringify((await rows()).map(row => [row.completionState, row.completionAttempts, row.completionError]))); throw error })
    if (await delivered()) break
    if (!back && (clock.nextTimerAt() ?? 0) - start >= OUTAGE_MS) {
      t.same((await setup.app.inject({ url: '/ready' })).json(), { status: 'ready' }, 'the backlog kept moving, so /ready stayed ready through the outage')
      refused = refusals.length - setup.hubspot.state.callbackFaults.splice(0).length
      back = true
    }
    // Usually the next attempt; at times a round with nothing due yet (the lease keeper, on real time, saw a
    // completion come due while an attempt was being made, and woke the queue).
    clock.runNext()
    if (++rounds > 40) throw new Error('the queue went on past HubSpot\'s return')
  }

  t.ok(back, 'HubSpot came back only after ten minutes of the service\'s time')
  t.ok(clock() - start >= OUTAGE_MS, `delivered ${Math.round((clock() - start) / 60_000)} minutes (on the service's clock) after the executions`)
  t.ok(refused >= FAULTS.length, `every kind of refusal was met (${refused} refusals)`)
  const completed = setup.hubspot.state.completedCallbacks
  t.equal(completed.length, 2, 'each completion delivered once')
  t.same(new Set(completed.map(entry => entry.callbackId)), new Set(bodies.map(body => body.callbackId)), 'one for each execution')
  const attempts = setup.hubspot.callbackRequests()
  t.ok(attempts.length >= 8, `retried through the outage (${attempts.length} attempts, backing off)`)
  const callbackIds = (request: typeof attempts[number]) => ((request.json as { inputs?: Array<{ callbackId?: string }> } | undefined)?.inputs ?? []).map(input => input.callbackId).sort()
  t.same(attempts.filter(request => callbackIds(request).length !== 2), [], 'each attempt one batch call with both completions')
  t.equal(clock.nextTimerAt(), undefined, 'nothing left to send')
  t.ok((await rows()).every(row => row.status === 'success' && row.completionAttempts === attempts.length), 'rows finished as success, every attempt counted')
  t.equal(setup.openai.generations().length, 2, 'no generation repeated because HubSpot was down')
  const again = await setup.execute(bodies[0] ?? {})
  t.equal(again.json().outputFields.hs_execution_state, 'SUCCESS', 'a redelivery gets the stored outcome')
})
