import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { oauthTokenContext } from '../../db/secret-contexts.ts'
import { buildApp, TEST_CLIENT_SECRET, TEST_PUBLIC_URL } from '../helpers/build-app.ts'
import { sharedCluster } from '../helpers/postgres-cluster.ts'
import { HUBSPOT_STUB_CLIENT_ID, startHubSpotStub } from '../stubs/hubspot-stub.ts'

// An expiring HubSpot token found by two instances on one PostgreSQL database at once is refreshed by one of them.

const PORTAL = 24681357
const TOKEN_LIFETIME_MS = 1800 * 1000

/** fetch that holds every refresh grant a while, so both instances are sure to have found the token stale first. */
const slowRefreshes: typeof globalThis.fetch = async (input, init) => {
  if (String(init?.body ?? '').includes('grant_type=refresh_token')) await sleep(300)
  return await globalThis.fetch(input, init)
}

t.test('two instances needing an expired token at once: one refresh_token grant, the new token for both, the refresh token kept', async t => {
  // The app's client secret (which also verifies HubSpot's signatures) is the one the stub's token endpoint accepts.
  const stub = await startHubSpotStub({ clientSecret: TEST_CLIENT_SECRET })
  t.teardown(() => stub.close())
  const clock = { now: 1_760_000_000_000 }
  const environment = { DATABASE_URL: await (await sharedCluster()).createDatabase(), HUBSPOT_CLIENT_ID: HUBSPOT_STUB_CLIENT_ID, HUBSPOT_API_BASE_URL: stub.baseUrl }
  const [first, second] = await Promise.all([1, 2].map(() => buildApp(t, environment, { clock: () => clock.now, fetch: slowRefreshes })))
  if (first === undefined || second === undefined) throw new Error('two instances')

  const state = new URL(await first.app.hubspot.installUrl()).searchParams.get('state') ?? ''
  await first.app.hubspot.completeInstall(stub.issueAuthCode(PORTAL, { redirectUri: `${TEST_PUBLIC_URL}/oauth/callback` }), state)
  const [installedAccess, installedRefresh] = stub.issuedTokens()
  t.equal(await second.app.hubspot.accessToken(PORTAL), installedAccess, 'the other instance reads the stored token')

  clock.now += TOKEN_LIFETIME_MS
  const tokens = await Promise.all([first, second].map(built => built.app.hubspot.accessToken(PORTAL)))
  const refreshes = stub.oauthRequests().filter(request => new URLSearchParams(request.text).get('grant_type') === 'refresh_token')
  t.equal(refreshes.length, 1, 'one refresh_token grant')
  const refreshedAccess = stub.issuedTokens().find(token => token !== installedAccess && token !== installedRefresh)
  t.ok(refreshedAccess, 'HubSpot issued a new access token')
  t.same(tokens, [refreshedAccess, refreshedAccess], 'both instances use it')

  const row = await first.app.repositories.oauth.findTokens(PORTAL)
  t.equal(first.app.keyring.decrypt(row?.encryptedRefreshToken ?? '', oauthTokenContext(PORTAL, 'refresh')), installedRefresh, 'the refresh token is intact')
  t.equal(row?.expiresAt, clock.now + TOKEN_LIFETIME_MS)
  t.same(await Promise.all([first, second].map(built => built.app.hubspot.accessToken(PORTAL))), [refreshedAccess, refreshedAccess], 'fresh now')
  t.equal(stub.oauthRequests().filter(request => new URLSearchParams(request.text).get('grant_type') === 'refresh_token').length, 1, 'no further grant')
})
