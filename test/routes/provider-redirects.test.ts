import t from 'tap'
import { buildApp } from '../helpers/build-app.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'
import { startStubServer } from '../helpers/stub-server.ts'
import { COMPATIBLE_GOOD_KEY, chatCompletion, startCompatibleStub } from '../stubs/openai-compatible-stub.ts'
import { REDIRECT_QUERY_SECRET, startRedirectingServer } from '../stubs/redirect-stub.ts'

const PATH = '/hubspot/actions/custom-llm'
const url = '/api/portals/77/connections/openai-compatible'

/** An internal service the allowlist does not admit, which would answer like a model if it were ever reached. */
async function startInternalService () {
  const internal = await startStubServer({
    'GET /v1/models': { body: { object: 'list', data: [{ id: 'internal-model', object: 'model', created: 1, owned_by: 'internal' }] } },
    'POST /v1/chat/completions': { body: chatCompletion('INTERNAL SECRET DATA') }
  })
  return internal
}

t.test('a redirect from an allowed host is never followed, at connect or at generation', async t => {
  const internal = await startInternalService()
  const allowed = await startCompatibleStub()
  t.teardown(async () => { await internal.close(); await allowed.close() })
  const redirecting = await startRedirectingServer(internal.origin)
  t.teardown(() => redirecting.close())
  const built = await buildApp(t, { ALLOWED_PROVIDER_HOSTS: [allowed.origin, redirecting.origin].map(origin => new URL(origin).host).join(',') })

  const refused = await built.app.inject({ method: 'PUT', url, headers: built.admin, payload: { apiKey: COMPATIBLE_GOOD_KEY, baseUrl: `${redirecting.origin}/v1` } })
  t.equal(refused.json().code, 'PROVIDER_REJECTED', `connect through a redirect: ${refused.body}`)
  t.match(refused.json().message, /redirect \(HTTP 307\)/)
  t.notMatch(refused.body, REDIRECT_QUERY_SECRET)
  t.same((await built.app.inject({ url: '/api/portals/77/connections', headers: built.admin })).json(), { items: [] }, 'nothing stored')

  const connected = await built.app.inject({ method: 'PUT', url, headers: built.admin, payload: { apiKey: COMPATIBLE_GOOD_KEY, baseUrl: allowed.baseUrl } })
  t.equal(connected.statusCode, 201, connected.body)
  allowed.on('POST /v1/chat/completions', { status: 307, headers: { location: `${internal.origin}/v1/chat/completions?${REDIRECT_QUERY_SECRET}` } })
  const payload = JSON.stringify(executionBody(77, { provider: 'openai-compatible', model: 'llama3.3:70b', prompt: 'Say hi' }))
  const executed = await built.app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
  const fields = executed.json().outputFields as Record<string, string>
  t.match(fields, { hs_execution_state: 'FAIL_CONTINUE', errorCode: 'PROVIDER_REJECTED' }, executed.body)
  t.notMatch(executed.body, /INTERNAL SECRET DATA/)
  t.notMatch(executed.body, REDIRECT_QUERY_SECRET)

  t.same(internal.requests.map(request => request.url), [], 'the internal service was never called')
  t.notMatch(built.logs.join('\n'), REDIRECT_QUERY_SECRET)
})

t.test('an allowed host no longer admits its other ports, nor clear text', async t => {
  const other = await startCompatibleStub()
  t.teardown(() => other.close())
  const built = await buildApp(t, { ALLOWED_PROVIDER_HOSTS: 'localhost,llm.internal.example' })
  for (const baseUrl of [`http://localhost:${new URL(other.origin).port}/v1`, 'http://llm.internal.example/v1', 'https://llm.internal.example:2375/v1']) {
    const response = await built.app.inject({ method: 'PUT', url, headers: built.admin, payload: { apiKey: COMPATIBLE_GOOD_KEY, baseUrl } })
    t.equal(response.json().code, 'BASE_URL_NOT_ALLOWED', baseUrl)
  }
  t.equal(other.requests.length, 0, 'nothing was called')
})
