import t from 'tap'
import { buildApp, TEST_ADMIN_TOKEN, type TestApp } from '../helpers/build-app.ts'
import { signIn } from '../helpers/sign-in.ts'

// A session is tied to the admin token it was opened with: an operator who changes a leaked token ends every
// session opened with it, and "sign out everywhere" ends them all without changing the token.

const ROTATED_TOKEN = 'rotated-admin-token-fedcba9876543210'

const portals = (built: TestApp, cookie: string) => built.app.inject({ url: '/api/portals', headers: { cookie } })
const storedSessions = async (built: TestApp) => {
  const { driver } = built.app.database
  return (await driver.all(driver.db.select().from(driver.tables.adminSessions))).length
}
const lastAudit = async (built: TestApp) => (await built.app.repositories.audit.list({ limit: 1 }))[0]

t.test('a session survives a restart with the same admin token, and is refused and deleted once the token changes', async t => {
  const dataDir = t.testdir()
  const first = await buildApp(t, {}, { dataDir })
  const session = await signIn(first)
  await first.app.close()

  const same = await buildApp(t, {}, { dataDir })
  t.equal((await portals(same, session.cookie)).statusCode, 200, 'same token: the session goes on')
  await same.app.close()

  const rotated = await buildApp(t, { ADMIN_TOKEN: ROTATED_TOKEN }, { dataDir })
  t.equal((await rotated.app.inject({ url: '/api/portals', headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).statusCode, 401, 'the old token is refused')
  const refused = await portals(rotated, session.cookie)
  t.equal(refused.statusCode, 401, 'so is the session opened with it')
  t.equal(refused.json().code, 'UNAUTHORIZED')
  t.equal((await rotated.app.inject({ url: '/session', headers: { cookie: session.cookie } })).statusCode, 401, 'the page is told it is signed out')
  t.equal(await storedSessions(rotated), 0, 'and the refused session is deleted')
  const fresh = await signIn(rotated, ROTATED_TOKEN)
  t.equal((await portals(rotated, fresh.cookie)).statusCode, 200, 'a session opened with the new token works')
  await rotated.app.close()

  const back = await buildApp(t, {}, { dataDir })
  t.equal((await portals(back, session.cookie)).statusCode, 401, 'the old token back does not bring its deleted session back')
  t.equal((await portals(back, fresh.cookie)).statusCode, 401, 'and the new token\'s session ends with the new token')
})

t.test('sign out everywhere ends every session, this one included, and is audited; it is a change like any other', async t => {
  const built = await buildApp(t)
  const mine = await signIn(built)
  const other = await signIn(built)

  const withoutCsrf = await built.app.inject({ method: 'DELETE', url: '/session/all', headers: { cookie: mine.cookie } })
  t.equal(withoutCsrf.statusCode, 403, 'it needs the CSRF token')
  t.equal((await built.app.inject({ method: 'DELETE', url: '/session/all' })).statusCode, 401, 'and a session or the admin token')
  t.equal((await portals(built, other.cookie)).statusCode, 200, 'nothing ended yet')

  const ended = await built.app.inject({ method: 'DELETE', url: '/session/all', headers: { cookie: mine.cookie, 'x-csrf-token': mine.csrfToken } })
  t.equal(ended.statusCode, 200, ended.body)
  t.same(ended.json(), { ended: 2 })
  t.match(String(ended.headers['set-cookie']), /^llm_actions_session=; Max-Age=0;/, 'the caller\'s cookie is cleared')
  for (const session of [mine, other]) t.equal((await portals(built, session.cookie)).statusCode, 401, 'every session is refused')
  t.equal(await storedSessions(built), 0)
  t.match(await lastAudit(built), { portalId: 0, action: 'end_sessions', actor: mine.actor, before: { sessions: 2 }, after: { sessions: 0 } })

  const again = await signIn(built)
  const byBearer = await built.app.inject({ method: 'DELETE', url: '/session/all', headers: built.admin })
  t.same(byBearer.json(), { ended: 1 }, 'the bearer API can end them too')
  t.equal((await portals(built, again.cookie)).statusCode, 401)
  t.match(await lastAudit(built), { action: 'end_sessions', actor: 'admin-api', before: { sessions: 1 } })
})
