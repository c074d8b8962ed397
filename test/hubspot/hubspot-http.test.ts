import t, { type Test } from 'tap'
import { scrubSecrets } from '../../plugins/scrub-secrets.ts'
import { describeAnswer, describeAnswerVerbosely } from '../../src/hubspot/hubspot-http.ts'
import { createHubSpotHttp } from '../../src/hubspot/index.ts'
import { startStubServer } from '../helpers/stub-server.ts'
import { startOversizeStub } from '../stubs/oversize-stub.ts'

/** The one transport: timeouts, answers of any status, Retry-After, and messages scrubbed of every secret in play. */

const CLIENT_SECRET = 'client-secret-canary-1234abcd'
const DEVELOPER_KEY = 'developer-key-canary-5678efgh'

async function setup (t: Test, timeoutMs = 1_000) {
  const server = await startStubServer()
  t.teardown(() => server.close())
  const http = createHubSpotHttp({ apiBaseUrl: `${server.origin}/`, fetch: globalThis.fetch, timeoutMs, secrets: [CLIENT_SECRET, DEVELOPER_KEY, undefined] })
  return { server, http }
}

t.test('any HTTP answer resolves: parsed JSON, status, Retry-After in ms, HubSpot\'s ids, a scrubbed description', async t => {
  const { server, http } = await setup(t)
  server.on('POST /thing', {
    status: 429,
    headers: { 'retry-after': '12' },
    body: { status: 'error', message: `Too many calls with ${CLIENT_SECRET} and token-canary-abcdef`, category: 'RATE_LIMITS', correlationId: 'c-42' }
  })
  const answer = await http.send('do the thing', { method: 'POST', path: '/thing?x=1', headers: { 'content-type': 'application/json' }, body: '{}' }, ['token-canary-abcdef'])
  t.equal(answer.status, 429)
  t.equal(answer.ok, false)
  t.equal(answer.retryAfterMs, 12_000)
  t.equal(answer.category, 'RATE_LIMITS')
  t.equal(answer.correlationId, 'c-42')
  t.equal(answer.description, 'HTTP 429: HubSpot is rate limiting this app (category RATE_LIMITS, correlation id c-42)', 'our words, never HubSpot\'s')
  t.equal(answer.operatorDescription, 'HTTP 429: Too many calls with [redacted] and [redacted] (category RATE_LIMITS, correlation id c-42)')
  t.equal(server.requests[0]?.url, '/thing?x=1', 'the base URL\'s trailing slash is not doubled')
  t.equal(server.requests[0]?.headers.accept, 'application/json')

  server.on('GET /empty', { status: 204 })
  const empty = await http.send('read nothing', { method: 'GET', path: '/empty' })
  t.same([empty.status, empty.ok, empty.body, empty.text, 'retryAfterMs' in empty], [204, true, undefined, '', false])

  server.on('GET /date', { status: 503, headers: { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }, body: 'down' })
  const dated = await http.send('read a date', { method: 'GET', path: '/date' })
  t.equal(dated.retryAfterMs, undefined, 'an HTTP-date Retry-After is not guessed at')
  t.equal(dated.description, 'HTTP 503: HubSpot had a problem on its side')
  t.equal(dated.operatorDescription, 'HTTP 503: down')
})

t.test('unreachable and too slow reject with HubSpotApiError status 0, scrubbed', async t => {
  const { server, http } = await setup(t, 150)
  server.on('GET /slow', { delayMs: 2_000, body: {} })
  await t.rejects(http.send('read slowly', { method: 'GET', path: '/slow' }), {
    name: 'HubSpotApiError', status: 0, code: 'HUBSPOT_API_ERROR', reinstallRequired: false, message: 'HubSpot did not answer within 0.15s when asked to read slowly.'
  })

  server.on('GET /drop', { destroy: true })
  await t.rejects(http.send(`read with ${DEVELOPER_KEY}`, { method: 'GET', path: '/drop' }), { status: 0, message: /^HubSpot could not be reached \(.+\) when asked to read with \[redacted\]\.$/ })
})

t.test('an 80 MB answer rejects with HubSpotApiError status 0, and the rest is never read', async t => {
  for (const framing of ['chunked', 'declared'] as const) {
    const stub = await startOversizeStub(framing)
    t.teardown(() => stub.close())
    const http = createHubSpotHttp({ apiBaseUrl: stub.origin, fetch: globalThis.fetch, timeoutMs: 30_000, secrets: [CLIENT_SECRET] })
    await t.rejects(http.send('read a record', { method: 'GET', path: '/crm/v3/objects/contacts/1' }), {
      name: 'HubSpotApiError', status: 0, message: 'HubSpot\'s answer was larger than 8 MiB, the most read of one answer, when asked to read a record.'
    }, framing)
    t.ok(stub.sent < 24 * 1024 * 1024, `${framing}: ${(stub.sent / 1024 / 1024).toFixed(1)} MiB of 80 sent before the client hung up`)
  }
})

t.test('describeAnswer: our sentence for the status, RFC 6749 codes, and HubSpot\'s category and correlation id only', async t => {
  t.equal(describeAnswer({ status: 400, body: { error: 'invalid_grant', error_description: 'missing or invalid refresh token', status: 'BAD_REFRESH_TOKEN' }, text: '' }),
    'HTTP 400 invalid_grant: HubSpot found the request invalid')
  t.equal(describeAnswer({ status: 400, body: { error: 'token hs-access-1 is bad', message: 'Invalid input', errors: [{ message: 'a is bad' }], category: 'VALIDATION_ERROR', correlationId: 'c-1' }, text: '' }),
    'HTTP 400: HubSpot found the request invalid (category VALIDATION_ERROR, correlation id c-1)', 'an OAuth error that is no RFC 6749 code is left out, and so is every free text')
  t.equal(describeAnswer({ status: 403, body: { message: 'no', category: 'MISSING SCOPES for token x', correlationId: 'not a uuid: token x' }, text: '' }),
    'HTTP 403: HubSpot refused access (a missing scope or permission)', 'a category or correlation id of another shape is not quoted')
  t.equal(describeAnswer({ status: 502, body: undefined, text: '<html>Bad gateway</html>' }), 'HTTP 502: HubSpot had a problem on its side')
  t.equal(describeAnswer({ status: 418, body: undefined, text: '' }), 'HTTP 418: HubSpot answered with an unexpected status')
})

t.test('describeAnswerVerbosely (for the operator only) reads OAuth errors, HubSpot errors with details, and plain text, bounded', async t => {
  t.equal(describeAnswerVerbosely({ status: 400, body: { error: 'invalid_grant', error_description: 'missing or invalid refresh token', status: 'BAD_REFRESH_TOKEN' }, text: '' }),
    'HTTP 400 invalid_grant: missing or invalid refresh token')
  t.equal(describeAnswerVerbosely({ status: 400, body: { message: 'Invalid input', errors: [{ message: 'a is bad' }, { message: 'b is bad' }, { nothing: 1 }], category: 'VALIDATION_ERROR' }, text: '' }),
    'HTTP 400: Invalid input (a is bad; b is bad) (category VALIDATION_ERROR)')
  t.equal(describeAnswerVerbosely({ status: 502, body: undefined, text: '  <html>Bad gateway</html>\n' }), 'HTTP 502: <html>Bad gateway</html>')
  t.equal(describeAnswerVerbosely({ status: 500, body: { unrelated: true }, text: '{"unrelated":true}' }), 'HTTP 500', 'a JSON body without words says only the status')
  t.equal(describeAnswerVerbosely({ status: 500, body: undefined, text: 'x'.repeat(1000) }).length, 'HTTP 500'.length + 300)
  t.equal(describeAnswerVerbosely({ status: 400, body: { message: 'm', errors: Array.from({ length: 50 }, () => ({ message: 'y'.repeat(200) })) }, text: '' }).length, 'HTTP 400'.length + 300, 'details count towards the bound')
})

t.test('scrub removes secrets in any letter case, and any eight-character piece of one', async t => {
  const { http } = await setup(t)
  const token = 'hs-access-Canary-0123456789abcdef'
  const said = `whole ${token}, shouted ${token.toUpperCase()}, head ${token.slice(0, 10)}, tail ${token.slice(-8)}, masked ${token.slice(0, 12)}***${token.slice(-9)}`
  const scrubbed = http.scrub(said, [token])
  t.equal(scrubbed, 'whole [redacted], shouted [redacted], head [redacted], tail [redacted], masked [redacted]***[redacted]')
  t.equal(http.scrub(`the key in capitals: ${DEVELOPER_KEY.toUpperCase()}`), 'the key in capitals: [redacted]', 'the client-wide secrets too')
  t.equal(scrubSecrets('an ordinary sentence stays', ['short-secret'], { fragmentLength: 8 }), 'an ordinary sentence stays', 'a secret under 16 characters is only removed whole')
  t.equal(scrubSecrets('İstanbul ACCESS-CANARY-0123 ok', ['hs-access-canary-0123456789'], { fragmentLength: 8 }), 'İstanbul [redacted] ok', 'non-ASCII text keeps its positions')
})
