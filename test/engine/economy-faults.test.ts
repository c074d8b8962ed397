import t from 'tap'
import { durableSetup, eventually, PORTAL, type DurableSetup } from '../helpers/durable-setup.ts'
import { batchesSent, ECONOMY_WINDOW as WINDOW, economyExecutions } from '../helpers/economy-batches.ts'
import { MEMORY_GOOD_KEY, memoryProvider } from '../helpers/memory-provider.ts'
import { openAIError, openAIResponse } from '../stubs/openai-stub.ts'

// What economy mode does when the batch cannot answer as hoped: an expired batch, one that waits past
// ECONOMY_MAX_WAIT_MS (cancelled at the provider), an answer that does not fit its format, a budget spent meanwhile,
// and a provider without a batch API. Each execution is completed once, whatever happened.

const rows = async (setup: DurableSetup, count: number) => await setup.app.repositories.executions.recent(PORTAL, count)
const allDone = (setup: DurableSetup, count: number) => async () => (await rows(setup, count)).every(row => row.status !== 'running' && row.completionState === 'delivered')

t.test('an expired batch: what it answered is used, the rest runs as standard calls', async t => {
  const setup = await durableSetup(t, WINDOW)
  await economyExecutions(setup, 3)
  const [batch] = await batchesSent(setup, 1)
  setup.openai.batches.expire(batch!.id, { completed: 1 })
  await eventually('all three completed', allDone(setup, 3), 30_000)
  const done = await rows(setup, 3)
  t.same(done.map(row => row.status), ['success', 'success', 'success'])
  t.equal(done.filter(row => row.economyState === 'answered').length, 1, 'one answered by the batch')
  t.equal(done.filter(row => row.economyState === 'standard').length, 2, 'two run as standard calls')
  t.equal(setup.openai.generations().length, 2)
  t.equal(setup.hubspot.state.completedCallbacks.length, 3, 'each completed once')
})

t.test('a batch not answered within ECONOMY_MAX_WAIT_MS is cancelled at the provider and its executions run as standard', async t => {
  let offsetMs = 0
  const setup = await durableSetup(t, { ...WINDOW, ECONOMY_MAX_WAIT_MS: '60000' }, { clock: () => Date.now() + offsetMs })
  await economyExecutions(setup, 2)
  const [batch] = await batchesSent(setup, 1)
  await eventually('the batch to be polled', () => setup.openai.batches.get(batch!.id)?.status === 'in_progress', 20_000)
  offsetMs += 61_000
  await eventually('both completed', allDone(setup, 2), 30_000)
  t.equal(setup.openai.batches.get(batch!.id)?.status, 'cancelling', 'the batch was cancelled at OpenAI')
  const done = await rows(setup, 2)
  t.same(done.map(row => [row.status, row.economyState]), [['success', 'standard'], ['success', 'standard']])
  t.match(done[0]?.adjustments, /had not answered its batch within ECONOMY_MAX_WAIT_MS/)
  const [stored] = await setup.app.repositories.economy.recent(PORTAL, 1)
  t.match(stored, { state: 'abandoned', ranStandard: 2 })
  t.equal(setup.hubspot.state.completedCallbacks.length, 2, 'each completed once')
})

t.test('a batch answer that does not fit its format is repaired with one standard call', async t => {
  const setup = await durableSetup(t, WINDOW)
  setup.openai.on('POST /v1/responses', setup.openai.guarded(() => ({ body: openAIResponse('42') })))
  await economyExecutions(setup, 1, { outputFormat: 'number' })
  const [batch] = await batchesSent(setup, 1)
  setup.openai.batches.complete(batch!.id, { answer: () => 'About forty-two, I would say.' })
  await eventually('the execution completed', allDone(setup, 1), 30_000)
  const [row] = await rows(setup, 1)
  t.equal(row?.status, 'success')
  t.match(JSON.parse(row?.outputFields ?? '{}'), { responseNumber: '42' })
  t.equal(setup.openai.generations().length, 1, 'one standard call: the repair')
  t.ok((row?.savedUsd ?? 0) > 0, 'the batch answer was still charged at the batch price')
})

t.test('executions of a failed batch run on OpenAI\'s flex tier at the batch price, or the standard tier when flex refuses', async t => {
  const setup = await durableSetup(t, WINDOW)
  let flexRefusals = 0
  setup.openai.on('POST /v1/responses', setup.openai.guarded(request => {
    const tier = request.json?.service_tier
    if (tier === 'flex' && flexRefusals++ === 0) return openAIError(400, 'Flex processing is not available for this request.')
    return { body: openAIResponse('Scored', { model: request.json?.model, service_tier: tier ?? 'default' }) }
  }))
  await economyExecutions(setup, 2, { model: 'gpt-5.4' })
  const [batch] = await batchesSent(setup, 1)
  setup.openai.batches.fail(batch!.id, 'Your organization has hit its batch queue limit.')
  await eventually('both completed', allDone(setup, 2), 30_000)
  const tiers = setup.openai.generations().map(request => request.json?.service_tier ?? 'standard')
  t.same(tiers.sort(), ['flex', 'flex', 'standard'], 'both asked for flex first; the refused one was answered on the standard tier')
  const done = await rows(setup, 2)
  const onFlex = done.find(row => !String(row.adjustments).includes('flex tier did not take the call'))
  const onStandard = done.find(row => String(row.adjustments).includes('flex tier did not take the call'))
  t.ok((onFlex?.savedUsd ?? 0) > 0 && Math.abs((onFlex?.savedUsd ?? 0) - (onFlex?.costUsd ?? 0)) < 1e-12, 'the flex answer is charged at the batch price')
  t.equal(onStandard?.savedUsd, null, 'the standard answer at the standard price')
  t.equal(setup.hubspot.state.completedCallbacks.length, 2, 'each completed once')
})

t.test('a budget spent while the batch runs: paid answers are kept, later executions stop at the budget', async t => {
  const setup = await durableSetup(t, WINDOW)
  const budget = (monthlyLimitUsd: number) => setup.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/budget`, headers: setup.admin, payload: { monthlyLimitUsd } })
  t.equal((await budget(5)).statusCode, 200)
  await economyExecutions(setup, 2, { maxOutputTokens: '200' })
  const [batch] = await batchesSent(setup, 1)
  t.equal((await budget(0.000001)).statusCode, 200, 'the budget is cut while the batch runs')
  setup.openai.batches.complete(batch!.id)
  await eventually('both completed', allDone(setup, 2), 30_000)
  t.same((await rows(setup, 2)).map(row => row.status), ['success', 'success'], 'answers already paid for are used')

  await economyExecutions(setup, 1, { maxOutputTokens: '200' })
  await eventually('the third completed', allDone(setup, 3), 30_000)
  const [third] = await rows(setup, 1)
  t.match(third, { status: 'failed', errorCode: 'BUDGET_EXCEEDED', economyState: 'standard' }, 'the next one never reached a batch')
  t.equal(setup.openai.batches.submissions(), 1, 'no second batch')
  t.equal(setup.openai.generations().length, 0, 'and no standard call')
})

t.test('a provider without a batch API runs economy executions as standard, and says so', async t => {
  const memory = memoryProvider()
  const setup = await durableSetup(t, { ...WINDOW, SYNC_BUDGET_MS: '5000' }, { extraProviders: [{ definition: memory.definition, origin: 'test memory' }] })
  const connected = await setup.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/memory`, headers: setup.admin, payload: { apiKey: MEMORY_GOOD_KEY } })
  t.equal(connected.statusCode, 201)
  const [answer] = await economyExecutions(setup, 1, { provider: 'memory', model: 'memory-1' })
  t.match(answer?.json().outputFields, { hs_execution_state: 'SUCCESS', response: 'Hello.' }, 'answered at once')
  const [row] = await rows(setup, 1)
  t.match(row?.adjustments, /Memory \(test double\) has no batch API here for memory-1; it ran as a standard call/)
  t.equal(row?.processing, null, 'not an economy execution')
})
