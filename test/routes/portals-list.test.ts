import t from 'tap'
import { buildApp, type TestApp } from '../helpers/build-app.ts'

// GET /api/portals counts each portal's own connections, not every connection in the database.

/** A connection row as connecting writes one, without asking a provider (its key is never read here). */
async function insertConnection (app: TestApp['app'], portalId: number, provider: string, at: number): Promise<void> {
  const { driver } = app.database
  await driver.run(driver.db.insert(driver.tables.connections).values({ portalId, provider, encryptedKey: 'v1.default.iv.data', keyHint: 'abcd', connectedAt: at, lastValidatedAt: at }))
}

t.test('each portal reports its own connection count', async t => {
  const { app, admin } = await buildApp(t)
  const at = Date.now()
  const connect = async (portalId: number, provider: string) => {
    await app.repositories.portals.ensure(portalId)
    await insertConnection(app, portalId, provider, at)
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
    await insertConnection(app, 202, provider, at)
  }
  await app.repositories.portals.setInstallStatus(303, 'installed', at)
  await app.repositories.budgets.save(202, { monthlyLimitUsd: 40, warnAtPercent: null, timeZone: null }, 'admin-api', at)
  await app.repositories.connections.setStatus(202, 'gemini', 'invalid', at)
  await app.repositories.budgets.save(404, { monthlyLimitUsd: 5, warnAtPercent: null, timeZone: null }, 'admin-api', at)

  const items = (await app.inject({ url: '/api/portals', headers: admin })).json().items
  t.same(items.map((portal: { portalId: number, connections: unknown[], monthlyLimitUsd: number | null, connectionCount: number }) => [portal.portalId, portal.connections, portal.monthlyLimitUsd, portal.connectionCount]), [
    [202, [{ provider: 'anthropic', status: 'connected' }, { provider: 'gemini', status: 'invalid' }, { provider: 'openai', status: 'connected' }], 40, 3],
    [303, [], null, 0],
    [404, [], 5, 0]
  ], 'the budget join does not multiply the connection count, and a portal with only a budget is listed')
})
