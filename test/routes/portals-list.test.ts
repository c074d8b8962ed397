import t from 'tap'
import { buildApp } from '../helpers/build-app.ts'
import { sqliteOf } from '../helpers/sqlite-of.ts'

// GET /api/portals counts each portal's own connections, not every connection in the database.

t.test('each portal reports its own connection count', async t => {
  const { app, admin } = await buildApp(t)
  const at = Date.now()
  const connect = async (portalId: number, provider: string) => {
    await app.repositories.portals.ensure(portalId)
    sqliteOf(app.database).prepare('insert into connections (portal_id, provider, encrypted_key, key_hint, connected_at, last_validated_at) values (?, ?, ?, ?, ?, ?)')
      .run(portalId, provider, 'v1.default.iv.data', 'abcd', at, at)
  }
  await connect(101, 'openai')
  await connect(202, 'openai')
  await connect(202, 'anthropic')
  await connect(202, 'gemini')
  await app.repositories.portals.ensure(303)

  const response = await app.inject({ url: '/api/portals', headers: admin })
  t.equal(response.statusCode, 200)
  const counts = response.json().items.map((portal: { portalId: number, connectionCount: number }) => [portal.portalId, portal.connectionCount])
  t.same(counts, [[101, 1], [202, 3]], 'a portal with neither an install nor a connection is left out')
})

t.test('each portal lists its connections with their status and its budget, so the page needs no call per portal', async t => {
  const { app, admin } = await buildApp(t)
  const at = Date.now()
  await app.repositories.portals.ensure(202)
  for (const provider of ['openai', 'anthropic', 'gemini']) {
    sqliteOf(app.database).prepare('insert into connections (portal_id, provider, encrypted_key, key_hint, connected_at, last_validated_at) values (?, ?, ?, ?, ?, ?)')
      .run(202, provider, 'v1.default.iv.data', 'abcd', at, at)
  }
  await app.repositories.portals.setInstallStatus(303, 'installed', at)
  await app.repositories.budgets.save(202, { monthlyLimitUsd: 40, warnAtPercent: null, timeZone: null }, 'admin-api', at)
  sqliteOf(app.database).prepare("update connections set status = 'invalid' where provider = 'gemini'").run()
  await app.repositories.budgets.save(404, { monthlyLimitUsd: 5, warnAtPercent: null, timeZone: null }, 'admin-api', at)

  const items = (await app.inject({ url: '/api/portals', headers: admin })).json().items
  t.same(items.map((portal: { portalId: number, connections: unknown[], monthlyLimitUsd: number | null, connectionCount: number }) => [portal.portalId, portal.connections, portal.monthlyLimitUsd, portal.connectionCount]), [
    [202, [{ provider: 'anthropic', status: 'connected' }, { provider: 'gemini', status: 'invalid' }, { provider: 'openai', status: 'connected' }], 40, 3],
    [303, [], null, 0],
    [404, [], 5, 0]
  ], 'the budget join does not multiply the connection count, and a portal with only a budget is listed')
})
