import t from 'tap'
import { durableSetup, PORTAL } from '../helpers/durable-setup.ts'
import { executionBody } from '../helpers/hubspot-request.ts'
import { OPENAI_GOOD_KEY } from '../stubs/openai-stub.ts'

// Exactly-once is per portal: a callbackId is HubSpot's name for one execution of one portal, so another
// portal sending the same callbackId (by accident or on purpose) must get its own execution, never the first's.

const OTHER_PORTAL = PORTAL + 1

t.test('two portals sending one callbackId each get their own execution and answer', async t => {
  const setup = await durableSetup(t)
  const connect = await setup.app.inject({ method: 'PUT', url: `/api/portals/${OTHER_PORTAL}/connections/openai`, headers: setup.admin, payload: { apiKey: OPENAI_GOOD_KEY } })
  t.equal(connect.statusCode, 201, 'the other portal is connected too')

  const callbackId = 'shared-callback-id-1'
  const bodyOf = (portalId: number) => ({
    ...executionBody(portalId, { provider: 'openai', model: 'gpt-4.1', prompt: `Portal ${portalId} asks` }),
    callbackId
  })
  const first = await setup.execute(bodyOf(PORTAL))
  const second = await setup.execute(bodyOf(OTHER_PORTAL))
  t.equal(first.statusCode, 200)
  t.equal(second.statusCode, 200)
  t.match(first.json().outputFields.response, `Portal ${PORTAL} asks`)
  t.match(second.json().outputFields.response, `Portal ${OTHER_PORTAL} asks`, 'not the first portal\'s stored answer')
  t.equal(setup.openai.generations().length, 2, 'the provider was called once per portal')

  const own = (await setup.app.repositories.executions.recent(PORTAL, 10))
  const others = (await setup.app.repositories.executions.recent(OTHER_PORTAL, 10))
  t.equal(own.length, 1)
  t.equal(others.length, 1)
  t.not(own[0]?.id, others[0]?.id, 'two rows')

  const redelivered = await setup.execute(bodyOf(OTHER_PORTAL))
  t.same(redelivered.json(), second.json(), 'a redelivery within one portal still replays that portal\'s answer')
  t.equal(setup.openai.generations().length, 2, 'without calling the provider again')
})
