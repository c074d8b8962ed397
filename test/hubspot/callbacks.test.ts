import t from 'tap'
import { MAX_COMPLETIONS_PER_CALL, type CallbackCompletion, type CompletionAnswer } from '../../src/hubspot/index.ts'
import { HUBSPOT_STUB_ACCESS_TOKEN_PREFIX, hubSpotError } from '../stubs/hubspot-stub.ts'
import { MINUTE, PORTAL, START, setupClient, type ClientSetup, type ClientSetupOptions } from '../helpers/hubspot-client.ts'

/**
 * Callback completion, the call the durable execution engine makes for BLOCKed executions: one call, one answer,
 * never a throw, on every API version; the stub accepts callbackIds nobody announced, as HubSpot does.
 */

const SINGLE_PATH = {
  '2026-09': (callbackId: string) => `/automation/actions/callbacks/2026-09/${callbackId}/complete`,
  '2026-03': (callbackId: string) => `/automation/actions/callbacks/2026-03/${callbackId}/complete`,
  v4: (callbackId: string) => `/automation/v4/actions/callbacks/${callbackId}/complete`
}
const BATCH_PATH = {
  '2026-09': '/automation/actions/callbacks/2026-09/complete',
  '2026-03': '/automation/actions/callbacks/2026-03/complete',
  v4: '/automation/v4/actions/callbacks/complete'
}
/** The single path as a stub route pattern, under the default version. */
const DEFAULT_SINGLE_ROUTE = `POST ${SINGLE_PATH['2026-09'](':callbackId')}`

function completion (callbackId: string, overrides: Partial<CallbackCompletion> = {}): CallbackCompletion {
  return {
    callbackId,
    outputFields: { hs_execution_state: 'SUCCESS', response: `Hello from ${callbackId}`, responseNumber: '42' },
    typedOutputs: { response: `Hello from ${callbackId}`, responseNumber: 42 },
    ...overrides
  }
}

/** An installed client, and `complete` that keeps every answer's message for the leak check. */
async function installed (t: Parameters<typeof setupClient>[0], options: ClientSetupOptions = {}): Promise<ClientSetup & { complete: (...completions: CallbackCompletion[]) => Promise<CompletionAnswer> }> {
  const setup = await setupClient(t, options)
  await setup.install()
  return {
    ...setup,
    async complete (...completions) {
      const answer = await setup.client.completeCallbacks(PORTAL, completions)
      if ('message' in answer) setup.remember(answer.message)
      return answer
    }
  }
}

for (const version of ['2026-09', '2026-03', 'v4'] as const) {
  t.test(`${version}: one completion goes to the single path with {outputFields, typedOutputs} and the Bearer token`, async t => {
    const { stub, complete, assertNothingLeaked } = await installed(t, { actionsApiVersion: version })
    const sent = completion('ap-8675309-never-announced-1')
    t.same(await complete(sent), { kind: 'accepted' })

    const [request] = stub.callbackRequests()
    t.equal(request?.method, 'POST')
    t.equal(request?.url, SINGLE_PATH[version]('ap-8675309-never-announced-1'))
    t.equal(request?.headers.authorization, `Bearer ${stub.issuedTokens()[0]}`)
    t.match(request?.headers['content-type'], /^application\/json/)
    t.same(request?.json, { outputFields: sent.outputFields, typedOutputs: sent.typedOutputs })
    t.same(stub.state.completedCallbacks, [{ callbackId: sent.callbackId, portalId: PORTAL, body: request?.json, version, batch: false }])
    assertNothingLeaked()
  })

  t.test(`${version}: several completions go in one call to the batch path`, async t => {
    const { stub, complete } = await installed(t, { actionsApiVersion: version })
    const completions = [completion('ap-1'), completion('ap-2', { outputFields: { hs_execution_state: 'FAIL_CONTINUE', errorCode: 'PROVIDER_TIMEOUT' }, typedOutputs: {} }), completion('ap-3')]
    t.same(await complete(...completions), { kind: 'accepted' })

    t.equal(stub.callbackRequests().length, 1, 'one call')
    const [request] = stub.callbackRequests()
    t.equal(request?.url, BATCH_PATH[version])
    t.same(request?.json, { inputs: completions.map(({ callbackId, outputFields, typedOutputs }) => ({ callbackId, outputFields, typedOutputs })) })
    t.same(stub.state.completedCallbacks.map(done => [done.callbackId, done.version, done.batch]), [['ap-1', version, true], ['ap-2', version, true], ['ap-3', version, true]])
    t.same(stub.state.completedCallbacks[1]?.body, { outputFields: { hs_execution_state: 'FAIL_CONTINUE', errorCode: 'PROVIDER_TIMEOUT' }, typedOutputs: {} })
  })
}

t.test('empty typedOutputs are sent as {} (the date-versioned APIs require the key)', async t => {
  const { stub, complete } = await installed(t)
  t.same(await complete(completion('ap-empty', { typedOutputs: {} })), { kind: 'accepted' })
  t.same(stub.callbackRequests()[0]?.json.typedOutputs, {})
})

t.test('completions go to the 2026-09 paths unless another version is chosen', async t => {
  const { stub, complete } = await installed(t)
  t.same(await complete(completion('ap-default-1')), { kind: 'accepted' })
  t.same(await complete(completion('ap-default-2'), completion('ap-default-3')), { kind: 'accepted' })
  t.same(stub.callbackRequests().map(request => request.url), [SINGLE_PATH['2026-09']('ap-default-1'), BATCH_PATH['2026-09']])
  t.same(stub.state.completedCallbacks.map(done => done.version), ['2026-09', '2026-09', '2026-09'])
})

t.test('429 with Retry-After: retry, with retryAfterMs from the header; the next call is accepted', async t => {
  const { stub, complete, assertNothingLeaked } = await installed(t)
  stub.failCallbacks({ status: 429, retryAfterSeconds: 7 })
  const answer = await complete(completion('ap-limited'))
  t.match(answer, { kind: 'retry', status: 429, retryAfterMs: 7000 })
  t.match('message' in answer ? answer.message : '', /HubSpot refused to complete the execution ap-limited for portal 8675309 \(HTTP 429: HubSpot is rate limiting this app \(category RATE_LIMITS, correlation id [\w-]+\)\)\.$/)
  t.same(stub.state.completedCallbacks, [], 'nothing completed')
  t.equal(stub.state.callbackFaults.length, 0, 'the fault is used up')

  t.same(await complete(completion('ap-limited')), { kind: 'accepted' }, 'trying again later works')
  t.equal(stub.state.completedCallbacks.length, 1)

  stub.failCallbacks(429)
  const bare = await complete(completion('ap-limited-again'))
  t.match(bare, { kind: 'retry', status: 429 })
  t.notOk('retryAfterMs' in bare, 'no Retry-After, no retryAfterMs')
  assertNothingLeaked()
})

t.test('5xx: retry without retryAfterMs, for single and batch calls', async t => {
  const { stub, complete, assertNothingLeaked } = await installed(t)
  stub.failCallbacks(500, 503)
  const single = await complete(completion('ap-500'))
  t.match(single, { kind: 'retry', status: 500, message: /HTTP 500: HubSpot had a problem on its side \(category INTERNAL_ERROR, correlation id [\w-]+\)/ })
  t.notOk('retryAfterMs' in single)
  t.match(await complete(completion('ap-503-a'), completion('ap-503-b')), { kind: 'retry', status: 503, message: /complete 2 executions \(ap-503-a, ap-503-b\)/ })
  t.same(stub.state.completedCallbacks, [])
  assertNothingLeaked()
})

t.test('unreachable, dropped or too slow: retry with status 0', async t => {
  const { stub, complete, assertNothingLeaked } = await installed(t, { timeoutMs: 200 })
  stub.failCallbacks({ drop: true })
  t.match(await complete(completion('ap-dropped')), { kind: 'retry', status: 0, message: /HubSpot could not be reached .* when asked to complete the execution ap-dropped\./ })

  stub.once(DEFAULT_SINGLE_ROUTE, { delayMs: 5_000, status: 204 })
  t.match(await complete(completion('ap-slow')), { kind: 'retry', status: 0, message: 'HubSpot did not answer within 0.2s when asked to complete the execution ap-slow.' })

  await stub.close()
  t.match(await complete(completion('ap-closed')), { kind: 'retry', status: 0, message: /could not be reached/ })
  assertNothingLeaked()
})

t.test('401: the access token is refreshed once and the completion sent again, accepted', async t => {
  const { stub, complete, tokenRequests, logs, assertNothingLeaked } = await installed(t)
  stub.failCallbacks(401)
  t.same(await complete(completion('ap-stale-token')), { kind: 'accepted' })
  t.equal(tokenRequests('refresh_token'), 1, 'one refresh')
  const [rejected, retried] = stub.callbackRequests()
  t.equal(stub.callbackRequests().length, 2)
  t.not(rejected?.headers.authorization, retried?.headers.authorization, 'sent again with the new token')
  t.same(stub.state.completedCallbacks.map(done => done.callbackId), ['ap-stale-token'])
  t.match(logs.join('\n'), /refreshing it once/)

  // A token HubSpot expired on its own (clock skew, revocation) takes the same path.
  stub.expireAccessTokens(PORTAL)
  t.same(await complete(completion('ap-expired-token')), { kind: 'accepted' })
  t.equal(tokenRequests('refresh_token'), 2)
  assertNothingLeaked()
})

t.test('401 again after the refresh: refused, and no third call', async t => {
  const { stub, complete, tokenRequests, assertNothingLeaked } = await installed(t)
  stub.failCallbacks(401, 401)
  t.match(await complete(completion('ap-never-authorised')), { kind: 'refused', status: 401, message: /HTTP 401: HubSpot refused the credentials \(category EXPIRED_AUTHENTICATION/ })
  t.equal(stub.callbackRequests().length, 2, 'the first call and one retry')
  t.equal(tokenRequests('refresh_token'), 1)
  assertNothingLeaked()
})

t.test('403 and other 4xx: refused, in our words, never HubSpot\'s (which may echo the token)', async t => {
  const { stub, complete, assertNothingLeaked } = await installed(t)
  const [token] = stub.issuedTokens()
  stub.failCallbacks({ status: 403, message: `The token ${token} lacks the automation scope.` })
  const forbidden = await complete(completion('ap-forbidden'))
  t.match(forbidden, { kind: 'refused', status: 403, message: /HTTP 403: HubSpot refused access \(a missing scope or permission\) \(category MISSING_SCOPES/ })
  t.notMatch(JSON.stringify(forbidden), HUBSPOT_STUB_ACCESS_TOKEN_PREFIX)

  t.match(await complete(completion('ap-bad-state', { outputFields: { response: 'no state' } })), {
    kind: 'refused', status: 400, message: /HTTP 400: HubSpot found the request invalid \(category VALIDATION_ERROR/
  }, 'the stub validates the body as HubSpot does')

  stub.once(DEFAULT_SINGLE_ROUTE, hubSpotError(404, 'No callback found for the given callbackId.', 'OBJECT_NOT_FOUND'))
  t.match(await complete(completion('ap-expired-callback')), { kind: 'refused', status: 404 })
  assertNothingLeaked()
})

t.test('no tokens: not_installed, without calling HubSpot', async t => {
  const { stub, client, remember, assertNothingLeaked } = await setupClient(t)
  const answer = await client.completeCallbacks(PORTAL, [completion('ap-nobody')])
  t.match(answer, { kind: 'not_installed', message: /Portal 8675309 has not installed the app \(or must install it again via https:\/\/llm\.example\.test\/oauth\/install\)/ })
  if ('message' in answer) remember(answer.message)
  t.equal(stub.requests.length, 0)
  assertNothingLeaked()
})

t.test('a refresh that finds the grant revoked: not_installed; a refresh HubSpot cannot do now: retry', async t => {
  const { stub, client, clock, complete, repositories, assertNothingLeaked } = await installed(t)
  clock.now = START + 28 * MINUTE
  stub.once('POST /oauth/v3/token', { status: 503, headers: { 'retry-after': '3' }, body: 'upstream unavailable' })
  t.match(await complete(completion('ap-refresh-down')), { kind: 'retry', status: 503, retryAfterMs: 3000, message: /could not refresh the access token of portal 8675309/ })

  stub.revokeRefreshTokens(PORTAL)
  t.match(await complete(completion('ap-uninstalled')), { kind: 'not_installed' })
  t.equal((await repositories.portals.find(PORTAL))?.installStatus, 'reinstall_required')
  t.match(await client.completeCallbacks(PORTAL, [completion('ap-after')]), { kind: 'not_installed' }, 'and from then on')
  t.same(stub.callbackRequests(), [], 'HubSpot\'s callback API was never called')
  assertNothingLeaked()
})

t.test('nothing to complete is accepted without a call; more than 100 is refused without one', async t => {
  const { stub, complete, assertNothingLeaked } = await installed(t)
  t.same(await complete(), { kind: 'accepted' })
  const many = Array.from({ length: MAX_COMPLETIONS_PER_CALL + 1 }, (_, index) => completion(`ap-${index}`))
  t.match(await complete(...many), { kind: 'refused', status: 0, message: /Cannot complete 101 executions \(ap-0, ap-1, ap-2 and 98 more\) in one call: HubSpot takes at most 100/ })
  t.same(stub.callbackRequests(), [])
  t.same(await complete(...many.slice(0, MAX_COMPLETIONS_PER_CALL)), { kind: 'accepted' }, '100 go in one batch')
  t.equal(stub.state.completedCallbacks.length, 100)
  assertNothingLeaked()
})

t.test('completeCallbacks works unbound', async t => {
  const { client } = await installed(t)
  const { completeCallbacks } = client
  t.same(await completeCallbacks(PORTAL, [completion('ap-unbound')]), { kind: 'accepted' })
})
