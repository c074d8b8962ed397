import t from 'tap'
import { buildApp } from '../helpers/build-app.ts'

// GET /api/portals counts each portal's own connections, not every connection in the database.

t.test('each portal reports its own connection count', async t => {
  const { app, admin } = await buildApp(t)
  const at = Date.now()
  const connect = (portalId: number, provider: string) => {
    app.repositories.portals.ensure(portalId)
    app.database.sqlite.prepare('insert into connections (portal_id, provider, encrypted_key, key_hint, connected_at, last_validated_at) values (?, ?, ?, ?, ?, ?)')
      .run(portalId, provider, 'v1.default.iv.data', 'abcd', at, at)
  }
  connect(101, 'openai')
  connect(202, 'openai')
  connect(202, 'anthropic')
  connect(202, 'gemini')
  app.repositories.portals.ensure(303)

  const response = await app.inject({ url: '/api/portals', headers: admin })
  t.equal(response.statusCode, 200)
  const counts = response.json().items.map((portal: { portalId: number, connectionCount: number }) => [portal.portalId, portal.connectionCount])
  t.same(counts, [[101, 1], [202, 3]], 'a portal with neither an install nor a connection is left out')
})
