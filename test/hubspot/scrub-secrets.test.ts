import t from 'tap'
import { scrubSecrets } from '../../plugins/scrub-secrets.ts'
import { scrubSecrets as reExported } from '../../src/actions/provider-failure.ts'

/** The one scrubber (plugins/scrub-secrets.ts), used by the HubSpot client, provider failures and publish. */

t.test('known secrets go, raw or URL-encoded, longest first; short and undefined values are ignored', async t => {
  t.equal(scrubSecrets('token abc/def+ghi= and abc%2Fdef%2Bghi%3D', ['abc/def+ghi=']), 'token [redacted] and [redacted]')
  t.equal(scrubSecrets('secret-one-two', ['secret-one', 'secret-one-two']), '[redacted]', 'no half-replaced tail')
  t.equal(scrubSecrets('a 123 b', ['123', undefined, '']), 'a 123 b', 'shorter than 4: ordinary text, left alone')
})

t.test('key shapes and hapikey parameters are masked even when unknown', async t => {
  t.equal(scrubSecrets('key sk-proj-abcdefgh1234 was refused', []), 'key [redacted] was refused')
  t.equal(scrubSecrets('xai-ABCDEFGH12 AIzaSyA-1234567', []), '[redacted] [redacted]')
  t.equal(scrubSecrets('GET https://api.hubapi.com/x?limit=1&hapikey=whatever-it-is&after=2', []), 'GET https://api.hubapi.com/x?limit=1&hapikey=[redacted]&after=2')
})

t.test('provider-failure keeps exporting the same function', async t => {
  t.equal(reExported, scrubSecrets)
})
