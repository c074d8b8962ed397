import t from 'tap'
import { buildApp } from '../helpers/build-app.ts'
import { PORTAL, durableSetup, eventually } from '../helpers/durable-setup.ts'
import { OPENAI_GOOD_KEY, startOpenAIStub } from '../stubs/openai-stub.ts'

// A key no audit row, response or log may ever contain; its last four characters are its public hint.
const CANARY_KEY = 'sk-test-canary-SECRET-do-not-leak-7777wxyz'

interface AuditItem { id: number, portalId: number, provider: string | null, action: string, actor: string, at: string, before: unknown, after: unknown, detail: string | null }

t.test('every admin change is audited with who, what, when, before and after, and no secret', async t => {
  const stub = await startOpenAIStub({ goodKeys: [OPENAI_GOOD_KEY, CANARY_KEY] })
  t.teardown(() => stub.close())
  const { app, admin, logs } = await buildApp(t, { OPENAI_BASE_URL: stub.baseUrl })
  const call = async (method: 'PUT' | 'POST' | 'DELETE', url: string, payload?: object) => {
    const response = await app.inject({ method, url, headers: admin, ...(payload === undefined ? {} : { payload }) })
    t.ok(response.statusCode < 300, `${method} ${url}: ${response.body}`)
    return response
  }
  const connection = '/api/portals/81/connections/openai'
  await call('PUT', connection, { apiKey: OPENAI_GOOD_KEY })
  await call('PUT', connection, { apiKey: CANARY_KEY })
  await call('PUT', `${connection}/allowed-models`, { models: ['gpt-4.1'] })
  await call('PUT', `${connection}/allowed-models`, { models: null })
  const created = (await call('POST', '/api/portals/81/assistants', { name: 'Summariser', model: 'gpt-4.1', instructions: 'Be brief.' })).json()
  await call('PUT', `/api/portals/81/assistants/${String(created.id)}`, { name: 'Summariser', model: 'gpt-4.1', instructions: 'Be very brief.', temperature: 0.5 })
  await call('DELETE', `/api/portals/81/assistants/${String(created.id)}`)
  await call('PUT', '/api/portals/81/budget', { monthlyLimitUsd: 50, warnAtPercent: 80 })
  await call('PUT', '/api/portals/81/budget', null as unknown as object)
  await call('DELETE', connection)

  const response = await app.inject({ url: '/api/audit?portalId=81', headers: admin })
  t.equal(response.statusCode, 200, response.body)
  const items = response.json().items as AuditItem[]
  t.same(items.map(item => item.action), [
    'disconnect', 'budget', 'budget', 'assistant_delete', 'assistant_update', 'assistant_create',
    'allowed_models', 'allowed_models', 'switch_key', 'connect'
  ], 'newest first')
  t.ok(items.every(item => item.actor === 'admin-api' && item.portalId === 81 && !Number.isNaN(Date.parse(item.at))), 'who and when on every event')
  const byAction = (action: string) => items.filter(item => item.action === action)

  t.match(byAction('connect')[0], { provider: 'openai', before: null, after: { keyHint: OPENAI_GOOD_KEY.slice(-4), baseUrl: null } })
  t.match(byAction('switch_key')[0], { before: { keyHint: OPENAI_GOOD_KEY.slice(-4) }, after: { keyHint: 'wxyz' } }, 'a key switch shows the hints only')
  t.same(byAction('allowed_models').reverse().map(item => [item.before, item.after]), [
    [{ allowedModels: null }, { allowedModels: ['gpt-4.1'] }],
    [{ allowedModels: ['gpt-4.1'] }, { allowedModels: null }]
  ])
  t.match(byAction('assistant_update')[0], { before: { instructions: 'Be brief.', temperature: null }, after: { instructions: 'Be very brief.', temperature: 0.5 }, detail: created.id })
  t.match(byAction('assistant_create')[0], { before: null, after: { name: 'Summariser' } })
  t.match(byAction('assistant_delete')[0], { before: { name: 'Summariser' }, after: null })
  t.same(byAction('budget').reverse().map(item => [item.before, item.after]), [
    [null, { monthlyLimitUsd: 50, warnAtPercent: 80, timeZone: null }],
    [{ monthlyLimitUsd: 50, warnAtPercent: 80, timeZone: null }, null]
  ])
  t.match(byAction('disconnect')[0], { before: { keyHint: 'wxyz', allowedModels: null }, after: null })

  const rows = JSON.stringify(await app.database.driver.all(app.database.driver.db.select().from(app.database.driver.tables.auditEvents)))
  for (const [where, text] of [['the audit response', response.body], ['the audit_events rows', rows], ['the logs', logs.join('')]] as const) {
    t.notOk(text.includes(CANARY_KEY), `the canary key is nowhere in ${where}`)
    t.notOk(text.includes(OPENAI_GOOD_KEY), `the first key is nowhere in ${where}`)
    t.notOk(text.includes('test-admin-token'), `the admin token is nowhere in ${where}`)
  }
})

t.test('filters and pages', async t => {
  let now = Date.parse('2026-03-01T00:00:00Z')
  const stub = await startOpenAIStub()
  t.teardown(() => stub.close())
  const { app, admin } = await buildApp(t, { OPENAI_BASE_URL: stub.baseUrl }, { clock: () => now })
  for (const portal of [91, 92, 91, 92, 91]) {
    const response = await app.inject({ method: 'PUT', url: `/api/portals/${portal}/budget`, headers: admin, payload: { monthlyLimitUsd: now % 1000 + 1 } })
    t.equal(response.statusCode, 200, response.body)
    now += 24 * 3_600_000
  }
  const get = async (query: string) => (await app.inject({ url: `/api/audit?${query}`, headers: admin })).json()
  t.equal((await get('')).items.length, 5, 'every portal without portalId')
  t.same((await get('portalId=92')).items.map((item: AuditItem) => item.portalId), [92, 92])
  t.same((await get('from=2026-03-02&to=2026-03-04')).items.map((item: AuditItem) => item.at), ['2026-03-03T00:00:00.000Z', '2026-03-02T00:00:00.000Z'], 'from inclusive, to exclusive')

  const first = await get('limit=2')
  t.equal(first.items.length, 2)
  t.type(first.next, 'number')
  const second = await get(`limit=2&before=${String(first.next)}`)
  const third = await get(`limit=2&before=${String(second.next)}`)
  t.equal(third.items.length, 1)
  t.notOk('next' in third, 'no next on the last page')
  const ids = [...first.items, ...second.items, ...third.items].map((item: AuditItem) => item.id)
  t.same(ids, [...ids].sort((a, b) => b - a), 'pages continue newest first')
  t.equal(new Set(ids).size, 5, 'no event twice')
})

t.test('a bad query is 400 INVALID_INPUT naming the parameter; no token is 401', async t => {
  const { app, admin } = await buildApp(t)
  for (const [query, name] of [['from=yesterday', /from/], ['to=2026-02-31', /to/], ['from=2026-03-02&to=2026-03-01', /from/], ['limit=0', /limit/], ['before=x', /before/], ['portalId=abc', /portalId/], ['other=1', /other/]] as const) {
    const response = await app.inject({ url: `/api/audit?${query}`, headers: admin })
    t.equal(response.statusCode, 400, query)
    t.equal(response.json().code, 'INVALID_INPUT', query)
    t.match(response.json().message, name, query)
  }
  t.equal((await app.inject({ url: '/api/audit' })).statusCode, 401)
})

t.test("an operator's redelivery is audited with the completion before and as the request left it (pending again)", async t => {
  const setup = await durableSetup(t)
  setup.providerDelayMs = 400
  setup.hubspot.failCallbacks({ status: 400, message: 'callback is not blocked' })
  t.equal((await setup.execute(setup.body())).json().outputFields.hs_execution_state, 'BLOCK')
  await eventually('the failed completion', async () => (await setup.app.repositories.executions.recent(PORTAL, 1))[0]?.completionState === 'failed')
  const failed = (await setup.app.repositories.executions.recent(PORTAL, 1))[0]
  const resend = await setup.app.inject({ method: 'POST', url: `/api/portals/${PORTAL}/executions/${String(failed?.id)}/redeliver`, headers: setup.admin })
  t.equal(resend.statusCode, 200, resend.body)
  const [event] = (await setup.app.inject({ url: `/api/audit?portalId=${PORTAL}&limit=1`, headers: setup.admin })).json().items as AuditItem[]
  t.match(event, {
    action: 'redeliver', actor: 'admin-api', provider: 'openai', detail: String(failed?.id),
    before: { completion: 'failed', attempts: failed?.completionAttempts, error: failed?.completionError }, after: { completion: 'pending', attempts: 0, error: null }
  })

  const unknown = await setup.app.inject({ method: 'POST', url: `/api/portals/${PORTAL}/executions/99999/redeliver`, headers: setup.admin })
  t.equal(unknown.statusCode, 404)
  t.equal((await setup.app.inject({ url: `/api/audit?portalId=${PORTAL}&limit=1`, headers: setup.admin })).json().items[0].id, event?.id, 'a refused redelivery is not audited')
})
