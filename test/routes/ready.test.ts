import t from 'tap'
import { buildApp } from '../helpers/build-app.ts'
import { STUCK_COMPLETION_MS } from '../../src/routes/health.ts'
import { sqliteOf } from '../helpers/sqlite-of.ts'

t.test('/ready is 200 when the service can serve, /health always', async t => {
  const { app } = await buildApp(t)
  const ready = await app.inject({ url: '/ready' })
  t.equal(ready.statusCode, 200)
  t.same(ready.json(), { status: 'ready' })
  t.same((await app.inject({ url: '/health' })).json(), { status: 'ok' })
})

t.test('a database that cannot be written is 503 with the reason; /health stays 200', async t => {
  const { app } = await buildApp(t)
  sqliteOf(app.database).pragma('query_only = ON')
  const ready = await app.inject({ url: '/ready' })
  t.equal(ready.statusCode, 503)
  t.same(ready.json(), { status: 'unavailable', reason: 'database not writable (SQLITE_READONLY)' })
  t.equal((await app.inject({ url: '/health' })).statusCode, 200, 'liveness does not touch the database')
  sqliteOf(app.database).pragma('query_only = OFF')
  t.equal((await app.inject({ url: '/ready' })).statusCode, 200, 'ready again once writable')
  t.notOk(sqliteOf(app.database).inTransaction, 'the probe leaves no transaction open')
})

t.test('a completion backlog that stopped moving is 503', async t => {
  const now = Date.parse('2026-05-01T12:00:00Z')
  const { app } = await buildApp(t, {}, { clock: () => now })
  const insert = sqliteOf(app.database).prepare(`insert into executions (portal_id, action, callback_id, status, started_at, output_fields, completion_state, completion_due_at)
    values (5, 'custom-llm', ?, 'success', ?, '{"hs_execution_state":"SUCCESS"}', 'pending', ?)`)
  // Due a little while ago: the queue is just behind, not stuck.
  insert.run('cb-recent', now - 60_000, now - STUCK_COMPLETION_MS + 60_000)
  t.equal((await app.inject({ url: '/ready' })).statusCode, 200, 'a completion due minutes ago is not a stuck backlog')
  insert.run('cb-old', now - 3_600_000, now - STUCK_COMPLETION_MS - 5 * 60_000)
  const ready = await app.inject({ url: '/ready' })
  t.equal(ready.statusCode, 503)
  t.equal(ready.json().status, 'unavailable')
  t.match(ready.json().reason, /completion backlog stuck: a pending HubSpot completion is 20 minutes overdue/)
})

t.test('a shutting-down instance is 503', async t => {
  const { app } = await buildApp(t)
  app.engine.stopAccepting()
  const ready = await app.inject({ url: '/ready' })
  t.equal(ready.statusCode, 503)
  t.same(ready.json(), { status: 'unavailable', reason: 'shutting down' })
})
