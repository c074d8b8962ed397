import t from 'tap'
import { Signature } from '@hubspot/api-client'
import { verifyHubSpotSignature } from '../../plugins/hubspot-signature/verify-signature.ts'

const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy'

t.test('v2: HubSpot\'s published test vectors', async t => {
  t.same(verifyHubSpotSignature({
    method: 'GET', uri: 'https://www.example.com/webhook_uri', rawBody: '',
    headers: { 'x-hubspot-signature': 'eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e', 'x-hubspot-signature-version': 'v2' }
  }, SECRET), { valid: true, version: 'v2' })
  t.same(verifyHubSpotSignature({
    method: 'POST', uri: 'https://www.example.com/webhook_uri', rawBody: '{"example_field":"example_value"}',
    headers: { 'x-hubspot-signature': '9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900' }
  }, SECRET), { valid: true, version: 'v2' })
})

t.test('v2: tampered body, wrong secret, other URI, v1 header all fail', async t => {
  const good = { method: 'POST', uri: 'https://www.example.com/webhook_uri', rawBody: '{"example_field":"example_value"}', headers: { 'x-hubspot-signature': '9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900' } }
  t.equal(verifyHubSpotSignature({ ...good, rawBody: '{"example_field":"other"}' }, SECRET).valid, false)
  t.equal(verifyHubSpotSignature(good, 'another-secret').valid, false)
  t.equal(verifyHubSpotSignature({ ...good, uri: 'https://www.example.com/webhook_uri?x=1' }, SECRET).valid, false)
  t.equal(verifyHubSpotSignature({ ...good, headers: { ...good.headers, 'x-hubspot-signature-version': 'v1' } }, SECRET).valid, false)
  t.equal(verifyHubSpotSignature({ ...good, headers: { 'x-hubspot-signature': 'zz' } }, SECRET).valid, false)
  t.equal(verifyHubSpotSignature({ ...good, headers: {} }, SECRET).valid, false)
})

t.test('v3: signatures made by @hubspot/api-client', async t => {
  const now = 1_764_000_000_000
  const body = JSON.stringify({ callbackId: 'ap-1', inputFields: { prompt: 'Grüße, Yllä ☕ 日本' } })
  const uri = 'https://llm.example.com/hubspot/actions/custom-llm'
  const sign = (options: { url?: string, requestBody?: string, timestamp?: number, secret?: string } = {}) =>
    Signature.getSignature('POST', 'v3', { signature: '', clientSecret: options.secret ?? SECRET, url: options.url ?? uri, requestBody: options.requestBody ?? body, timestamp: options.timestamp ?? now })
  const request = (signature: string, timestamp = now, overrides: { uri?: string, rawBody?: string } = {}) => ({
    method: 'POST', uri: overrides.uri ?? uri, rawBody: overrides.rawBody ?? body,
    headers: { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(timestamp) }
  })

  t.same(verifyHubSpotSignature(request(sign()), SECRET, { now }), { valid: true, version: 'v3' }, 'non-ASCII body')
  t.equal(verifyHubSpotSignature(request(sign(), now, { rawBody: body.replace('Yllä', 'Ylla') }), SECRET, { now }).valid, false, 'tampered body')
  t.equal(verifyHubSpotSignature(request(sign({ secret: 'wrong' })), SECRET, { now }).valid, false, 'wrong secret')
  const stale = now - 5 * 60 * 1000 - 1
  t.equal(verifyHubSpotSignature(request(sign({ timestamp: stale }), stale), SECRET, { now }).valid, false, 'stale')
  const future = now + 10 * 60 * 1000
  t.equal(verifyHubSpotSignature(request(sign({ timestamp: future }), future), SECRET, { now }).valid, false, 'future')
  const recent = now - 4 * 60 * 1000
  t.equal(verifyHubSpotSignature(request(sign({ timestamp: recent }), recent), SECRET, { now }).valid, true, 'four minutes old')
  t.equal(verifyHubSpotSignature(request(sign(), now + 1), SECRET, { now }).valid, false, 'timestamp header changed')
  t.equal(verifyHubSpotSignature({ ...request(sign()), headers: { 'x-hubspot-signature-v3': sign() } }, SECRET, { now }).valid, false, 'no timestamp')

  // HubSpot hashes the URI with its table of percent-encodings decoded; the request arrives encoded.
  const encoded = `${uri}?portal=a%3Ab%2Fc%40d&name=J%C3%BCrgen`
  const decoded = `${uri}?portal=a:b/c@d&name=J%C3%BCrgen`
  t.equal(verifyHubSpotSignature(request(sign({ url: decoded }), now, { uri: encoded }), SECRET, { now }).valid, true, 'percent-encoded URI')
  t.equal(verifyHubSpotSignature(request(sign({ url: encoded }), now, { uri: encoded }), SECRET, { now }).valid, false, 'hash of the undecoded URI is not HubSpot\'s')
})

t.test('v2 can be turned off: a v2-only request is refused with the reason, v3 still verifies', async t => {
  const uri = 'https://www.example.com/webhook_uri'
  const rawBody = '{"example_field":"example_value"}'
  // HubSpot's published v2 example (reference/hubspot.md §6).
  const v2Only = { method: 'POST', uri, rawBody, headers: { 'x-hubspot-signature': '9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900' } }
  t.same(verifyHubSpotSignature(v2Only, SECRET, { acceptV2Signatures: true }), { valid: true, version: 'v2' }, 'on: accepted')
  t.same(verifyHubSpotSignature(v2Only, SECRET, { acceptV2Signatures: false }), {
    valid: false, reason: 'v2 signatures are turned off', message: 'This request carries only a v2 signature, and v2 signatures are turned off (HUBSPOT_SIGNATURE_V2=false): HubSpot must sign it with v3.'
  }, 'off: refused, with a message that says why')

  const now = 1_764_000_000_000
  const v3 = Signature.getSignature('POST', 'v3', { signature: '', clientSecret: SECRET, url: uri, requestBody: rawBody, timestamp: now })
  const both = { ...v2Only, headers: { ...v2Only.headers, 'x-hubspot-signature-v3': v3, 'x-hubspot-request-timestamp': String(now) } }
  t.same(verifyHubSpotSignature(both, SECRET, { now, acceptV2Signatures: false }), { valid: true, version: 'v3' }, 'off: a v3 signature still verifies')
})
