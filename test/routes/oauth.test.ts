import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { buildApp, TEST_CLIENT_SECRET, TEST_PUBLIC_URL, type TestApp } from '../helpers/build-app.ts'
import { HUBSPOT_STUB_CLIENT_ID, startHubSpotStub, type HubSpotStub } from '../stubs/hubspot-stub.ts'

const PORTAL = 24681357
const CALLBACK = `${TEST_PUBLIC_URL}/oauth/callback`
const MINUTE = 60_000

interface Setup extends TestApp {
  readonly stub: HubSpotStub
  readonly clock: { now: number }
}

async function setup (t: Test, environment: Record<string, string | undefined> = {}): Promise<Setup> {
  // The app's client secret (which also verifies HubSpot's signatures) is the one the stub's token endpoint accepts.
  const stub = await startHubSpotStub({ clientSecret: TEST_CLIENT_SECRET })
  t.teardown(() => stub.close())
  const clock = { now: 1_760_000_000_000 }
  const built = await buildApp(t, { HUBSPOT_CLIENT_ID: HUBSPOT_STUB_CLIENT_ID, HUBSPOT_API_BASE_URL: stub.baseUrl, ...environment }, { clock: () => clock.now })
  return { ...built, stub, clock }
}

/** GET /oauth/install, returning the redirect and the state in it. */
async function startInstall (app: TestApp['app']) {
  const response = await app.inject({ url: '/oauth/install' })
  const location = new URL(String(response.headers.location))
  return { response, location, state: location.searchParams.get('state') ?? '' }
}

/** Every byte of the SQLite database: the main file and its write-ahead log. */
function databaseBytes (dataDir: string): string {
  return readdirSync(dataDir).filter(name => name.startsWith('app.db')).map(name => readFileSync(join(dataDir, name)).toString('latin1')).join('')
}

t.test('install redirects to HubSpot\'s authorize page with our callback, the scopes and a state', async t => {
  const { app } = await setup(t, { HUBSPOT_OAUTH_SCOPES: 'oauth automation crm.objects.contacts.read' })
  const { response, location, state } = await startInstall(app)
  t.equal(response.statusCode, 302)
  t.equal(response.headers['cache-control'], 'no-store')
  t.equal(`${location.origin}${location.pathname}`, 'https://app.hubspot.com/oauth/authorize')
  t.equal(location.searchParams.get('client_id'), HUBSPOT_STUB_CLIENT_ID)
  t.equal(location.searchParams.get('redirect_uri'), CALLBACK)
  t.equal(location.searchParams.get('scope'), 'oauth automation crm.objects.contacts.read')
  t.match(String(response.headers.location), '&scope=oauth%20automation%20crm.objects.contacts.read&', 'spaces as %20')
  t.match(state, /^[A-Za-z0-9_-]{43}$/)
  t.notMatch(String(response.headers.location), TEST_CLIENT_SECRET, 'the client secret never leaves')
  t.same([...location.searchParams.keys()], ['client_id', 'redirect_uri', 'scope', 'state'])
})

t.test('install uses the default scopes', async t => {
  const { app } = await setup(t)
  const { location } = await startInstall(app)
  t.equal(location.searchParams.get('scope'), 'oauth automation')
})

t.test('without HUBSPOT_CLIENT_ID the install routes answer 503 HUBSPOT_NOT_CONFIGURED naming it', async t => {
  const { app } = await setup(t, { HUBSPOT_CLIENT_ID: undefined })
  for (const url of ['/oauth/install', '/oauth/callback?code=x&state=y']) {
    const response = await app.inject({ url })
    t.equal(response.statusCode, 503, url)
    t.equal(response.json().code, 'HUBSPOT_NOT_CONFIGURED')
    t.match(response.json().message, /HUBSPOT_CLIENT_ID is not set/)
  }
})

t.test('callback with a good state and code: tokens stored encrypted, portal installed, a small HTML page', async t => {
  const { app, stub, admin, dataDir, logs } = await setup(t)
  const { state } = await startInstall(app)
  const code = stub.issueAuthCode(PORTAL, { redirectUri: CALLBACK })
  const response = await app.inject({ url: `/oauth/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}` })
  t.equal(response.statusCode, 200, response.body)
  t.match(response.headers['content-type'], /^text\/html; charset=utf-8/)
  t.match(response.body, `Installed for HubSpot account ${PORTAL}. You can close this tab.`)
  t.match(response.headers['content-security-policy'], /default-src 'none'/)
  t.equal(response.headers['referrer-policy'], 'no-referrer')

  const exchange = stub.oauthRequests().find(request => request.path === '/oauth/v3/token')
  t.equal(new URLSearchParams(exchange?.text).get('code'), code, 'the code was exchanged at the v3 endpoint')
  t.equal(new URLSearchParams(exchange?.text).get('redirect_uri'), CALLBACK)

  const portals = await app.inject({ url: '/api/portals', headers: admin })
  t.match(portals.json().items, [{ portalId: PORTAL, installStatus: 'installed', connectionCount: 0 }])
  t.equal(portals.json().items[0].installedAt, new Date(1_760_000_000_000).toISOString())
  t.ok(await app.repositories.oauth.findTokens(PORTAL), 'tokens stored')

  const tokens = stub.issuedTokens()
  t.equal(tokens.length, 2, 'an access and a refresh token were issued')
  const bytes = databaseBytes(dataDir)
  t.ok(bytes.length > 0)
  for (const token of tokens) t.notOk(bytes.includes(token), 'no token in the database file in plaintext')
  t.notOk(bytes.includes(code), 'nor the code')
  t.notMatch(bytes, /canary/)

  const output = logs.join('')
  for (const secret of [...tokens, code, TEST_CLIENT_SECRET]) t.notOk(output.includes(secret), 'no secret in the logs')
  t.match(output, /HubSpot portal installed/)
  t.notOk(output.includes(state), 'the state is redacted from access logs too')
})

t.test('the reading side: accessToken and readRecordProperties through the decorator', async t => {
  const { app, stub } = await setup(t)
  const { state } = await startInstall(app)
  await app.inject({ url: `/oauth/callback?code=${stub.issueAuthCode(PORTAL)}&state=${state}` })
  stub.seedRecord('contacts', 904, { firstname: 'Ada' })
  const read = app.hubspot.readRecordProperties
  t.same(await read(PORTAL, 'CONTACT', '904', ['firstname', 'missing']), { firstname: 'Ada' }, 'works unbound')
  t.equal(await read(PORTAL + 1, 'CONTACT', '904', ['firstname']), undefined, 'another portal never installed')
})

t.test('bad states are 400 INVALID_OAUTH_STATE and HubSpot is never asked', async t => {
  const { app, stub, clock } = await setup(t)
  const code = stub.issueAuthCode(PORTAL)

  const expectRefused = async (url: string, name: string) => {
    const response = await app.inject({ url })
    t.equal(response.statusCode, 400, name)
    t.same(response.json(), {
      statusCode: 400,
      code: 'INVALID_OAUTH_STATE',
      error: 'Bad Request',
      message: 'The OAuth state is missing, unknown, expired or already used: start the install again.'
    }, name)
  }

  await expectRefused(`/oauth/callback?code=${code}`, 'missing state')
  await expectRefused(`/oauth/callback?code=${code}&state=`, 'empty state')
  await expectRefused(`/oauth/callback?code=${code}&state=never-issued-by-us`, 'unknown state')

  const { state: expiring } = await startInstall(app)
  clock.now += 10 * MINUTE + 1
  await expectRefused(`/oauth/callback?code=${code}&state=${expiring}`, 'expired state (10 minutes and 1 ms)')
  t.equal(stub.oauthRequests().length, 0, 'no exchange attempted')

  const { state } = await startInstall(app)
  clock.now += 10 * MINUTE
  const first = await app.inject({ url: `/oauth/callback?code=${code}&state=${state}` })
  t.equal(first.statusCode, 200, 'exactly 10 minutes old still works')
  await expectRefused(`/oauth/callback?code=${stub.issueAuthCode(PORTAL)}&state=${state}`, 'reused state')
  t.equal(stub.oauthRequests().filter(request => request.path === '/oauth/v3/token').length, 1, 'one exchange in all')
})

t.test('HubSpot\'s error redirect (access_denied) is 400 with a readable message', async t => {
  const { app, stub } = await setup(t)
  const { state } = await startInstall(app)
  const response = await app.inject({ url: `/oauth/callback?error=access_denied&error_description=${encodeURIComponent('The user denied <b>access</b>')}&state=${state}` })
  t.equal(response.statusCode, 400)
  t.match(response.headers['content-type'], /application\/json/, 'JSON, so the reflected description is never markup')
  t.equal(response.json().code, 'INVALID_INPUT')
  t.equal(response.json().message, `HubSpot did not complete the install: access_denied (The user denied <b>access</b>). Start again at ${TEST_PUBLIC_URL}/oauth/install.`)
  t.equal(stub.oauthRequests().length, 0)
})

t.test('a code HubSpot refuses is 502 HUBSPOT_API_ERROR saying to start again; nothing installed', async t => {
  const { app, stub, admin } = await setup(t)
  const { state } = await startInstall(app)
  const response = await app.inject({ url: `/oauth/callback?code=hs-code-canary-never-issued&state=${state}` })
  t.equal(response.statusCode, 502)
  t.equal(response.json().code, 'HUBSPOT_API_ERROR')
  t.match(response.json().message, /refused the authorization code \(HTTP 400 invalid_grant/)
  t.match(response.json().message, `${TEST_PUBLIC_URL}/oauth/install`)
  t.notMatch(response.body, /canary/, 'the code is not echoed')
  t.same((await app.inject({ url: '/api/portals', headers: admin })).json(), { items: [] })
  t.equal(stub.oauthRequests().length, 1)
})

t.test('a callback without a code is 400 INVALID_INPUT', async t => {
  const { app } = await setup(t)
  const { state } = await startInstall(app)
  const response = await app.inject({ url: `/oauth/callback?state=${state}` })
  t.equal(response.statusCode, 400)
  t.equal(response.json().code, 'INVALID_INPUT')
})

t.test('the OAuth routes are rate limited (30 a minute per client)', async t => {
  const { app } = await setup(t)
  const statuses: number[] = []
  for (let attempt = 0; attempt < 31; attempt++) statuses.push((await app.inject({ url: '/oauth/install' })).statusCode)
  t.same(statuses.slice(0, 30), Array(30).fill(302))
  t.equal(statuses[30], 429)
  const limited = await app.inject({ url: '/oauth/install' })
  t.equal(limited.json().code, 'RATE_LIMITED')
  t.ok(limited.headers['retry-after'])
  const callback = await app.inject({ url: '/oauth/callback?code=x&state=y' })
  t.equal(callback.statusCode, 400, 'the callback has its own budget')
})
