import t from 'tap'
import { buildApp, type TestApp } from '../helpers/build-app.ts'

const PORTAL = 5150
const MARCH = Date.parse('2026-03-10T12:00:00Z')
const url = `/api/portals/${PORTAL}/budget`

async function put (built: TestApp, payload: unknown) {
  return await built.app.inject({ method: 'PUT', url, headers: { ...built.admin, 'content-type': 'application/json' }, payload: JSON.stringify(payload) })
}

const NONE = { monthlyLimitUsd: null, warnAtPercent: null, timeZone: null, month: '2026-03', spentUsd: 0, reservedUsd: 0, remainingUsd: null, warned: false }

t.test('a portal without a budget reads as nulls with the month\'s recorded spend', async t => {
  const built = await buildApp(t, {}, { clock: () => MARCH })
  const response = await built.app.inject({ method: 'GET', url, headers: built.admin })
  t.equal(response.statusCode, 200)
  t.same(response.json(), NONE)
})

t.test('set, read, change and remove a budget, each audited with before and after', async t => {
  const built = await buildApp(t, {}, { clock: () => MARCH })
  const set = await put(built, { monthlyLimitUsd: 25, warnAtPercent: 80, timeZone: 'europe/paris' })
  t.equal(set.statusCode, 200, set.body)
  const expected = { monthlyLimitUsd: 25, warnAtPercent: 80, timeZone: 'Europe/Paris', month: '2026-03', spentUsd: 0, reservedUsd: 0, remainingUsd: 25, warned: false }
  t.same(set.json(), expected, 'the time zone is stored in its canonical spelling')
  t.same((await built.app.inject({ method: 'GET', url, headers: built.admin })).json(), expected)

  const changed = await put(built, { monthlyLimitUsd: 40 })
  t.same(changed.json(), { ...expected, monthlyLimitUsd: 40, warnAtPercent: null, timeZone: null, remainingUsd: 40 }, 'absent fields mean no warning and UTC')

  const removed = await put(built, null)
  t.equal(removed.statusCode, 200)
  t.same(removed.json(), NONE, 'null removes it, answering the state without a budget')
  t.same((await built.app.inject({ method: 'GET', url, headers: built.admin })).json(), NONE)
  t.equal((await put(built, null)).statusCode, 200, 'removing no budget is fine')

  const trail = (await built.app.repositories.connections.auditTrail(PORTAL)).filter(event => event.action === 'budget')
  t.same(trail.map(event => [event.actor, event.detail]), [
    ['admin-api', 'none → 25 USD a month, warn at 80%, Europe/Paris'],
    ['admin-api', '25 USD a month, warn at 80%, Europe/Paris → 40 USD a month, no warning, UTC'],
    ['admin-api', '40 USD a month, no warning, UTC → none']
  ], 'one event a change; removing nothing writes none')
})

t.test('the shape GET answers without a budget removes it, as null does; both audited, and documented', async t => {
  const built = await buildApp(t, {}, { clock: () => MARCH })
  const removals: unknown[] = [{ monthlyLimitUsd: null }, null, { monthlyLimitUsd: null, warnAtPercent: null, timeZone: null }]
  for (const removal of removals) {
    t.equal((await put(built, { monthlyLimitUsd: 10 })).statusCode, 200)
    const removed = await put(built, removal)
    t.equal(removed.statusCode, 200, `${JSON.stringify(removal)}: ${removed.body}`)
    t.same(removed.json(), NONE, `${JSON.stringify(removal)} removes it`)
  }
  const trail = (await built.app.repositories.connections.auditTrail(PORTAL)).filter(event => event.action === 'budget')
  t.same(trail.map(event => event.detail), removals.flatMap(() => ['none → 10 USD a month, no warning, UTC', '10 USD a month, no warning, UTC → none']), 'each removal audited')

  const refused = await put(built, { monthlyLimitUsd: null, warnAtPercent: 80 })
  t.equal(refused.statusCode, 400, 'a removal with settings is a contradiction')
  t.equal(refused.json().code, 'INVALID_INPUT')

  const spec = (await built.app.inject({ url: '/docs/json', headers: built.admin })).json()
  const body = spec.paths['/api/portals/{portalId}/budget'].put.requestBody.content['application/json'].schema
  const members: Array<{ type?: string, properties?: { monthlyLimitUsd?: { type?: string } } }> = body.anyOf
  t.same(members.map(member => member.properties?.monthlyLimitUsd?.type ?? member.type), ['number', 'null', 'null'], 'the spec lists the budget, {monthlyLimitUsd: null} and null')
})

t.test('bad budgets are 400 INVALID_INPUT naming the field', async t => {
  const built = await buildApp(t, {}, { clock: () => MARCH })
  const cases: Array<[unknown, RegExp]> = [
    [{}, /monthlyLimitUsd/],
    [{ monthlyLimitUsd: 0 }, /monthlyLimitUsd.*greater than 0/],
    [{ monthlyLimitUsd: -5 }, /monthlyLimitUsd/],
    [{ monthlyLimitUsd: 2e9 }, /monthlyLimitUsd.*1000000000/],
    [{ monthlyLimitUsd: '10' }, /monthlyLimitUsd.*number/],
    [{ monthlyLimitUsd: 10, warnAtPercent: 0 }, /warnAtPercent.*1/],
    [{ monthlyLimitUsd: 10, warnAtPercent: 101 }, /warnAtPercent.*100/],
    [{ monthlyLimitUsd: 10, warnAtPercent: 50.5 }, /warnAtPercent.*integer/],
    [{ monthlyLimitUsd: 10, timeZone: 'Mars/Olympus_Mons' }, /timeZone "Mars\/Olympus_Mons" is not a time zone.*Europe\/Paris/],
    [{ monthlyLimitUsd: 10, currency: 'EUR' }, /currency|additional|Unexpected/i],
    [[10], /body/]
  ]
  for (const [payload, message] of cases) {
    const response = await put(built, payload)
    t.equal(response.statusCode, 400, JSON.stringify(payload))
    t.equal(response.json().code, 'INVALID_INPUT', JSON.stringify(payload))
    t.match(response.json().message, message, `${JSON.stringify(payload)}: ${response.json().message}`)
  }
  t.same((await built.app.inject({ method: 'GET', url, headers: built.admin })).json(), NONE, 'nothing was stored')
  t.equal((await built.app.repositories.connections.auditTrail(PORTAL)).length, 0)
})

t.test('the budget routes need the admin token', async t => {
  const built = await buildApp(t, {}, { clock: () => MARCH })
  t.equal((await built.app.inject({ method: 'GET', url })).statusCode, 401)
  const response = await built.app.inject({ method: 'PUT', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ monthlyLimitUsd: 5 }) })
  t.equal(response.statusCode, 401)
  t.equal(response.json().code, 'UNAUTHORIZED')
})
