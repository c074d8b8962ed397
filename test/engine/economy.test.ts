import t from 'tap'
import { durableSetup, eventually, PORTAL, type DurableSetup } from '../helpers/durable-setup.ts'
import { batchesSent, ECONOMY_WINDOW as WINDOW, economyExecutions, waitsTwoDays } from '../helpers/economy-batches.ts'

// Economy mode end to end on the OpenAI stub: BLOCK at once for two days, one batch per connection and window, the
// batch price, completion through the callback API once, and standard calls for what the batch cannot answer.

const rows = async (setup: DurableSetup, count: number) => await setup.app.repositories.executions.recent(PORTAL, count)

t.test('economy executions are answered BLOCK for two days, sent as one batch, priced at half and completed once', async t => {
  const setup = await durableSetup(t, WINDOW)
  const answers = await economyExecutions(setup, 5)
  for (const answer of answers) {
    const outputs = answer.json().outputFields
    t.ok(outputs.hs_execution_state === 'BLOCK' && waitsTwoDays(outputs.hs_expiration_duration), `BLOCK at once, for two days: ${JSON.stringify(outputs)}`)
  }
  t.equal(setup.openai.generations().length, 0, 'no standard call')
  const [batch] = await batchesSent(setup, 1)
  t.equal(setup.openai.batches.input(batch!.id).length, 5, 'all five in one batch')
  setup.openai.batches.complete(batch!.id)
  await eventually('every completion to be delivered', async () => (await rows(setup, 5)).every(row => row.completionState === 'delivered'), 30_000)
  t.equal(setup.hubspot.callbackRequests().length >= 1, true, 'completed through the callback API')
  t.equal(setup.openai.generations().length, 0, 'still no standard call')
  t.equal(setup.openai.batches.submissions(), 1, 'one batch submitted')
  for (const row of await rows(setup, 5)) {
    t.equal(row.status, 'success')
    t.equal(row.processing, 'economy')
    t.match(JSON.parse(row.outputFields ?? '{}'), { hs_execution_state: 'SUCCESS', response: /^Answer to Say hi to .*Ada.*, number \d/ })
    t.ok((row.costUsd ?? 0) > 0 && Math.abs((row.savedUsd ?? 0) - (row.costUsd ?? 0)) < 1e-12, `charged half: cost ${row.costUsd}, saved ${row.savedUsd}`)
    t.equal(row.economyAnswer, null, 'the batch answer is not kept')
  }
})

t.test('a failed batch, and the failed items of a batch, run as standard calls and complete', async t => {
  const setup = await durableSetup(t, WINDOW)
  await economyExecutions(setup, 3)
  const [first] = await batchesSent(setup, 1)
  const input = setup.openai.batches.input(first!.id)
  setup.openai.batches.complete(first!.id, { failItems: [input[0]!.custom_id] })
  await eventually('the three to succeed', async () => (await rows(setup, 3)).every(row => row.status === 'success' && row.completionState === 'delivered'), 30_000)
  t.equal(setup.openai.generations().length, 1, 'the failed item ran as one standard call')
  const standard = (await rows(setup, 3)).filter(row => row.economyState === 'standard')
  t.equal(standard.length, 1)
  t.match(standard[0]?.adjustments, /Economy: OpenAI answered this request of the batch with an error/)

  await economyExecutions(setup, 2)
  const second = (await batchesSent(setup, 2))[1]
  setup.openai.batches.fail(second!.id, 'Your organization has hit its batch queue limit.')
  await eventually('the other two to succeed', async () => (await rows(setup, 5)).every(row => row.status === 'success' && row.completionState === 'delivered'), 30_000)
  t.equal(setup.openai.generations().length, 3, 'both ran as standard calls')
  t.equal(setup.openai.batches.submissions(), 2, 'no batch was submitted twice')
})

t.test('economy falls back to standard where it cannot be used, and says why', async t => {
  const setup = await durableSetup(t, WINDOW, { install: false })
  const [answer] = await economyExecutions(setup, 1)
  t.equal(answer?.json().outputFields.hs_execution_state, 'SUCCESS', 'answered now: a portal without OAuth cannot be completed later')
  const [row] = await rows(setup, 1)
  t.match(row?.adjustments, /not installed via OAuth/)
  t.equal(setup.openai.batches.submissions(), 0)
})

t.test('record data read from the CRM for an economy prompt is read once, not again for the batch or the answer', async t => {
  const setup = await durableSetup(t, WINDOW)
  setup.hubspot.seedRecord('contacts', 904, { company: 'Acme Corp' })
  await economyExecutions(setup, 1, { prompt: 'Score {{firstname}} of {{company}}' })
  t.equal(setup.hubspot.crmRequests().length, 1, 'read once, when the execution was queued')
  const [batch] = await batchesSent(setup, 1)
  t.match(JSON.stringify(setup.openai.batches.input(batch!.id)[0]?.body), /Acme Corp/, 'the batch request has the property')
  setup.openai.batches.complete(batch!.id)
  await eventually('the execution to be delivered', async () => (await rows(setup, 1))[0]?.completionState === 'delivered', 30_000)
  t.equal((await rows(setup, 1))[0]?.status, 'success')
  t.equal(setup.hubspot.crmRequests().length, 1, 'and never read again')
})
