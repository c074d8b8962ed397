import t, { type Test } from 'tap'
import { buildApp, TEST_CLIENT_SECRET, TEST_PUBLIC_URL } from '../helpers/build-app.ts'
import { HUBSPOT_STUB_CLIENT_ID, startHubSpotStub } from '../stubs/hubspot-stub.ts'

/** The plugin: `fastify.hubspot` is the client, built from the app's settings and its injected fetch. */

const PORTAL = 13572468

async function installedApp (t: Test, environment: Record<string, string> = {}) {
  const stub = await startHubSpotStub({ clientSecret: TEST_CLIENT_SECRET })
  t.teardown(() => stub.close())
  const { app, logs } = await buildApp(t, { HUBSPOT_CLIENT_ID: HUBSPOT_STUB_CLIENT_ID, HUBSPOT_API_BASE_URL: stub.baseUrl, ...environment })
  const install = await app.inject({ url: '/oauth/install' })
  const state = new URL(String(install.headers.location)).searchParams.get('state') ?? ''
  const code = stub.issueAuthCode(PORTAL, { redirectUri: `${TEST_PUBLIC_URL}/oauth/callback` })
  t.equal((await app.inject({ url: `/oauth/callback?code=${code}&state=${state}` })).statusCode, 200)
  return { app, stub, logs }
}

const completion = { callbackId: 'ap-13572468-plugin', outputFields: { hs_execution_state: 'SUCCESS', response: 'done' }, typedOutputs: { response: 'done' } }

t.test('the decorator completes callbacks on the 2026-09 paths by default', async t => {
  const { app, stub } = await installedApp(t)
  t.ok(app.hasDecorator('hubspot'))
  const { completeCallbacks } = app.hubspot
  t.same(await completeCallbacks(PORTAL, [completion]), { kind: 'accepted' })
  t.same(stub.callbackRequests().map(request => request.path), ['/automation/actions/callbacks/2026-09/ap-13572468-plugin/complete'])
})

t.test('HUBSPOT_ACTIONS_API_VERSION=2026-03 keeps the 2026-03 paths', async t => {
  const { app, stub } = await installedApp(t, { HUBSPOT_ACTIONS_API_VERSION: '2026-03' })
  t.same(await app.hubspot.completeCallbacks(PORTAL, [completion]), { kind: 'accepted' })
  t.same(await app.hubspot.completeCallbacks(PORTAL, [completion, { ...completion, callbackId: 'ap-2' }]), { kind: 'accepted' })
  t.same(stub.callbackRequests().map(request => request.path), ['/automation/actions/callbacks/2026-03/ap-13572468-plugin/complete', '/automation/actions/callbacks/2026-03/complete'])
})

t.test('HUBSPOT_ACTIONS_API_VERSION=v4 switches callbacks to the v4 paths', async t => {
  const { app, stub, logs } = await installedApp(t, { HUBSPOT_ACTIONS_API_VERSION: 'v4' })
  t.same(await app.hubspot.completeCallbacks(PORTAL, [completion, { ...completion, callbackId: 'ap-2' }]), { kind: 'accepted' })
  t.same(stub.callbackRequests().map(request => request.path), ['/automation/v4/actions/callbacks/complete'])
  t.same(stub.state.completedCallbacks.map(done => [done.callbackId, done.version, done.batch]), [['ap-13572468-plugin', 'v4', true], ['ap-2', 'v4', true]])
  t.match(logs.join(''), /"component":"hubspot"/, 'its log lines say where they come from')
  for (const token of stub.issuedTokens()) t.notOk(logs.join('').includes(token), 'no token in the logs')
})
