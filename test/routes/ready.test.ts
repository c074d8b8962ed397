import t from 'tap'
import { buildApp } from '../helpers/build-app.ts'
import { STUCK_COMPLETION_MS } from '../../src/routes/health.ts'
import { inTransaction, refuseWrites } from '../../db/sqlite/sqlite-faults.ts'

t.test('/ready is 200 when the service can serve, /health always', async t => {
  const { app } = await buildApp(t)
  const ready = await app.inject({ url: '/ready' })
  t.equal(ready.statusCode, 200)
  t.same(ready.json(), { status: 'ready' })
  t.same((await app.inject({ url: '/health' })).json(), { status: 'ok' })
})

t.test('a database that cannot be written is 503 with the reason; /health stays 200', async t => {
  const { app } = await buildApp(t)
  refuseWrites(app.database, true)
  const ready = await app.inject({ url: '/ready' })
  t.equal(ready.statusCode, 503)
  t.same(ready.json(), { status: 'unavailable', reason: 'database not writable (SQLITE_READONLY)' })
  t.equal((await app.inject({ url: '/health' })).statusCode, 200, 'liveness does not touch the database')
  refuseWrites(app.database, false)
  t.equal((await app.inject({ url: '/ready' })).statusCode, 200, 'ready again once writable')
  t.notOk(inTransaction(app.database), 'the probe leaves no transaction open')
})

t.test('a completion backlog that stopped moving is 503', async t => {
  const now = Date.parse('2026-05-01T12:00:00Z')
  const { app } = await buildApp(t, {}, { clock: () => now })
  const { driver } = app.database
  // A finished execution whose completion waits in the queue, as the engine leaves one.
  const insert = (callbackId: string, startedAt: number, completionDueAt: number) => driver.run(driver.db.insert(driver.tables.executions).values({
    portalId: 5, action: 'custom-llm', callbackId, status: 'success', startedAt, outputFields: '{"hs_execution_state":"SUCCESS"}', completionState: 'pending', completionDueAt
  }))
  // Due a little while ago: the queue is just behind, not stuck.
  await insert('cb-recent', now - 60_000, now - STUCK_COMPLETION_MS + 60_000)
  t.equal((await app.inject({ url: '/ready' })).statusCode, 200, 'a completion due minutes ago is not a stuck backlog')
  await insert('cb-old', now - 3_600_000, now - STUCK_COMPLETION_MS - 5 * 60_000)
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
