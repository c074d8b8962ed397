import t from 'tap'
import { durableSetup, eventually, PORTAL } from '../helpers/durable-setup.ts'
import { openAIResponse } from '../stubs/openai-stub.ts'
import { fillDisk, freeDisk } from '../../db/sqlite/sqlite-faults.ts'

t.test('the disk fills up during a provider call: 503, the execution stays resumable, and the answer is saved once there is room', async t => {
  const setup = await durableSetup(t, { SYNC_BUDGET_MS: '5000', STORE_PROMPTS: 'true' }, { install: false })
  const bigAnswer = 'All work and no play. '.repeat(2800)
  setup.openai.on('POST /v1/responses', setup.openai.guarded(async request => {
    // The database is full from now on: the outcome (a 60 kB answer) needs pages it cannot have.
    fillDisk(setup.app.database)
    return { body: openAIResponse(bigAnswer, { model: request.json?.model }) }
  }))
  const body = setup.body()
  const first = await setup.execute(body)
  t.equal(first.statusCode, 503, first.body)
  t.equal(first.json().code, 'STORAGE_UNAVAILABLE')
  t.ok(Number(first.headers['retry-after']) >= 1)
  t.notMatch(first.body, /SQLITE|disk|stack/i, 'no internals in the answer')

  const during = await setup.execute(body)
  t.equal(during.statusCode, 503, 'a redelivery meanwhile is told to retry, never given a half-written answer')
  t.equal(setup.openai.generations().length, 1)

  freeDisk(setup.app.database)
  const row = async () => (await setup.app.repositories.executions.recent(PORTAL, 1))[0]
  await eventually('the outcome to be written', async () => (await row())?.status === 'success', 10_000)
  const retry = await setup.execute(body)
  t.equal(retry.json().outputFields.hs_execution_state, 'SUCCESS')
  t.equal(retry.json().outputFields.response.length, bigAnswer.trim().length)
  t.equal(setup.openai.generations().length, 1, 'the provider was paid once')
})
