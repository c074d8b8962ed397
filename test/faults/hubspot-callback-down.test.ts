import t from 'tap'
import { durableSetup, eventually, PORTAL } from '../helpers/durable-setup.ts'

// HubSpot's callback API down for a stretch (refusing with 503 and Retry-After, then unreachable) while BLOCKed
// executions finish: every completion is retried and lands exactly once when it comes back.

t.test('the callback API down for several attempts: completions retried, delivered exactly once after it is back', async t => {
  const setup = await durableSetup(t)
  setup.providerDelayMs = 500
  // Four refusals in a row: three 503s with Retry-After (honoured), then a dropped connection (backoff).
  setup.hubspot.failCallbacks({ status: 503, retryAfterSeconds: 1 }, { status: 503, retryAfterSeconds: 1 }, { status: 503, retryAfterSeconds: 1 }, { drop: true })
  const bodies = [setup.body(), setup.body()]
  const answers = await Promise.all(bodies.map(async body => await setup.execute(body)))
  t.same(answers.map(answer => answer.json().outputFields.hs_execution_state), ['BLOCK', 'BLOCK'])
  const rows = () => setup.app.repositories.executions.recent(PORTAL, 2)
  await eventually('both deliveries to be recorded', () => rows().every(each => each.completionState === 'delivered'), 20_000)
    .catch((error: Error) => { t.comment(JSON.stringify(rows().map(each => [each.status, each.completionState, each.completionAttempts, each.completionError]))); throw error })
  await new Promise(resolve => setTimeout(resolve, 500))
  const completed = setup.hubspot.state.completedCallbacks
  t.equal(completed.length, 2, 'each completion delivered once')
  t.same(new Set(completed.map(entry => entry.callbackId)), new Set(bodies.map(body => body.callbackId)))
  t.equal(setup.hubspot.state.callbackFaults.length, 0, 'every refusal was met')
  t.ok(setup.hubspot.callbackRequests().length >= 5, `retried through the outage (${setup.hubspot.callbackRequests().length} calls)`)
  t.ok(rows().every(each => each.status === 'success'), 'rows finished as success')
  t.equal(setup.openai.generations().length, 2, 'no generation repeated because HubSpot was down')
  const again = await setup.execute(bodies[0] ?? {})
  t.equal(again.json().outputFields.hs_execution_state, 'SUCCESS', 'a redelivery gets the stored outcome')
})
