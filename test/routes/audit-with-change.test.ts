import t from 'tap'
import { refuseInserts } from '../../db/sqlite/sqlite-faults.ts'
import { buildApp, TEST_ADMIN_TOKEN, type TestApp } from '../helpers/build-app.ts'
import { PORTAL, durableSetup, eventually } from '../helpers/durable-setup.ts'
import { signIn } from '../helpers/sign-in.ts'

// A change and its audit event commit together: when the event cannot be written, the change is not made either.
// SQLite only: the audit insert is made to fail by a trigger in the file.

const refuseAudit = (built: TestApp) => { refuseInserts(built.app.database, 'audit_events') }
const portals = (built: TestApp, cookie: string) => built.app.inject({ url: '/api/portals', headers: { cookie } })

t.test('a sign-in whose audit event cannot be written opens no session', async t => {
  const built = await buildApp(t)
  refuseAudit(built)
  const response = await built.app.inject({ method: 'POST', url: '/session', payload: { token: TEST_ADMIN_TOKEN } })
  t.ok(response.statusCode >= 500, `refused (${response.statusCode})`)
  t.equal(response.headers['set-cookie'], undefined, 'no cookie')
  const { driver } = built.app.database
  t.strictSame(await driver.all(driver.db.select().from(driver.tables.adminSessions)), [], 'no session row')
})

t.test('a sign-out or sign out everywhere whose audit event cannot be written ends no session', async t => {
  const built = await buildApp(t)
  const session = await signIn(built)
  refuseAudit(built)
  const headers = { cookie: session.cookie, 'x-csrf-token': session.csrfToken }
  const out = await built.app.inject({ method: 'DELETE', url: '/session', headers })
  t.ok(out.statusCode >= 500, `sign-out refused (${out.statusCode})`)
  t.equal((await portals(built, session.cookie)).statusCode, 200, 'the session goes on')
  const all = await built.app.inject({ method: 'DELETE', url: '/session/all', headers })
  t.ok(all.statusCode >= 500, `sign out everywhere refused (${all.statusCode})`)
  t.equal((await portals(built, session.cookie)).statusCode, 200, 'the session still goes on')
})

t.test('a redelivery whose audit event cannot be written is not queued', async t => {
  const setup = await durableSetup(t)
  setup.hubspot.failCallbacks({ status: 400, message: 'callback is not blocked' })
  setup.providerDelayMs = 400
  t.equal((await setup.execute(setup.body())).json().outputFields.hs_execution_state, 'BLOCK')
  await eventually('the failed completion', async () => (await setup.app.repositories.executions.recent(PORTAL, 1))[0]?.completionState === 'failed')
  const failed = (await setup.app.repositories.executions.recent(PORTAL, 1))[0]
  refuseAudit(setup)
  const resend = await setup.app.inject({ method: 'POST', url: `/api/portals/${PORTAL}/executions/${String(failed?.id)}/redeliver`, headers: setup.admin })
  t.ok(resend.statusCode >= 500, `refused (${resend.statusCode})`)
  t.match(await setup.app.repositories.executions.find(failed?.id ?? 0), { completionState: 'failed', completionAttempts: failed?.completionAttempts, completionError: failed?.completionError },
    'the completion is as it was: nothing was sent again')
})
