import t from 'tap'
import { durableSetup, eventually, PORTAL } from '../helpers/durable-setup.ts'
import { executionBody } from '../helpers/hubspot-request.ts'
import { OPENAI_GOOD_KEY } from '../stubs/openai-stub.ts'

// MAX_IN_FLIGHT is shared fairly: one portal flooding the instance through a slow provider must not leave another
// portal's single execution refused.

const OTHER_PORTAL = PORTAL + 1

t.test('a portal flooding a slow provider leaves room for another portal, and gets no more than its share while that one runs', async t => {
  const setup = await durableSetup(t, { MAX_IN_FLIGHT: '30', PROVIDER_CONCURRENCY: '4', PROVIDER_QUEUE_LIMIT: '40', SYNC_BUDGET_MS: '200' })
  const connect = await setup.app.inject({ method: 'PUT', url: `/api/portals/${OTHER_PORTAL}/connections/openai`, headers: setup.admin, payload: { apiKey: OPENAI_GOOD_KEY } })
  t.equal(connect.statusCode, 201)
  await setup.install(OTHER_PORTAL)
  setup.providerDelayMs = 1_500

  const flood = await Promise.all(Array.from({ length: 40 }, () => setup.execute(setup.body())))
  const floodStates = flood.map(answer => answer.statusCode === 200 ? answer.json().outputFields.hs_execution_state as string : String(answer.statusCode))
  t.equal(floodStates.filter(state => state === 'BLOCK').length, 27, `the flooding portal alone gets 27 of the 30 places: ${floodStates.join(',')}`)
  const refused = flood.filter(answer => answer.statusCode === 429)
  t.equal(refused.length, 13)
  t.ok(refused.every(answer => answer.json().code === 'RATE_LIMITED' && Number(answer.headers['retry-after']) >= 1), '429 RATE_LIMITED with Retry-After')
  t.match(refused[0]?.json().message, /Portal 70707 is running 27 executions/)

  const other = await setup.execute(executionBody(OTHER_PORTAL, { provider: 'openai', model: 'gpt-4.1', prompt: 'The other portal asks' }))
  t.equal(other.statusCode, 200, `the other portal is let in: ${other.body.slice(0, 200)}`)
  t.equal(other.json().outputFields.hs_execution_state, 'BLOCK')

  const more = await setup.execute(setup.body())
  t.equal(more.statusCode, 429, 'the flooding portal gets no more places while another portal runs')
  t.match(more.json().message, /its fair share while 1 other portal also run/)

  const metrics = await setup.app.inject({ url: '/metrics', headers: setup.admin })
  t.match(metrics.body, /llm_actions_rejections_total\{reason="fair-share",instance_id="[^"]+"\} 14/)

  setup.providerDelayMs = 0
  await eventually('every admitted execution completed', () => setup.hubspot.state.completedCallbacks.length >= 28, 30_000)
  t.equal(new Set(setup.hubspot.state.completedCallbacks.map(entry => entry.callbackId)).size, 28, 'each completed once')
  t.equal(setup.app.engine.active, 0, 'every place is given back')
})
