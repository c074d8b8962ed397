import t from 'tap'
import { durableSetup, eventually, PORTAL } from '../helpers/durable-setup.ts'

// HubSpot's side of a long call: BLOCK at once, then exactly one completion through the callback API.

t.test('a call slower than SYNC_BUDGET_MS is answered BLOCK, then completed once with the answer (2026-09 path, the default)', async t => {
  const setup = await durableSetup(t)
  setup.providerDelayMs = 1500
  const body = setup.body()
  const response = await setup.execute(body)
  t.equal(response.statusCode, 200)
  const outputs = response.json().outputFields
  t.equal(outputs.hs_execution_state, 'BLOCK')
  t.match(outputs.hs_expiration_duration, /^PT\d+S$/)
  t.equal(setup.hubspot.state.completedCallbacks.length, 0, 'answered before the provider did')
  // On a loaded machine the BLOCK can come back before the stub has read the call's request.
  await eventually('the call to reach the provider', () => setup.openai.generations().length === 1)

  await eventually('the completion', () => setup.hubspot.state.completedCallbacks.length > 0)
  await eventually('the delivery to be recorded', async () => (await setup.app.repositories.executions.recent(PORTAL, 1))[0]?.completionState === 'delivered')
  await new Promise(resolve => setTimeout(resolve, 300))
  const completed = setup.hubspot.state.completedCallbacks
  t.equal(completed.length, 1, 'exactly one completion')
  t.equal(completed[0]?.callbackId, body.callbackId)
  t.equal(completed[0]?.version, '2026-09')
  t.equal(completed[0]?.body.outputFields.hs_execution_state, 'SUCCESS')
  t.match(completed[0]?.body.outputFields.response, /^Answer to /)
  t.same(completed[0]?.body.typedOutputs.inputTokens, 12, 'typed outputs carry numbers as numbers')
  t.equal(setup.openai.generations().length, 1, 'one generation')

  const list = await setup.app.inject({ url: `/api/portals/${PORTAL}/executions`, headers: setup.admin })
  const execution = list.json().items[0]
  t.equal(execution.status, 'success')
  t.equal(execution.answered, 'block')
  t.equal(execution.completion.state, 'delivered')
  t.equal(execution.completion.attempts, 1)
  t.notOk('request' in execution, 'the stored request is never shown')

  const again = await setup.execute(body)
  t.equal(again.json().outputFields.hs_execution_state, 'SUCCESS', 'a later redelivery gets the stored outcome')
  t.equal(setup.openai.generations().length, 1, 'and no second generation')
})

t.test('several ready together go out as one batch; v4 paths when HUBSPOT_ACTIONS_API_VERSION=v4', async t => {
  const setup = await durableSetup(t, { HUBSPOT_ACTIONS_API_VERSION: 'v4' })
  setup.providerDelayMs = 800
  const bodies = Array.from({ length: 5 }, () => setup.body())
  const answers = await Promise.all(bodies.map(body => setup.execute(body)))
  t.same(answers.map(answer => answer.json().outputFields.hs_execution_state), Array(5).fill('BLOCK'))
  await eventually('five completions', () => setup.hubspot.state.completedCallbacks.length >= 5)
  const completed = setup.hubspot.state.completedCallbacks
  t.equal(completed.length, 5)
  t.same(new Set(completed.map(entry => entry.callbackId)), new Set(bodies.map(body => body.callbackId)), 'each callbackId once')
  t.ok(completed.every(entry => entry.version === 'v4'), 'v4 paths')
  t.ok(completed.some(entry => entry.batch), 'batched when several were ready')
})

t.test('a portal that never installed the app: 503 with Retry-After past the budget, and the retry gets the stored answer', async t => {
  const setup = await durableSetup(t, {}, { install: false })
  setup.providerDelayMs = 800
  const body = setup.body()
  const first = await setup.execute(body)
  t.equal(first.statusCode, 503)
  t.ok(Number(first.headers['retry-after']) >= 1)
  await eventually('the call to finish', () => setup.openai.generations().length > 0)
  await new Promise(resolve => setTimeout(resolve, 900))
  const retry = await setup.execute(body)
  t.equal(retry.statusCode, 200)
  t.equal(retry.json().outputFields.hs_execution_state, 'SUCCESS')
  t.equal(setup.openai.generations().length, 1, 'the provider was called once')
  t.equal(setup.hubspot.state.completedCallbacks.length, 0, 'nothing to complete')
})

t.test('concurrent duplicate deliveries: BLOCK each time while it runs, the stored outcome after, one generation', async t => {
  const setup = await durableSetup(t)
  setup.providerDelayMs = 1200
  const body = setup.body()
  const answers = await Promise.all(Array.from({ length: 6 }, () => setup.execute(body)))
  t.same(answers.map(answer => answer.json().outputFields.hs_execution_state), Array(6).fill('BLOCK'))
  const during = await setup.execute(body)
  t.equal(during.json().outputFields.hs_execution_state, 'BLOCK', 'a delivery while it still runs')
  await eventually('the completion', () => setup.hubspot.state.completedCallbacks.length > 0)
  const after = await setup.execute(body)
  t.equal(after.json().outputFields.hs_execution_state, 'SUCCESS')
  t.equal(setup.openai.generations().length, 1, 'one generation for all of them')
  await new Promise(resolve => setTimeout(resolve, 200))
  t.equal(setup.hubspot.state.completedCallbacks.length, 1, 'one completion')
  const list = await setup.app.inject({ url: `/api/portals/${PORTAL}/executions`, headers: setup.admin })
  t.equal(list.json().items.length, 1, 'one execution record')
})

t.test('duplicates within the budget get the same answer as the first delivery', async t => {
  const setup = await durableSetup(t, { SYNC_BUDGET_MS: '2000' })
  setup.providerDelayMs = 300
  const body = setup.body()
  const answers = await Promise.all(Array.from({ length: 4 }, () => setup.execute(body)))
  t.same(answers.map(answer => answer.json().outputFields.hs_execution_state), Array(4).fill('SUCCESS'))
  t.equal(setup.openai.generations().length, 1)
  t.equal(setup.hubspot.state.completedCallbacks.length, 0, 'nothing was BLOCKed, so nothing is completed')
})

t.test('the access token expired before the completion: refreshed once, then completed', async t => {
  const setup = await durableSetup(t)
  setup.providerDelayMs = 800
  const response = await setup.execute(setup.body())
  t.equal(response.json().outputFields.hs_execution_state, 'BLOCK')
  setup.hubspot.expireAccessTokens(PORTAL)
  const refreshesBefore = setup.hubspot.oauthRequests().filter(request => request.text.includes('grant_type=refresh_token')).length
  await eventually('the completion', () => setup.hubspot.state.completedCallbacks.length > 0)
  const refreshes = setup.hubspot.oauthRequests().filter(request => request.text.includes('grant_type=refresh_token')).length - refreshesBefore
  t.equal(refreshes, 1, 'one refresh')
  t.equal(setup.hubspot.state.completedCallbacks.length, 1)
})

t.test('completion refused with 429 (Retry-After) then 500: retried, completed once', async t => {
  const setup = await durableSetup(t)
  setup.providerDelayMs = 500
  setup.hubspot.failCallbacks({ status: 429, retryAfterSeconds: 1 }, 500)
  const body = setup.body()
  t.equal((await setup.execute(body)).json().outputFields.hs_execution_state, 'BLOCK')
  await eventually('the completion', () => setup.hubspot.state.completedCallbacks.length > 0, 15_000)
  t.equal(setup.hubspot.state.completedCallbacks.length, 1)
  t.equal(setup.hubspot.callbackRequests().length, 3, 'two refusals, one acceptance')
  // HubSpot has the completion a moment before the service has recorded HubSpot's answer.
  const row = async () => (await setup.app.repositories.executions.recent(PORTAL, 1))[0]
  await eventually('the delivery to be recorded', async () => (await row())?.completionState === 'delivered')
  t.equal((await row())?.completionAttempts, 3)
})

t.test('a completion HubSpot refuses for good is recorded as failed, and an operator can resend it', async t => {
  const setup = await durableSetup(t)
  setup.providerDelayMs = 400
  setup.hubspot.failCallbacks({ status: 400, message: 'callback is not blocked' })
  const body = setup.body()
  t.equal((await setup.execute(body)).json().outputFields.hs_execution_state, 'BLOCK')
  const listed = async () => (await setup.app.inject({ url: `/api/portals/${PORTAL}/executions`, headers: setup.admin })).json().items[0]
  await eventually('the failed completion', async () => (await setup.app.repositories.executions.recent(PORTAL, 1))[0]?.completionState === 'failed')
  const failed = await listed()
  t.equal(failed.completion.state, 'failed')
  t.match(failed.completion.error, /400/)
  t.equal(setup.hubspot.state.completedCallbacks.length, 0)

  const resend = await setup.app.inject({ method: 'POST', url: `/api/portals/${PORTAL}/executions/${String(failed.id)}/redeliver`, headers: setup.admin })
  t.equal(resend.statusCode, 200, resend.body)
  t.equal(resend.json().completion.state, 'delivered')
  t.equal(setup.hubspot.state.completedCallbacks.length, 1)
  t.equal(setup.hubspot.state.completedCallbacks[0]?.callbackId, body.callbackId)
  const twice = await setup.app.inject({ method: 'POST', url: `/api/portals/${PORTAL}/executions/${String(failed.id)}/redeliver`, headers: setup.admin })
  t.equal(twice.statusCode, 409, 'a delivered completion is not sent again')
  t.equal(twice.json().code, 'NOT_REDELIVERABLE')
  t.equal(setup.hubspot.state.completedCallbacks.length, 1)

  const unknown = await setup.app.inject({ method: 'POST', url: `/api/portals/${PORTAL}/executions/99999/redeliver`, headers: setup.admin })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().code, 'NOT_FOUND')
  const otherPortal = await setup.app.inject({ method: 'POST', url: `/api/portals/1/executions/${String(failed.id)}/redeliver`, headers: setup.admin })
  t.equal(otherPortal.statusCode, 404, 'another portal cannot resend it')
  const bad = await setup.app.inject({ method: 'POST', url: `/api/portals/${PORTAL}/executions/abc/redeliver`, headers: setup.admin })
  t.equal(bad.statusCode, 400)
  const noToken = await setup.app.inject({ method: 'POST', url: `/api/portals/${PORTAL}/executions/${String(failed.id)}/redeliver` })
  t.equal(noToken.statusCode, 401)
})

t.test('a completion still pending (HubSpot asked to wait) can be resent now', async t => {
  const setup = await durableSetup(t)
  setup.providerDelayMs = 400
  setup.hubspot.failCallbacks({ status: 429, retryAfterSeconds: 600 })
  t.equal((await setup.execute(setup.body())).json().outputFields.hs_execution_state, 'BLOCK')
  const row = async () => (await setup.app.repositories.executions.recent(PORTAL, 1))[0]
  await eventually('the refused completion', async () => (await row())?.completionAttempts === 1)
  t.equal((await row())?.completionState, 'pending', 'waiting out the Retry-After')
  const resend = await setup.app.inject({ method: 'POST', url: `/api/portals/${PORTAL}/executions/${String((await row())?.id)}/redeliver`, headers: setup.admin })
  t.equal(resend.statusCode, 200, resend.body)
  t.equal(resend.json().completion.state, 'delivered')
  t.equal(setup.hubspot.state.completedCallbacks.length, 1)
})

t.test('an execution answered in HubSpot\'s request itself is never resent: 409, and nothing goes to HubSpot', async t => {
  const setup = await durableSetup(t, { SYNC_BUDGET_MS: '5000' })
  const response = await setup.execute(setup.body())
  t.equal(response.json().outputFields.hs_execution_state, 'SUCCESS')
  const id = (await setup.app.inject({ url: `/api/portals/${PORTAL}/executions`, headers: setup.admin })).json().items[0].id
  const resend = await setup.app.inject({ method: 'POST', url: `/api/portals/${PORTAL}/executions/${String(id)}/redeliver`, headers: setup.admin })
  t.equal(resend.statusCode, 409, resend.body)
  t.match(resend.json(), { code: 'NOT_REDELIVERABLE', message: /answered in HubSpot's request itself/ })
  t.same(setup.hubspot.callbackRequests(), [], 'no completion was sent with the portal\'s token')
})
