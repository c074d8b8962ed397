import t, { type Test } from 'tap'
import { durableSetup, eventually, PORTAL, type DurableSetup } from '../helpers/durable-setup.ts'
import { batchesSent, economyDelivered, economyExecutions, ECONOMY_WINDOW } from '../helpers/economy-batches.ts'

/**
 * What an operator sees of economy mode (issue 21): `GET /api/portals/:portalId/economy`, the economy columns of the
 * usage reports, and the economy fields of the executions list, after one standard execution and three economy
 * executions sent as one batch, of which the provider answered two and failed one (run as a standard call).
 */

const near = (t: Test, actual: number, expected: number, what: string) => t.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≈ ${expected}`)
const sum = (values: ReadonlyArray<number | null>) => values.reduce<number>((total, value) => total + (value ?? 0), 0)

/** The setup with the standard execution and the first batch settled; `batchId` is the provider's id of that batch. */
async function settledBatch (t: Test): Promise<{ setup: DurableSetup, batchId: string }> {
  const setup = await durableSetup(t, { ...ECONOMY_WINDOW, SYNC_BUDGET_MS: '5000' })
  t.equal((await setup.execute(setup.body())).json().outputFields.hs_execution_state, 'SUCCESS', 'the standard execution')
  await economyExecutions(setup, 3)
  const [batch] = await batchesSent(setup, 1)
  // The stub lists the batch as it answers its creation, a moment before the queue records that answer.
  const report = async () => (await get(setup, `/api/portals/${PORTAL}/economy`)).json()
  await eventually('the batch to be recorded as submitted', async () => (await report()).batches[0]?.state === 'submitted')
  const queued = await report()
  t.same(queued.queue, { waiting: 0, batched: 3, answered: 0, standard: 0 }, 'the three are in the batch')
  t.match(queued.batches, [{ state: 'submitted', vendorBatchId: batch!.id, items: 3, answered: 0, ranStandard: 0, finishedAt: null }])
  setup.openai.batches.complete(batch!.id, { failItems: [setup.openai.batches.input(batch!.id)[0]!.custom_id] })
  await economyDelivered(setup, PORTAL, 3)
  return { setup, batchId: batch!.id }
}

async function get (setup: DurableSetup, url: string, headers: Record<string, string> = {}) {
  return await setup.app.inject({ url, headers: { ...setup.admin, ...headers } })
}

const economyRows = async (setup: DurableSetup) => (await setup.app.repositories.executions.recent(PORTAL, 10)).filter(row => row.processing === 'economy')

t.test('the economy queue: counts by state, the batch as it ended, and what it saved this month', async t => {
  const { setup, batchId } = await settledBatch(t)
  const response = await get(setup, `/api/portals/${PORTAL}/economy`)
  t.equal(response.statusCode, 200)
  const report = response.json()
  t.same(report.queue, { waiting: 0, batched: 0, answered: 0, standard: 0 }, 'nothing left unfinished')
  t.equal(report.batches.length, 1)
  t.match(report.batches[0], { provider: 'openai', model: 'gpt-4.1', state: 'done', vendorBatchId: batchId, items: 3, answered: 2, ranStandard: 1, error: null })
  for (const field of ['createdAt', 'submittedAt', 'finishedAt']) t.match(report.batches[0][field], /^\d{4}-\d\d-\d\dT/, `${field} is a time`)
  t.equal(report.next, null, 'one page')
  t.equal(report.month, new Date().toISOString().slice(0, 7))
  const saved = sum((await economyRows(setup)).map(row => row.savedUsd))
  t.ok(saved > 0, 'the batch answers saved something')
  near(t, report.savedUsd, saved, 'savedUsd is the sum of the executions\' savings')
})

t.test('the executions list says which executions were economy, where they ended and why, and what each saved', async t => {
  const { setup } = await settledBatch(t)
  const items: Array<Record<string, unknown>> = (await get(setup, `/api/portals/${PORTAL}/executions`)).json().items
  const standard = items.filter(item => item.processing === null)
  t.same(standard.map(item => [item.economyState, item.economyNote, item.savedUsd]), [[null, null, null]], 'the standard execution has none of it')
  const economy = items.filter(item => item.processing === 'economy')
  t.same(economy.map(item => item.economyState).sort(), ['answered', 'answered', 'standard'])
  for (const item of economy.filter(item => item.economyState === 'answered')) {
    t.ok(typeof item.savedUsd === 'number' && item.savedUsd > 0, `an answered one saved ${String(item.savedUsd)}`)
    t.equal(item.economyNote, null)
  }
  const ranStandard = economy.find(item => item.economyState === 'standard')
  t.match(ranStandard?.economyNote, /^Economy: OpenAI answered this request of the batch with an error/, 'why it ran as a standard call')
  t.equal(ranStandard?.savedUsd, null, 'a standard call saves nothing')
})

t.test('usage reports split economy from standard and show the saving, in JSON and CSV, per portal and for every portal', async t => {
  const { setup } = await settledBatch(t)
  const economy = await economyRows(setup)
  const economyCost = sum(economy.map(row => row.costUsd))
  const saved = sum(economy.map(row => row.savedUsd))
  const report = (await get(setup, `/api/portals/${PORTAL}/usage`)).json()
  t.match(report.items, [{ provider: 'openai', model: 'gpt-4.1', executions: 4, economyExecutions: 3 }])
  const [row] = report.items
  near(t, row.economyCostUsd, economyCost, 'economy cost')
  near(t, row.savedUsd, saved, 'saved')
  t.ok(row.costUsd > row.economyCostUsd, 'the standard execution\'s cost is the rest of costUsd')
  t.match(report.totals, { executions: 4, economyExecutions: 3 })
  near(t, report.totals.savedUsd, saved, 'totals')

  const lines = (await get(setup, `/api/portals/${PORTAL}/usage?groupBy=provider`, { accept: 'text/csv' })).body.split('\r\n')
  t.equal(lines[0], 'provider,executions,errors,inputTokens,cachedInputTokens,outputTokens,reasoningTokens,costUsd,unpricedExecutions,economyExecutions,economyCostUsd,savedUsd')
  const cells = lines[1]?.split(',') ?? []
  t.same(cells.slice(0, 2), ['openai', '4'])
  t.same(cells.slice(-3).map(Number).map((value, index) => index === 0 ? value : Math.round(value * 1e9)), [3, Math.round(economyCost * 1e9), Math.round(saved * 1e9)], 'the economy columns last')

  const portals = (await get(setup, '/api/usage')).json()
  t.match(portals.items, [{ portalId: PORTAL, executions: 4, economyExecutions: 3 }])
  near(t, portals.items[0].savedUsd, saved, 'every portal\'s report')
  t.match((await get(setup, '/api/usage', { accept: 'text/csv' })).body, /^portalId,executions,.*,economyExecutions,economyCostUsd,savedUsd\r\n/)
})

t.test('batches page back with before and limit; unknown portals and bad queries are refused with their codes', async t => {
  const { setup, batchId } = await settledBatch(t)
  await economyExecutions(setup, 1)
  const second = (await batchesSent(setup, 2))[1]!.id
  const page = async (query: string) => (await get(setup, `/api/portals/${PORTAL}/economy?${query}`)).json()
  await eventually('the second batch to be recorded', async () => (await page('limit=1')).batches[0]?.vendorBatchId === second)
  const first = await page('limit=1')
  t.same(first.batches.map((batch: { vendorBatchId: string }) => batch.vendorBatchId), [second], 'the newest first')
  t.type(first.next, 'number')
  const older = await page(`limit=1&before=${String(first.next)}`)
  t.same(older.batches.map((batch: { vendorBatchId: string }) => batch.vendorBatchId), [batchId])
  t.same((await page(`limit=1&before=${String(older.next)}`)).batches, [], 'nothing older')
  t.same(older.queue, first.queue, 'the queue is the portal\'s whole, on every page')

  const unknown = await get(setup, '/api/portals/4242/economy')
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().code, 'NOT_FOUND')
  for (const query of ['limit=0', 'limit=501', 'before=0', 'before=later']) {
    const refused = await get(setup, `/api/portals/${PORTAL}/economy?${query}`)
    t.equal(refused.statusCode, 400, query)
    t.equal(refused.json().code, 'INVALID_INPUT', query)
  }
  t.equal((await get(setup, '/api/portals/0/economy')).json().code, 'INVALID_INPUT', 'portal 0')
  const anonymous = await setup.app.inject({ url: `/api/portals/${PORTAL}/economy` })
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.json().code, 'UNAUTHORIZED')
})
