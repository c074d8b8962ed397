import { createHash } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { buildApp, TEST_ADMIN_TOKEN, type TestApp } from '../helpers/build-app.ts'
import { cookieSessionId, signIn } from '../helpers/sign-in.ts'
import { checkpoint } from '../../db/sqlite/sqlite-faults.ts'
import { sessionTokenKey } from '../../plugins/session-store.ts'

const PORTAL = 4242
const START = Date.parse('2026-12-01T09:00:00Z')

const budget = (built: TestApp, headers: Record<string, string>) => built.app.inject({
  method: 'PUT', url: `/api/portals/${PORTAL}/budget`, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify({ monthlyLimitUsd: 20 })
})

t.test('the admin token buys an HttpOnly, SameSite=Strict session cookie that the admin API accepts', async t => {
  let now = START
  const built = await buildApp(t, { PUBLIC_URL: 'http://127.0.0.1:3000' }, { clock: () => now })
  const session = await signIn(built)
  t.match(session.setCookie, /^llm_actions_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/, 'no Secure over plain HTTP')
  t.notMatch(session.setCookie, /Secure/)

  const state = await built.app.inject({ method: 'GET', url: '/session', headers: { cookie: session.cookie } })
  t.equal(state.statusCode, 200)
  t.match(state.json(), { csrfToken: session.csrfToken, expiresAt: new Date(START + 43_200_000).toISOString(), hubspotInstall: false, actor: /^session:[0-9a-f]{12}$/ })
  t.same(Object.keys(state.json()).sort(), ['actor', 'csrfToken', 'expiresAt', 'hubspotInstall'])

  const portals = await built.app.inject({ method: 'GET', url: '/api/portals', headers: { cookie: session.cookie } })
  t.equal(portals.statusCode, 200, 'a read needs the cookie only')

  const unsigned = await built.app.inject({ method: 'GET', url: '/api/portals' })
  t.equal(unsigned.statusCode, 401)
  t.equal(unsigned.json().code, 'UNAUTHORIZED')

  const forged = await built.app.inject({ method: 'GET', url: '/api/portals', headers: { cookie: 'llm_actions_session=' + 'A'.repeat(43) } })
  t.equal(forged.statusCode, 401, 'a made-up session id is refused')

  const docs = await built.app.inject({ method: 'GET', url: '/docs/json', headers: { cookie: session.cookie } })
  t.equal(docs.statusCode, 200, 'the API docs open in the signed-in browser')

  const bearer = await built.app.inject({ method: 'GET', url: '/api/portals', headers: built.admin })
  t.equal(bearer.statusCode, 200, 'the bearer API keeps working as it is')

  now += 43_200_000
  const expired = await built.app.inject({ method: 'GET', url: '/api/portals', headers: { cookie: session.cookie } })
  t.equal(expired.statusCode, 401, 'the session expires after 12 hours')
})

t.test('over HTTPS the cookie is Secure', async t => {
  const built = await buildApp(t, { PUBLIC_URL: 'https://llm.example.test' })
  const session = await signIn(built)
  t.match(session.setCookie, /; Secure/)
})

t.test('a change needs the session\'s CSRF token: missing or forged is 403 CSRF_TOKEN_INVALID and changes nothing', async t => {
  const built = await buildApp(t)
  const session = await signIn(built)
  const other = await signIn(built)

  for (const [label, headers] of [
    ['no token', { cookie: session.cookie }],
    ['a forged token', { cookie: session.cookie, 'x-csrf-token': 'forged' }],
    ['another session\'s token', { cookie: session.cookie, 'x-csrf-token': other.csrfToken }],
    ['a longer token', { cookie: session.cookie, 'x-csrf-token': session.csrfToken + 'x' }]
  ] as const) {
    const response = await budget(built, headers)
    t.equal(response.statusCode, 403, label)
    t.equal(response.json().code, 'CSRF_TOKEN_INVALID', label)
    t.match(response.json().message, /x-csrf-token/)
  }
  t.equal((await built.app.repositories.budgets.find(PORTAL)), undefined, 'nothing was stored')

  const accepted = await budget(built, { cookie: session.cookie, 'x-csrf-token': session.csrfToken })
  t.equal(accepted.statusCode, 200, accepted.body)
  const event = (await built.app.repositories.audit.list({ portalId: PORTAL, limit: 1 }))[0]
  t.match(event?.actor, /^session:[0-9a-f]{12}$/, 'the audit trail names the session, never the token')
  t.notMatch(event?.actor, new RegExp(cookieSessionId(session)))

  const withoutCookie = await budget(built, { 'x-csrf-token': session.csrfToken })
  t.equal(withoutCookie.statusCode, 401, 'a CSRF token without the cookie is nothing')
})

t.test('sign-out ends the session at once and clears the cookie; sign-in and sign-out are audited', async t => {
  const built = await buildApp(t)
  const session = await signIn(built)
  const refused = await built.app.inject({ method: 'DELETE', url: '/session', headers: { cookie: session.cookie } })
  t.equal(refused.statusCode, 403, 'signing out is a change too: it needs the CSRF token')

  const out = await built.app.inject({ method: 'DELETE', url: '/session', headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken } })
  t.equal(out.statusCode, 204)
  t.match(String(out.headers['set-cookie']), /^llm_actions_session=; Max-Age=0;/)
  const after = await built.app.inject({ method: 'GET', url: '/api/portals', headers: { cookie: session.cookie } })
  t.equal(after.statusCode, 401)

  const actions = (await built.app.repositories.audit.list({ limit: 10 })).map(event => event.action)
  t.same(actions, ['sign_out', 'sign_in'])
})

t.test('a wrong token is answered slowly and as text a person can act on; too many are refused with Retry-After, never the right one', async t => {
  const built = await buildApp(t)
  const started = Date.now()
  const wrong = await built.app.inject({ method: 'POST', url: '/session', payload: { token: 'not-the-token' } })
  t.equal(wrong.statusCode, 401)
  t.equal(wrong.json().code, 'UNAUTHORIZED')
  t.match(wrong.json().message, /not the admin token/)
  t.ok(Date.now() - started >= 900, 'the wrong answer waited about a second')
  t.equal(wrong.headers['set-cookie'], undefined)

  const guesses = await Promise.all(Array.from({ length: 9 }, () => built.app.inject({ method: 'POST', url: '/session', payload: { token: 'guess' } })))
  t.same(guesses.map(guess => guess.statusCode), Array(9).fill(401))
  const limitedAt = Date.now()
  const limited = await built.app.inject({ method: 'POST', url: '/session', payload: { token: 'another guess' } })
  t.equal(limited.statusCode, 429, 'a wrong token is refused while the client is limited')
  t.equal(limited.json().code, 'RATE_LIMITED')
  t.ok(Number(limited.headers['retry-after']) > 0)
  t.ok(Date.now() - limitedAt >= 900, 'and still answered slowly')
  const owner = await built.app.inject({ method: 'POST', url: '/session', payload: { token: TEST_ADMIN_TOKEN } })
  t.equal(owner.statusCode, 200, 'the right token always gets through: wrong ones from the same address cannot lock the owner out')
  t.match(String(owner.headers['set-cookie']), /^llm_actions_session=/)
  t.equal((await built.app.inject({ method: 'POST', url: '/session', payload: { token: 'guess' } })).statusCode, 429, 'and wrong ones stay limited')

  for (const payload of [{}, { token: '' }, { token: 5 }, { token: 'x', extra: 1 }]) {
    const bad = await built.app.inject({ method: 'POST', url: '/session', payload })
    t.equal(bad.statusCode, 400, JSON.stringify(payload))
    t.equal(bad.json().code, 'INVALID_INPUT')
  }
})

t.test('neither the session id, the admin token nor the key that ties sessions to it is written to the database or the logs', async t => {
  const built = await buildApp(t)
  const session = await signIn(built)
  await budget(built, { cookie: session.cookie, 'x-csrf-token': session.csrfToken })
  const sessionId = cookieSessionId(session)
  t.equal(sessionId.length, 43)
  await signIn(built)
  const ended = await built.app.inject({ method: 'DELETE', url: '/session/all', headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken } })
  t.equal(ended.json().ended, 2)
  const kept = await signIn(built)
  checkpoint(built.app.database)
  const [row] = await built.app.database.driver.all(built.app.database.driver.db.select().from(built.app.database.driver.tables.adminSessions))
  t.match(row?.tokenFingerprint, /^[0-9a-f]{64}$/, 'the session row keeps a fingerprint')
  const tokenKey = await sessionTokenKey(TEST_ADMIN_TOKEN)
  const files = readdirSync(built.dataDir).map(name => readFileSync(join(built.dataDir, name)).toString('latin1')).join('\n')
  const secrets = {
    'the session id': sessionId,
    'the start of the session id': sessionId.slice(0, 12),
    'the kept session\'s id': cookieSessionId(kept),
    'the CSRF token': session.csrfToken,
    'the admin token': TEST_ADMIN_TOKEN,
    'the admin token\'s SHA-256': createHash('sha256').update(TEST_ADMIN_TOKEN).digest('hex'),
    'the token key (hex)': tokenKey.toString('hex'),
    'the token key (base64)': tokenKey.toString('base64'),
    'the token key (bytes)': tokenKey.toString('latin1')
  }
  for (const [name, secret] of Object.entries(secrets)) {
    t.notOk(files.includes(secret), `${name} is not in the data directory`)
    t.notOk(built.logs.join('\n').includes(secret), `${name} is not in the logs`)
  }
  t.notOk(built.logs.join('\n').includes(row?.tokenFingerprint ?? 'x'), 'nor is the session\'s fingerprint in the logs')
})
