import t, { type Test } from 'tap'
import { openDatabase } from '../../db/database.ts'
import { createRepositories, type Repositories } from '../../db/repositories/index.ts'
import { oauthTokenContext } from '../../db/secret-contexts.ts'
import { createHubSpotOAuth, crmObjectPath, HubSpotOAuthError, STATE_MAX_AGE_MS, type HubSpotOAuth } from '../../plugins/hubspot-oauth/hubspot-oauth.ts'
import { createKeyring, type Keyring } from '../../plugins/keyring/keyring.ts'
import { isAppError } from '../../plugins/errors.ts'
import { HUBSPOT_STUB_CLIENT_ID, HUBSPOT_STUB_CLIENT_SECRET, oauthError, startHubSpotStub, type HubSpotStub } from '../stubs/hubspot-stub.ts'

const PORTAL = 8675309
const PUBLIC_URL = 'https://llm.example.test'
const START = 1_760_000_000_000
const MINUTE = 60_000

interface Setup {
  readonly stub: HubSpotStub
  readonly oauth: HubSpotOAuth
  readonly repositories: Repositories
  readonly keyring: Keyring
  /** Every log call, as JSON text. */
  readonly logs: string[]
  /** Thrown messages collected by `failure`, checked for secrets at the end of each test. */
  readonly messages: string[]
  readonly clock: { now: number }
  tokenRequests (grant: string): number
  /** Runs an install for PORTAL through the stub; returns the portal id the module reported. */
  install (portalId?: number): Promise<number>
  /** The AppError a call fails with; fails the test if it succeeds. */
  failure (run: Promise<unknown>): Promise<HubSpotOAuthError>
  /** Asserts that no token, code or the client secret is in any log line or error message so far. */
  assertNothingLeaked (): void
}

async function setup (t: Test, options: { hubIdInTokenResponse?: boolean, timeoutMs?: number, clientId?: string } = {}): Promise<Setup> {
  const stub = await startHubSpotStub({ ...(options.hubIdInTokenResponse === undefined ? {} : { hubIdInTokenResponse: options.hubIdInTokenResponse }) })
  const database = openDatabase(':memory:')
  t.teardown(async () => {
    await stub.close()
    database.close()
  })
  const repositories = createRepositories(database.db)
  const keyring = createKeyring([{ id: 'test', key: Buffer.alloc(32, 9) }])
  const clock = { now: START }
  const logs: string[] = []
  const messages: string[] = []
  const logTo = (level: string) => (object: object, message?: string) => { logs.push(JSON.stringify({ level, ...object, message })) }
  const oauth = createHubSpotOAuth({
    settings: {
      publicUrl: PUBLIC_URL,
      hubspot: { clientId: options.clientId ?? HUBSPOT_STUB_CLIENT_ID, clientSecret: HUBSPOT_STUB_CLIENT_SECRET, apiBaseUrl: stub.baseUrl, oauthScopes: 'oauth automation crm.objects.contacts.read', actionsApiVersion: '2026-03' }
    },
    repositories,
    keyring,
    clock: () => clock.now,
    fetch: globalThis.fetch,
    log: { info: logTo('info'), warn: logTo('warn'), error: logTo('error') },
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs })
  })

  return {
    stub,
    oauth,
    repositories,
    keyring,
    logs,
    messages,
    clock,
    tokenRequests: grant => stub.oauthRequests().filter(request => request.path === '/oauth/v3/token' && new URLSearchParams(request.text).get('grant_type') === grant).length,
    async install (portalId = PORTAL) {
      const state = new URL(oauth.installUrl()).searchParams.get('state') ?? ''
      const code = stub.issueAuthCode(portalId, { redirectUri: `${PUBLIC_URL}/oauth/callback` })
      return (await oauth.completeInstall(code, state)).portalId
    },
    async failure (run) {
      try {
        await run
      } catch (error) {
        if (!isAppError(error)) throw error
        messages.push(error.message)
        return error as HubSpotOAuthError
      }
      throw new Error('the call was expected to fail')
    },
    assertNothingLeaked () {
      const output = [...logs, ...messages].join('\n')
      const secrets = [...stub.issuedTokens(), HUBSPOT_STUB_CLIENT_SECRET, ...stub.state.oauth.codes.keys()]
      t.same(secrets.filter(secret => output.includes(secret)).map(secret => `${secret.slice(0, 16)}…`), [], 'no token, code or client secret in logs or errors')
      t.notMatch(output, /canary/)
      t.ok(logs.length + messages.length > 0, 'something was said')
    }
  }
}

t.test('install URL: HubSpot\'s authorize page, our callback, %20-separated scopes, a stored single-use state', async t => {
  const { oauth, repositories, clock } = await setup(t)
  const url = oauth.installUrl()
  t.match(url, /^https:\/\/app\.hubspot\.com\/oauth\/authorize\?/)
  t.match(url, `client_id=${HUBSPOT_STUB_CLIENT_ID}&`)
  t.match(url, '&redirect_uri=https%3A%2F%2Fllm.example.test%2Foauth%2Fcallback&')
  t.match(url, '&scope=oauth%20automation%20crm.objects.contacts.read&')
  const state = new URL(url).searchParams.get('state') ?? ''
  t.match(state, /^[A-Za-z0-9_-]{43}$/, '32 random bytes')
  t.not(new URL(oauth.installUrl()).searchParams.get('state'), state, 'a fresh state each time')

  t.equal(repositories.oauth.consumeState(state, clock.now, STATE_MAX_AGE_MS), true)
  t.equal(repositories.oauth.consumeState(state, clock.now, STATE_MAX_AGE_MS), false, 'single use')

  // Abandoned states are pruned by later installs.
  const old = new URL(oauth.installUrl()).searchParams.get('state') ?? ''
  clock.now += STATE_MAX_AGE_MS + 1
  oauth.installUrl()
  t.equal(repositories.oauth.consumeState(old, clock.now - STATE_MAX_AGE_MS, STATE_MAX_AGE_MS), false, 'pruned, so unknown even to a lenient check')
})

t.test('missing client credentials: HUBSPOT_NOT_CONFIGURED naming the variable', async t => {
  const stub = await startHubSpotStub()
  const database = openDatabase(':memory:')
  t.teardown(async () => { await stub.close(); database.close() })
  const oauth = createHubSpotOAuth({
    settings: { publicUrl: PUBLIC_URL, hubspot: { clientSecret: 'x'.repeat(20), apiBaseUrl: stub.baseUrl, oauthScopes: 'oauth', actionsApiVersion: '2026-03' } },
    repositories: createRepositories(database.db),
    keyring: createKeyring([{ id: 'test', key: Buffer.alloc(32, 9) }]),
    clock: Date.now,
    fetch: globalThis.fetch,
    log: { info () {}, warn () {}, error () {} }
  })
  t.throws(() => oauth.installUrl(), { code: 'HUBSPOT_NOT_CONFIGURED', message: /HUBSPOT_CLIENT_ID is not set/ })
  await t.rejects(oauth.completeInstall('code', 'state'), { code: 'HUBSPOT_NOT_CONFIGURED' })
})

t.test('completeInstall: v3 code exchange with credentials in the body, tokens stored encrypted, portal installed and audited', async t => {
  const { oauth, stub, repositories, keyring, clock, assertNothingLeaked } = await setup(t)
  t.equal(await oauth.accessToken(PORTAL), undefined, 'not installed yet')
  const state = new URL(oauth.installUrl()).searchParams.get('state') ?? ''
  const code = stub.issueAuthCode(PORTAL, { redirectUri: `${PUBLIC_URL}/oauth/callback`, scopes: ['oauth', 'automation'] })
  t.same(await oauth.completeInstall(code, state), { portalId: PORTAL })

  const exchange = stub.oauthRequests()[0]
  t.equal(exchange?.method, 'POST')
  t.equal(exchange?.path, '/oauth/v3/token')
  t.equal(exchange?.url, '/oauth/v3/token', 'nothing in the URL')
  t.match(exchange?.headers['content-type'], /^application\/x-www-form-urlencoded/)
  t.same(Object.fromEntries(new URLSearchParams(exchange?.text)), {
    grant_type: 'authorization_code', client_id: HUBSPOT_STUB_CLIENT_ID, client_secret: HUBSPOT_STUB_CLIENT_SECRET, redirect_uri: `${PUBLIC_URL}/oauth/callback`, code
  })

  const row = repositories.oauth.findTokens(PORTAL)
  const [accessToken, refreshToken] = stub.issuedTokens()
  t.equal(row?.expiresAt, START + 1800 * 1000)
  t.equal(row?.scopes, 'oauth automation')
  t.notMatch(JSON.stringify(row), /canary/, 'only ciphertexts in the row')
  t.equal(keyring.decrypt(row!.encryptedAccessToken, oauthTokenContext(PORTAL, 'access')), accessToken)
  t.equal(keyring.decrypt(row!.encryptedRefreshToken, oauthTokenContext(PORTAL, 'refresh')), refreshToken)
  t.match(repositories.portals.find(PORTAL), { installStatus: 'installed', installedAt: START })
  t.match(repositories.connections.auditTrail(PORTAL), [{ action: 'install', actor: 'hubspot-oauth', at: START }])
  t.equal(await oauth.accessToken(PORTAL), accessToken)

  const secrets = repositories.storedSecrets()
  t.same(secrets.map(secret => secret.context), [oauthTokenContext(PORTAL, 'access'), oauthTokenContext(PORTAL, 'refresh')], 'rekey sees both tokens')
  const moved = createKeyring([{ id: 'next', key: Buffer.alloc(32, 4) }, { id: 'test', key: Buffer.alloc(32, 9) }])
  for (const secret of secrets) secret.replace(moved.encrypt(moved.decrypt(secret.ciphertext, secret.context), secret.context))
  t.match(repositories.oauth.findTokens(PORTAL)?.encryptedRefreshToken, /^v1\.next\./, 'and can rewrite them')

  t.equal(repositories.oauth.consumeState(state, clock.now, STATE_MAX_AGE_MS), false, 'the state is used up')
  assertNothingLeaked()
})

t.test('completeInstall learns the portal by introspection when the token answer has no hub_id', async t => {
  const { stub, install, repositories, assertNothingLeaked } = await setup(t, { hubIdInTokenResponse: false })
  t.equal(await install(), PORTAL)
  const introspection = stub.oauthRequests().find(request => request.path === '/oauth/v3/token/introspect')
  const form = new URLSearchParams(introspection?.text)
  t.equal(form.get('client_id'), HUBSPOT_STUB_CLIENT_ID)
  t.equal(form.get('client_secret'), HUBSPOT_STUB_CLIENT_SECRET)
  t.equal(form.get('token'), stub.issuedTokens()[0], 'the new access token')
  t.equal(introspection?.url, '/oauth/v3/token/introspect')
  t.equal(repositories.portals.find(PORTAL)?.installStatus, 'installed')
  assertNothingLeaked()
})

t.test('completeInstall refuses bad states before calling HubSpot, and explains a refused code', async t => {
  const { oauth, stub, clock, failure, assertNothingLeaked } = await setup(t)
  const code = stub.issueAuthCode(PORTAL)
  for (const state of [undefined, '', 'made-up-state']) {
    t.equal((await failure(oauth.completeInstall(code, state))).code, 'INVALID_OAUTH_STATE', String(state))
  }
  const expired = new URL(oauth.installUrl()).searchParams.get('state') ?? ''
  clock.now += STATE_MAX_AGE_MS + 1
  t.equal((await failure(oauth.completeInstall(code, expired))).code, 'INVALID_OAUTH_STATE', 'expired')
  t.equal(stub.oauthRequests().length, 0, 'HubSpot never asked')

  const fresh = () => new URL(oauth.installUrl()).searchParams.get('state') ?? ''
  const noCode = await failure(oauth.completeInstall(undefined, fresh()))
  t.equal(noCode.code, 'INVALID_INPUT')

  await oauth.completeInstall(code, fresh())
  const reused = await failure(oauth.completeInstall(code, fresh()))
  t.equal(reused.code, 'HUBSPOT_API_ERROR')
  t.match(reused.message, /refused the authorization code \(HTTP 400 invalid_grant/)
  t.match(reused.message, `${PUBLIC_URL}/oauth/install`)
  assertNothingLeaked()
})

t.test('completeInstall: wrong app credentials, HubSpot down, and an introspection naming no account', async t => {
  const wrongClient = await setup(t, { clientId: 'not-our-client-id' })
  const state = new URL(wrongClient.oauth.installUrl()).searchParams.get('state') ?? ''
  const refused = await wrongClient.failure(wrongClient.oauth.completeInstall(wrongClient.stub.issueAuthCode(PORTAL), state))
  t.match(refused.message, /refused this app's client credentials \(HTTP 400 invalid_client.*Check HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET/)
  wrongClient.assertNothingLeaked()

  const { oauth, stub, repositories, failure, assertNothingLeaked } = await setup(t, { hubIdInTokenResponse: false })
  const fresh = () => new URL(oauth.installUrl()).searchParams.get('state') ?? ''
  stub.once('POST /oauth/v3/token', { status: 502, body: '<html>Bad gateway</html>' })
  t.match((await failure(oauth.completeInstall(stub.issueAuthCode(PORTAL), fresh()))).message, /could not exchange the authorization code \(HTTP 502: <html>Bad gateway<\/html>\): start the install again/)
  stub.once('POST /oauth/v3/token/introspect', { body: { active: false } })
  t.match((await failure(oauth.completeInstall(stub.issueAuthCode(PORTAL), fresh()))).message, /introspection did not name the HubSpot account/)
  t.equal(repositories.portals.find(PORTAL), undefined, 'nothing stored')
  assertNothingLeaked()
})

t.test('access tokens: reused until 5 minutes before expiry, then refreshed once for concurrent callers', async t => {
  const { oauth, stub, install, repositories, clock, tokenRequests, assertNothingLeaked } = await setup(t)
  await install()
  const first = await oauth.accessToken(PORTAL)

  clock.now = START + 24 * MINUTE
  t.equal(await oauth.accessToken(PORTAL), first, '6 minutes left: still used')
  t.equal(tokenRequests('refresh_token'), 0)

  clock.now = START + 26 * MINUTE
  const [one, two, three] = await Promise.all([oauth.accessToken(PORTAL), oauth.accessToken(PORTAL), oauth.accessToken(PORTAL)])
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
  t.equal(repositories.oauth.findTokens(PORTAL)?.expiresAt, START + 26 * MINUTE + 1800 * 1000)
  t.equal(await oauth.accessToken(PORTAL), one, 'and then reused')
  t.equal(tokenRequests('refresh_token'), 1)
  t.equal(repositories.portals.find(PORTAL)?.installStatus, 'installed')
  t.same(repositories.connections.auditTrail(PORTAL).map(event => event.action), ['install'], 'a refresh is not an install')
  assertNothingLeaked()
})

t.test('a revoked refresh token: portal reinstall_required, tokens erased, a clear error, then "not installed"', async t => {
  const { oauth, stub, install, repositories, clock, failure, tokenRequests, assertNothingLeaked } = await setup(t)
  await install()
  stub.revokeRefreshTokens(PORTAL)
  clock.now = START + 29 * MINUTE

  const [error, other] = await Promise.all([failure(oauth.accessToken(PORTAL)), failure(oauth.accessToken(PORTAL))])
  t.equal(tokenRequests('refresh_token'), 1, 'concurrent callers share the failed refresh too')
  t.equal(error, other)
  t.equal(error.code, 'HUBSPOT_API_ERROR')
  t.equal(error.reinstallRequired, true)
  t.match(error.message, /refused the stored refresh token of portal 8675309 \(HTTP 400 invalid_grant: missing or invalid refresh token/)
  t.match(error.message, `install it again via ${PUBLIC_URL}/oauth/install`)
  t.equal(repositories.portals.find(PORTAL)?.installStatus, 'reinstall_required')
  t.equal(repositories.oauth.findTokens(PORTAL), undefined, 'tokens erased')
  t.match(repositories.connections.auditTrail(PORTAL).at(-1), { action: 'reinstall_required', detail: 'invalid_grant', at: START + 29 * MINUTE })

  t.equal(await oauth.accessToken(PORTAL), undefined, 'from now on: not installed')
  stub.seedRecord('contacts', 904, { firstname: 'Ada' })
  t.equal(await oauth.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname']), undefined)
  t.equal(stub.crmRequests().length, 0)

  // Installing again heals it.
  await install()
  t.equal(repositories.portals.find(PORTAL)?.installStatus, 'installed')
  t.same(await oauth.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname']), { firstname: 'Ada' })
  assertNothingLeaked()
})

t.test('transient refresh failures and a wrong client secret change nothing', async t => {
  const { oauth, stub, install, repositories, clock, failure, assertNothingLeaked } = await setup(t)
  await install()
  clock.now = START + 28 * MINUTE

  stub.once('POST /oauth/v3/token', { status: 503, body: 'upstream unavailable' })
  const unavailable = await failure(oauth.accessToken(PORTAL))
  t.equal(unavailable.code, 'HUBSPOT_API_ERROR')
  t.equal(unavailable.reinstallRequired, false)
  t.match(unavailable.message, /could not refresh the access token of portal 8675309 \(HTTP 503: upstream unavailable\); try again later/)

  stub.once('POST /oauth/v3/token', oauthError(400, 'invalid_client', 'bad client', 'BAD_CLIENT_ID'))
  const misconfigured = await failure(oauth.accessToken(PORTAL))
  t.match(misconfigured.message, /Check HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET/)
  t.equal(misconfigured.reinstallRequired, false)

  stub.once('POST /oauth/v3/token', { destroy: true })
  t.match((await failure(oauth.accessToken(PORTAL))).message, /HubSpot could not be reached .* when asked to refresh the access token of portal 8675309/)

  t.equal(repositories.portals.find(PORTAL)?.installStatus, 'installed', 'still installed')
  t.ok(repositories.oauth.findTokens(PORTAL), 'tokens kept')
  t.ok(await oauth.accessToken(PORTAL), 'and the next refresh works')
  assertNothingLeaked()
})

t.test('a HubSpot call that takes too long fails with a readable timeout', async t => {
  const { oauth, stub, install, failure, assertNothingLeaked } = await setup(t, { timeoutMs: 200 })
  await install()
  stub.seedRecord('contacts', 1, { firstname: 'Slow' })
  stub.once('GET /crm/v3/objects/contacts/1', { delayMs: 5_000, body: {} })
  const error = await failure(oauth.readRecordProperties(PORTAL, 'CONTACT', '1', ['firstname']))
  t.equal(error.status, 0)
  t.match(error.message, 'HubSpot did not answer within 0.2s when asked to read CONTACT 1.')
  assertNothingLeaked()
})

t.test('readRecordProperties: object type mapping, only the asked names, Bearer token', async t => {
  const { oauth, stub, install, assertNothingLeaked } = await setup(t)
  t.equal(await oauth.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname']), undefined, 'not installed: undefined, no call')
  t.equal(stub.crmRequests().length, 0)
  await install()

  stub.seedRecord('contacts', 904, { firstname: 'Ada', lastname: 'Lovelace', jobtitle: null, email: 'ada@example.com' })
  stub.seedRecord('companies', 55, { name: 'Analytical Engines Ltd' })
  stub.seedRecord('deals', 66, { dealname: 'Difference engine' })
  stub.seedRecord('tickets', 77, { subject: 'Bernoulli numbers' })
  stub.seedRecord('2-12345', 88, { colour: 'brass' })

  t.same(await oauth.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname', 'jobtitle', 'nosuchproperty']), { firstname: 'Ada', jobtitle: null },
    'an empty property is present (null); a missing one stays absent; HubSpot\'s defaults are dropped')
  const read = stub.crmRequests()[0]
  t.equal(read?.url, '/crm/v3/objects/contacts/904?properties=firstname,jobtitle,nosuchproperty')
  t.equal(read?.headers.authorization, `Bearer ${stub.issuedTokens()[0]}`)

  t.same(await oauth.readRecordProperties(PORTAL, 'COMPANY', '55', ['name']), { name: 'Analytical Engines Ltd' })
  t.same(await oauth.readRecordProperties(PORTAL, 'DEAL', '66', ['dealname']), { dealname: 'Difference engine' })
  t.same(await oauth.readRecordProperties(PORTAL, 'TICKET', '77', ['subject']), { subject: 'Bernoulli numbers' })
  t.same(await oauth.readRecordProperties(PORTAL, '2-12345', '88', ['colour']), { colour: 'brass' })
  t.same(stub.crmRequests().map(request => request.path), [
    '/crm/v3/objects/contacts/904', '/crm/v3/objects/companies/55', '/crm/v3/objects/deals/66', '/crm/v3/objects/tickets/77', '/crm/v3/objects/2-12345/88'
  ])
  t.equal(crmObjectPath('contact'), 'contacts')
  t.equal(crmObjectPath('P_WIDGETS'), 'p_widgets')
  assertNothingLeaked()
})

t.test('readRecordProperties: 404 is {}, 401 refreshes once and retries, 403 explains the scope', async t => {
  const { oauth, stub, install, failure, tokenRequests, assertNothingLeaked } = await setup(t)
  await install()
  stub.seedRecord('contacts', 904, { firstname: 'Ada' })

  stub.removeRecord('contacts', 904)
  t.same(await oauth.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname']), {}, 'deleted record: every placeholder unresolved')
  t.same(await oauth.readRecordProperties(PORTAL, 'CONTACT', '123', ['firstname']), {}, 'unknown record')

  stub.seedRecord('contacts', 904, { firstname: 'Ada' })
  stub.expireAccessTokens(PORTAL)
  t.same(await oauth.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname']), { firstname: 'Ada' })
  t.equal(tokenRequests('refresh_token'), 1, 'one refresh')
  const [rejected, retried] = stub.crmRequests().slice(-2)
  t.not(rejected?.headers.authorization, retried?.headers.authorization, 'retried with the new token')

  stub.once('GET /crm/v3/objects/contacts/904', { status: 403, body: { status: 'error', message: 'This app hasn\'t been granted all required scopes to make this call.', category: 'MISSING_SCOPES', correlationId: 'c-1' } })
  const forbidden = await failure(oauth.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname']))
  t.equal(forbidden.code, 'HUBSPOT_API_ERROR')
  t.match(forbidden.message, /HubSpot refused to read CONTACT 904 for portal 8675309 \(HTTP 403: This app hasn't been granted .* \(category MISSING_SCOPES, correlation id c-1\)\)/)
  t.match(forbidden.message, /HUBSPOT_OAUTH_SCOPES includes .* crm\.objects\.contacts\.read/)

  stub.once('GET /crm/v3/objects/contacts/904', { status: 500, body: { status: 'error', message: 'internal error', category: 'INTERNAL_ERROR' } })
  t.match((await failure(oauth.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname']))).message, /HTTP 500: internal error/)

  // A 401 even after the refresh is not retried forever.
  stub.once('GET /crm/v3/objects/contacts/904', { status: 401, body: {} }, { status: 401, body: {} })
  const before = stub.crmRequests().length
  const unauthorised = await failure(oauth.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname']))
  t.match(unauthorised.message, /HTTP 401/)
  t.equal(stub.crmRequests().length - before, 2, 'one retry only')
  assertNothingLeaked()
})

t.test('readRecordProperties: a refresh that finds the grant revoked reads as not installed', async t => {
  const { oauth, stub, install, repositories, assertNothingLeaked } = await setup(t)
  await install()
  stub.seedRecord('contacts', 904, { firstname: 'Ada' })
  stub.expireAccessTokens(PORTAL)
  stub.revokeRefreshTokens(PORTAL)
  t.equal(await oauth.readRecordProperties(PORTAL, 'CONTACT', '904', ['firstname']), undefined)
  t.equal(repositories.portals.find(PORTAL)?.installStatus, 'reinstall_required')
  assertNothingLeaked()
})

t.test('completeCallback posts {outputFields} with the Bearer token', async t => {
  const { oauth, stub, install, failure, assertNothingLeaked } = await setup(t)
  const outputFields = { hs_execution_state: 'SUCCESS', response: 'Hello Ada', provider: 'openai' }
  t.equal((await failure(oauth.completeCallback(PORTAL, 'ap-1-2-3', outputFields))).code, 'HUBSPOT_API_ERROR', 'not installed')
  await install()
  stub.expectCallback('ap-8675309-1-2')
  await oauth.completeCallback(PORTAL, 'ap-8675309-1-2', outputFields)
  t.same(stub.state.completedCallbacks, [{ callbackId: 'ap-8675309-1-2', portalId: PORTAL, body: { outputFields } }])
  const sent = stub.callbackRequests()[0]
  t.equal(sent?.path, '/automation/v4/actions/callbacks/ap-8675309-1-2/complete')
  t.equal(sent?.headers.authorization, `Bearer ${stub.issuedTokens()[0]}`)
  t.match(sent?.headers['content-type'], /application\/json/)

  const refused = await failure(oauth.completeCallback(PORTAL, 'ap-8675309-1-2', { response: 'no state' }))
  t.match(refused.message, /HubSpot refused to complete the execution ap-8675309-1-2 for portal 8675309 \(HTTP 400: outputFields.hs_execution_state must be/)
  assertNothingLeaked()
})

t.test('state nonces: consumed atomically once; expired ones refused and removed', async t => {
  const database = openDatabase(':memory:')
  t.teardown(() => database.close())
  const { oauth } = createRepositories(database.db)
  oauth.insertState('a', START)
  oauth.insertState('b', START)
  oauth.insertState('c', START + 5 * MINUTE)
  t.equal(oauth.consumeState('a', START + 10 * MINUTE, 10 * MINUTE), true, 'exactly 10 minutes old is still valid')
  t.equal(oauth.consumeState('a', START + 10 * MINUTE, 10 * MINUTE), false)
  t.equal(oauth.consumeState('b', START + 10 * MINUTE + 1, 10 * MINUTE), false, 'expired')
  t.equal(oauth.consumeState('b', START, 10 * MINUTE), false, 'and gone')
  t.equal(oauth.pruneStates(START + 5 * MINUTE + 1), 1)
  t.equal(oauth.consumeState('c', START, 10 * MINUTE), false)
})
