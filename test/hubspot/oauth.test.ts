import t from 'tap'
import { openDatabase } from '../../db/database.ts'
import { createRepositories } from '../../db/repositories/index.ts'
import { oauthTokenContext } from '../../db/secret-contexts.ts'
import { createKeyring } from '../../plugins/keyring/keyring.ts'
import { createHubSpotClient, STATE_MAX_AGE_MS } from '../../src/hubspot/index.ts'
import { HUBSPOT_STUB_CLIENT_ID, HUBSPOT_STUB_CLIENT_SECRET, oauthError, startHubSpotStub } from '../stubs/hubspot-stub.ts'
import { MINUTE, PORTAL, PUBLIC_URL, START, setupClient } from '../helpers/hubspot-client.ts'

/** The HubSpot client's OAuth side: the install, token storage, refresh (single-flight), and a revoked grant. */

t.test('install URL: HubSpot\'s authorize page, our callback, %20-separated scopes, a stored single-use state', async t => {
  const { client, repositories, clock } = await setupClient(t)
  const url = await client.installUrl()
  t.match(url, /^https:\/\/app\.hubspot\.com\/oauth\/authorize\?/)
  t.match(url, `client_id=${HUBSPOT_STUB_CLIENT_ID}&`)
  t.match(url, '&redirect_uri=https%3A%2F%2Fllm.example.test%2Foauth%2Fcallback&')
  t.match(url, '&scope=oauth%20automation%20crm.objects.contacts.read&')
  const state = new URL(url).searchParams.get('state') ?? ''
  t.match(state, /^[A-Za-z0-9_-]{43}$/, '32 random bytes')
  t.not(new URL(await client.installUrl()).searchParams.get('state'), state, 'a fresh state each time')

  t.equal(await repositories.oauth.consumeState(state, clock.now, STATE_MAX_AGE_MS), true)
  t.equal(await repositories.oauth.consumeState(state, clock.now, STATE_MAX_AGE_MS), false, 'single use')

  // Abandoned states are pruned by later installs.
  const old = new URL(await client.installUrl()).searchParams.get('state') ?? ''
  clock.now += STATE_MAX_AGE_MS + 1
  await client.installUrl()
  t.equal(await repositories.oauth.consumeState(old, clock.now - STATE_MAX_AGE_MS, STATE_MAX_AGE_MS), false, 'pruned, so unknown even to a lenient check')
})

t.test('missing client credentials: HUBSPOT_NOT_CONFIGURED naming the variable', async t => {
  const stub = await startHubSpotStub()
  const database = openDatabase(':memory:')
  t.teardown(async () => { await stub.close(); await database.close() })
  const client = createHubSpotClient({
    settings: { publicUrl: PUBLIC_URL, hubspot: { clientSecret: 'x'.repeat(20), apiBaseUrl: stub.baseUrl, oauthScopes: 'oauth', actionsApiVersion: '2026-03' } },
    repositories: createRepositories(database.driver),
    keyring: createKeyring([{ id: 'test', key: Buffer.alloc(32, 9) }]),
    clock: Date.now,
    fetch: globalThis.fetch,
    log: { info () {}, warn () {}, error () {} }
  })
  await t.rejects(client.installUrl(), { code: 'HUBSPOT_NOT_CONFIGURED', message: /HUBSPOT_CLIENT_ID is not set/ })
  await t.rejects(client.completeInstall('code', 'state'), { code: 'HUBSPOT_NOT_CONFIGURED' })
})

t.test('completeInstall: v3 code exchange with credentials in the body, tokens stored encrypted, portal installed and audited', async t => {
  const { client, stub, repositories, keyring, clock, assertNothingLeaked } = await setupClient(t)
  t.equal(await client.accessToken(PORTAL), undefined, 'not installed yet')
  const state = new URL(await client.installUrl()).searchParams.get('state') ?? ''
  const code = stub.issueAuthCode(PORTAL, { redirectUri: `${PUBLIC_URL}/oauth/callback`, scopes: ['oauth', 'automation'] })
  t.same(await client.completeInstall(code, state), { portalId: PORTAL })

  const exchange = stub.oauthRequests()[0]
  t.equal(exchange?.method, 'POST')
  t.equal(exchange?.path, '/oauth/v3/token')
  t.equal(exchange?.url, '/oauth/v3/token', 'nothing in the URL')
  t.match(exchange?.headers['content-type'], /^application\/x-www-form-urlencoded/)
  t.same(Object.fromEntries(new URLSearchParams(exchange?.text)), {
    grant_type: 'authorization_code', client_id: HUBSPOT_STUB_CLIENT_ID, client_secret: HUBSPOT_STUB_CLIENT_SECRET, redirect_uri: `${PUBLIC_URL}/oauth/callback`, code
  })

  const row = await repositories.oauth.findTokens(PORTAL)
  const [accessToken, refreshToken] = stub.issuedTokens()
  t.equal(row?.expiresAt, START + 1800 * 1000)
  t.equal(row?.scopes, 'oauth automation')
  t.notMatch(JSON.stringify(row), /canary/, 'only ciphertexts in the row')
  t.equal(keyring.decrypt(row!.encryptedAccessToken, oauthTokenContext(PORTAL, 'access')), accessToken)
  t.equal(keyring.decrypt(row!.encryptedRefreshToken, oauthTokenContext(PORTAL, 'refresh')), refreshToken)
  t.match(await repositories.portals.find(PORTAL), { installStatus: 'installed', installedAt: START })
  t.match(await repositories.connections.auditTrail(PORTAL), [{ action: 'install', actor: 'hubspot-oauth', at: START }])
  t.equal(await client.accessToken(PORTAL), accessToken)

  const moved = createKeyring([{ id: 'next', key: Buffer.alloc(32, 4) }, { id: 'test', key: Buffer.alloc(32, 9) }])
  const seen: string[] = []
  await repositories.reencryptSecrets(secret => {
    seen.push(secret.context)
    return moved.encrypt(moved.decrypt(secret.ciphertext, secret.context), secret.context)
  })
  t.same(seen, [oauthTokenContext(PORTAL, 'access'), oauthTokenContext(PORTAL, 'refresh')], 'rekey sees both tokens')
  t.match((await repositories.oauth.findTokens(PORTAL))?.encryptedRefreshToken, /^v1\.next\./, 'and can rewrite them')

  t.equal(await repositories.oauth.consumeState(state, clock.now, STATE_MAX_AGE_MS), false, 'the state is used up')
  assertNothingLeaked()
})

t.test('completeInstall learns the portal by introspection when the token answer has no hub_id', async t => {
  const { stub, install, repositories, assertNothingLeaked } = await setupClient(t, { hubIdInTokenResponse: false })
  t.equal(await install(), PORTAL)
  const introspection = stub.oauthRequests().find(request => request.path === '/oauth/v3/token/introspect')
  const form = new URLSearchParams(introspection?.text)
  t.equal(form.get('client_id'), HUBSPOT_STUB_CLIENT_ID)
  t.equal(form.get('client_secret'), HUBSPOT_STUB_CLIENT_SECRET)
  t.equal(form.get('token'), stub.issuedTokens()[0], 'the new access token')
  t.equal(introspection?.url, '/oauth/v3/token/introspect')
  t.equal((await repositories.portals.find(PORTAL))?.installStatus, 'installed')
  assertNothingLeaked()
})

t.test('completeInstall refuses bad states before calling HubSpot, and explains a refused code', async t => {
  const { client, stub, clock, failure, assertNothingLeaked } = await setupClient(t)
  const code = stub.issueAuthCode(PORTAL)
  for (const state of [undefined, '', 'made-up-state']) {
    t.equal((await failure(client.completeInstall(code, state))).code, 'INVALID_OAUTH_STATE', String(state))
  }
  const expired = new URL(await client.installUrl()).searchParams.get('state') ?? ''
  clock.now += STATE_MAX_AGE_MS + 1
  t.equal((await failure(client.completeInstall(code, expired))).code, 'INVALID_OAUTH_STATE', 'expired')
  t.equal(stub.oauthRequests().length, 0, 'HubSpot never asked')

  const fresh = async () => new URL(await client.installUrl()).searchParams.get('state') ?? ''
  const noCode = await failure(client.completeInstall(undefined, await fresh()))
  t.equal(noCode.code, 'INVALID_INPUT')

  await client.completeInstall(code, await fresh())
  const reused = await failure(client.completeInstall(code, await fresh()))
  t.equal(reused.code, 'HUBSPOT_API_ERROR')
  t.match(reused.message, /refused the authorization code \(HTTP 400 invalid_grant/)
  t.match(reused.message, `${PUBLIC_URL}/oauth/install`)
  assertNothingLeaked()
})

t.test('completeInstall: wrong app credentials, HubSpot down, and an introspection naming no account', async t => {
  const wrongClient = await setupClient(t, { clientId: 'not-our-client-id' })
  const state = new URL(await wrongClient.client.installUrl()).searchParams.get('state') ?? ''
  const refused = await wrongClient.failure(wrongClient.client.completeInstall(wrongClient.stub.issueAuthCode(PORTAL), state))
  t.match(refused.message, /refused this app's client credentials \(HTTP 400 invalid_client.*Check HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET/)
  wrongClient.assertNothingLeaked()

  const { client, stub, repositories, failure, assertNothingLeaked } = await setupClient(t, { hubIdInTokenResponse: false })
  const fresh = async () => new URL(await client.installUrl()).searchParams.get('state') ?? ''
  stub.once('POST /oauth/v3/token', { status: 502, body: '<html>Bad gateway</html>' })
  t.match((await failure(client.completeInstall(stub.issueAuthCode(PORTAL), await fresh()))).message, /could not exchange the authorization code \(HTTP 502: HubSpot had a problem on its side\): start the install again/)
  stub.once('POST /oauth/v3/token/introspect', { body: { active: false } })
  t.match((await failure(client.completeInstall(stub.issueAuthCode(PORTAL), await fresh()))).message, /introspection did not name the HubSpot account/)
  t.equal(await repositories.portals.find(PORTAL), undefined, 'nothing stored')
  assertNothingLeaked()
})

t.test('access tokens: reused until 5 minutes before expiry, then refreshed once for concurrent callers', async t => {
  const { client, stub, install, repositories, clock, tokenRequests, assertNothingLeaked } = await setupClient(t)
  await install()
  const first = await client.accessToken(PORTAL)

  clock.now = START + 24 * MINUTE
  t.equal(await client.accessToken(PORTAL), first, '6 minutes left: still used')
  t.equal(tokenRequests('refresh_token'), 0)

  clock.now = START + 26 * MINUTE
  const [one, two, three] = await Promise.all([client.accessToken(PORTAL), client.accessToken(PORTAL), client.accessToken(PORTAL)])
  t.equal(tokenRequests('refresh_token'), 1, 'one refresh for three concurrent callers')
  t.not(one, first)
  t.equal(two, one)
  t.equal(three, one)
  t.equal(one, [...stub.state.oauth.accessTokens.keys()].at(-1), 'the newly issued token')

  const refresh = stub.oauthRequests().at(-1)
  t.same(Object.fromEntries(new URLSearchParams(refresh?.text)), {
    grant_type: 'refresh_token', client_id: HUBSPOT_STUB_CLIENT_ID, client_secret: HUBSPOT_STUB_CLIENT_SECRET, refresh_token: [...stub.state.oauth.refreshTokens.keys()][0]
  })
  t.equal(refresh?.url, '/oauth/v3/token')
  t.equal((await repositories.oauth.findTokens(PORTAL))?.expiresAt, START + 26 * MINUTE + 1800 * 1000)
  t.equal(await client.accessToken(PORTAL), one, 'and then reused')
  t.equal(tokenRequests('refresh_token'), 1)
  t.equal((await repositories.portals.find(PORTAL))?.installStatus, 'installed')
  t.same((await repositories.connections.auditTrail(PORTAL)).map(event => event.action), ['install'], 'a refresh is not an install')
  assertNothingLeaked()
})

t.test('a revoked refresh token: portal reinstall_required, tokens erased, a clear error, then "not installed"', async t => {
  const { client, stub, install, repositories, clock, failure, tokenRequests, assertNothingLeaked } = await setupClient(t)
  await install()
  stub.revokeRefreshTokens(PORTAL)
  clock.now = START + 29 * MINUTE

  const [error, other] = await Promise.all([failure(client.accessToken(PORTAL)), failure(client.accessToken(PORTAL))])
  t.equal(tokenRequests('refresh_token'), 1, 'concurrent callers share the failed refresh too')
  t.equal(error, other)
  t.equal(error.code, 'HUBSPOT_API_ERROR')
  t.equal(error.reinstallRequired, true)
  t.match(error.message, /refused the stored refresh token of portal 8675309 \(HTTP 400 invalid_grant: HubSpot found the request invalid \(correlation id [\w-]+\)\)/)
  t.match(error.message, `install it again via ${PUBLIC_URL}/oauth/install`)
  t.equal((await repositories.portals.find(PORTAL))?.installStatus, 'reinstall_required')
  t.equal(await repositories.oauth.findTokens(PORTAL), undefined, 'tokens erased')
  t.match((await repositories.connections.auditTrail(PORTAL)).at(-1), { action: 'reinstall_required', detail: 'invalid_grant', at: START + 29 * MINUTE })

  t.equal(await client.accessToken(PORTAL), undefined, 'from now on: not installed')
  stub.seedRecord('contacts', 904, { firstname: 'Ada' })
  t.equal(await client.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname']), undefined)
  t.equal(stub.crmRequests().length, 0)

  // Installing again heals it.
  await install()
  t.equal((await repositories.portals.find(PORTAL))?.installStatus, 'installed')
  t.same(await client.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname']), { firstname: 'Ada' })
  assertNothingLeaked()
})

t.test('transient refresh failures and a wrong client secret change nothing', async t => {
  const { client, stub, install, repositories, clock, failure, assertNothingLeaked } = await setupClient(t)
  await install()
  clock.now = START + 28 * MINUTE

  stub.once('POST /oauth/v3/token', { status: 503, body: 'upstream unavailable' })
  const unavailable = await failure(client.accessToken(PORTAL))
  t.equal(unavailable.code, 'HUBSPOT_API_ERROR')
  t.equal(unavailable.reinstallRequired, false)
  t.match(unavailable.message, /could not refresh the access token of portal 8675309 \(HTTP 503: HubSpot had a problem on its side\); try again later/)

  stub.once('POST /oauth/v3/token', oauthError(400, 'invalid_client', 'bad client', 'BAD_CLIENT_ID'))
  const misconfigured = await failure(client.accessToken(PORTAL))
  t.match(misconfigured.message, /Check HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET/)
  t.equal(misconfigured.reinstallRequired, false)

  stub.once('POST /oauth/v3/token', { destroy: true })
  t.match((await failure(client.accessToken(PORTAL))).message, /HubSpot could not be reached .* when asked to refresh the access token of portal 8675309/)

  t.equal((await repositories.portals.find(PORTAL))?.installStatus, 'installed', 'still installed')
  t.ok(await repositories.oauth.findTokens(PORTAL), 'tokens kept')
  t.ok(await client.accessToken(PORTAL), 'and the next refresh works')
  assertNothingLeaked()
})

t.test('state nonces: consumed atomically once; expired ones refused and removed', async t => {
  const database = openDatabase(':memory:')
  t.teardown(async () => { await database.close() })
  const { oauth } = createRepositories(database.driver)
  await oauth.insertState('a', START)
  await oauth.insertState('b', START)
  await oauth.insertState('c', START + 5 * MINUTE)
  t.equal(await oauth.consumeState('a', START + 10 * MINUTE, 10 * MINUTE), true, 'exactly 10 minutes old is still valid')
  t.equal(await oauth.consumeState('a', START + 10 * MINUTE, 10 * MINUTE), false)
  t.equal(await oauth.consumeState('b', START + 10 * MINUTE + 1, 10 * MINUTE), false, 'expired')
  t.equal(await oauth.consumeState('b', START, 10 * MINUTE), false, 'and gone')
  t.equal(await oauth.pruneStates(START + 5 * MINUTE + 1), 1)
  t.equal(await oauth.consumeState('c', START, 10 * MINUTE), false)
})
