import t from 'tap'
import { buildApp } from '../helpers/build-app.ts'
import { OPENAI_GOOD_KEY, startOpenAIStub } from '../stubs/openai-stub.ts'

const PORTAL = 31
const URL = `/api/portals/${PORTAL}/connections/openai`
const KEY_COUNT = 200

// fast-check is not installed, so keys come from a seeded generator: the same 200 keys on every run.
function seededRandom (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6D2B79F5) >>> 0
    let mixed = Math.imul(state ^ (state >>> 15), state | 1)
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61)
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296
  }
}

// What a paste can smuggle into a key: emoji (surrogate pairs), lone surrogates, control characters, spaces and
// line breaks inside the key, Latin-1 letters and no-break spaces, zero-width characters, other scripts.
const FORBIDDEN = [
  '😀', '🔑', '👍🏽', '\uD800', '\uDFFF', '\uDBFF',
  '\u0000', '\u0007', '\t', '\n', '\r', '\u001B', '\u007F', '\u0085', '\u009F',
  ' ', '\u00A0', 'é', 'ß', '\u00FF',
  '\u200B', '\u200D', '\u2028', '\uFEFF', '–', '’', '鍵', 'ключ'
]
const ALPHABET = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789']

/** Printable-ASCII spelling for test names: TAP output must not carry the line breaks and controls under test. */
function visible (text: string): string {
  return [...text].map(character => /^[\x21-\x7E]$/.test(character) ? character : `\\u{${character.codePointAt(0)?.toString(16).toUpperCase()}}`).join('')
}

interface GeneratedKey {
  readonly apiKey: string
  /** The printable runs around the bad characters: none may appear in a response. */
  readonly segments: readonly string[]
}

function generateKeys (count: number, random: () => number): GeneratedKey[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const segment = (): string => Array.from({ length: 8 + Math.floor(random() * 16) }, () => pick(ALPHABET)).join('')
  return Array.from({ length: count }, () => {
    const segments = Array.from({ length: 2 + Math.floor(random() * 3) }, segment)
    // Bad characters sit between printable runs, so trimming cannot remove them.
    const apiKey = `sk-${segments.map((part, index) => index === 0 ? part : pick(FORBIDDEN) + part).join('')}`
    return { apiKey, segments }
  })
}

t.test('a key with a character outside printable ASCII is 422 INVALID_API_KEY, with no provider call and nothing stored', async t => {
  const stub = await startOpenAIStub()
  t.teardown(() => stub.close())
  const { app, admin, logs } = await buildApp(t, { OPENAI_BASE_URL: stub.baseUrl })

  const keys = generateKeys(KEY_COUNT, seededRandom(20260301))
  for (const forbidden of FORBIDDEN) t.ok(keys.some(key => key.apiKey.includes(forbidden)), `the keys include ${visible(forbidden)}`)

  for (const { apiKey, segments } of keys) {
    const response = await app.inject({ method: 'PUT', url: URL, headers: admin, payload: { apiKey: `  ${apiKey}\n` } })
    const label = visible(apiKey)
    if (response.statusCode !== 422 || response.json().code !== 'INVALID_API_KEY') {
      t.fail(`${label} answered ${response.statusCode} ${response.body}`)
      continue
    }
    const message: string = response.json().message
    if (!/character/.test(message) || !/emoji|non-ASCII/.test(message)) t.fail(`${label}: the message does not say what is wrong: ${message}`)
    for (const part of segments) {
      if (response.body.includes(part)) t.fail(`${label}: the answer echoes part of the key`)
    }
  }
  t.pass(`${KEY_COUNT} keys refused`)

  t.equal(stub.requests.length, 0, 'the provider was never called')
  t.same((await app.inject({ url: `/api/portals/${PORTAL}/connections`, headers: admin })).json(), { items: [] }, 'nothing was stored')
  t.same(await app.repositories.connections.auditTrail(PORTAL), [], 'nothing was audited')
  const logged = logs.join('')
  t.notOk(keys.some(key => key.segments.some(part => logged.includes(part))), 'no log line holds part of a key')
})

t.test('every printable ASCII character is still passed to the provider, and surrounding whitespace is trimmed', async t => {
  const stub = await startOpenAIStub()
  t.teardown(() => stub.close())
  const { app, admin } = await buildApp(t, { OPENAI_BASE_URL: stub.baseUrl })

  const printable = Array.from({ length: 0x7E - 0x21 + 1 }, (_, offset) => String.fromCharCode(0x21 + offset)).join('')
  const rejected = await app.inject({ method: 'PUT', url: URL, headers: admin, payload: { apiKey: `sk-${printable}` } })
  t.equal(rejected.statusCode, 422)
  t.match(rejected.json().message, /OpenAI rejected this API key/, 'the provider judged it')
  t.equal(stub.requests.length, 1, 'the provider was asked')

  const connected = await app.inject({ method: 'PUT', url: URL, headers: admin, payload: { apiKey: `\u00A0\t ${OPENAI_GOOD_KEY}\r\n\uFEFF` } })
  t.equal(connected.statusCode, 201)
  t.equal(connected.json().status, 'connected')
  t.equal(connected.json().keyHint, OPENAI_GOOD_KEY.slice(-4))
})
