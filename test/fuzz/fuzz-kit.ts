import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { ERROR_CATALOGUE } from '../../plugins/errors.ts'

// Shared pieces of the hostile-input suite: the seed, the route list, the arbitraries and the one invariant every
// answer must hold, whatever was sent.

/**
 * A fixed seed by default so CI is reproducible; `FUZZ_SEED=<n>` replays a reported failure and `FUZZ_SEED=random`
 * explores. fast-check puts the seed and the shrunk path into the error it throws, which tap prints.
 */
export function fuzzSeed (): number {
  const given = process.env.FUZZ_SEED
  if (given === 'random') return Math.floor(Math.random() * 2 ** 31)
  if (given !== undefined && given !== '' && Number.isInteger(Number(given))) return Number(given)
  return 20261213
}

/** Runs per property, scaled by `FUZZ_RUNS_FACTOR` (a longer local soak without editing the tests). */
export function runs (count: number): number {
  const factor = Number(process.env.FUZZ_RUNS_FACTOR ?? 1)
  return Math.max(1, Math.round(count * (Number.isFinite(factor) && factor > 0 ? factor : 1)))
}

export interface RouteEntry { readonly method: string, readonly url: string }

/**
 * Every route the app serves, read from `printRoutes` so a route added later is fuzzed without editing this suite.
 * Its tree gives each child as a suffix of its parent, indented one level deeper.
 */
export function enumerateRoutes (app: FastifyInstance): RouteEntry[] {
  const stack: Array<{ depth: number, path: string }> = []
  const routes: RouteEntry[] = []
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^(.*?)── (\S+)(?: \(([^)]*)\))?/.exec(line)
    if (match === null) continue
    const depth = (match[1] ?? '').length
    while (stack.length > 0 && (stack[stack.length - 1]?.depth ?? 0) >= depth) stack.pop()
    const path = (stack[stack.length - 1]?.path ?? '') + (match[2] ?? '')
    stack.push({ depth, path })
    for (const method of (match[3] ?? '').split(',').map(part => part.trim()).filter(part => part !== '')) routes.push({ method, url: path })
  }
  return routes
}

/** 503s the contract documents as "retry later" (with Retry-After); any other 5xx is a bug. */
const TRANSIENT_5XX = new Set(['STORAGE_UNAVAILABLE', 'SHUTTING_DOWN', 'PROVIDER_UNAVAILABLE'])
/** Stack frames or source paths: nothing internal may reach a client. */
const INTERNALS = /\n\s+at |\bat [\w.<>]+ \(|node_modules|\/work\/|\.ts:\d+|file:\/\//

export interface Answer {
  readonly statusCode: number
  readonly body: string
  readonly headers: Record<string, string | string[] | number | undefined>
}

/**
 * The invariant: never a 5xx unless a documented transient one, every 4xx is JSON with a catalogue `code`, and
 * no body carries a stack trace or a file path. Throws a description of the first breach (fast-check shrinks it).
 */
export function checkAnswer (method: string, answer: Answer): void {
  const where = `${answer.statusCode} ${answer.body.slice(0, 300)}`
  if (INTERNALS.test(answer.body)) throw new Error(`internals in the body: ${where}`)
  if (answer.statusCode >= 500) {
    const code = jsonCode(answer.body)
    if (answer.statusCode !== 503 || code === undefined || !TRANSIENT_5XX.has(code)) throw new Error(`a 5xx: ${where}`)
    return
  }
  if (answer.statusCode < 400 || method === 'HEAD') return
  if (!String(answer.headers['content-type'] ?? '').includes('application/json')) throw new Error(`a 4xx that is not JSON: ${where}`)
  const code = jsonCode(answer.body)
  if (code === undefined || !(code in ERROR_CATALOGUE)) throw new Error(`a 4xx without a catalogue code: ${where}`)
}

function jsonCode (body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { code?: unknown }
    return typeof parsed.code === 'string' ? parsed.code : undefined
  } catch {
    return undefined
  }
}

/** Lines the error handler writes for an unexpected error (its INTERNAL path): the fuzz run must leave none. */
export function unexpectedErrors (logs: readonly string[]): string[] {
  return logs.filter(line => line.includes('"unexpected error"'))
}

// ---- arbitraries -------------------------------------------------------------------------------------------------

/** Keys that poison prototypes when an object is merged or assigned naively. */
export const POISON_KEYS = ['__proto__', 'constructor', 'prototype'] as const

/** Strings with the characters that break naive handling: NUL, lone surrogates, controls, bidi, huge code points. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '\u0000', 'a\u0000b', '\uD800', '\uDFFF', 'x\uDC00y\uD83D', '\u202Eevil', '{{firstname}}', '{{', '}}{{__proto__}}',
    '{{constructor.prototype}}', '%00', '%zz', '\r\n\r\nX-Injected: 1', '../../etc/passwd', 'NaN', '-0', '1e309', '😀'.repeat(50)),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 40 })
)

/** Any JSON value, with hostile strings and prototype keys mixed in. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec(tie => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    nastyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...POISON_KEYS), nastyString), tie('value'), { maxKeys: 4 }))
})).value

/** Serialises with prototype keys kept as own properties (JSON.stringify of a dictionary may drop `__proto__`). */
export function toJsonText (value: unknown): string {
  return JSON.stringify(value) ?? 'null'
}

/** JSON texts that are hostile as text: poisoning, deep nesting, duplicate keys, number edge cases. */
export const hostileJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"inputFields":{"__proto__":{"prompt":"x"}}}',
    '{"a":1,"a":2}',
    '[' .repeat(10_000),
    '['.repeat(10_000) + ']'.repeat(10_000),
    '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000),
    '1e999', '-0', '"\\ud800"', '"\\u0000"', 'null', 'true', '[]', '""', '{}', ' ', '\uFEFF{}', '{"a":1}garbage', '{"a":1', "{'a':1}"
  ),
  hostileJson.map(toJsonText)
)

/** Bytes that are not UTF-8: overlong encodings, encoded surrogates, stray continuation bytes, random bytes. */
export const invalidUtf8: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constantFrom(
    Buffer.from([0xC0, 0xAF]), Buffer.from([0xE0, 0x80, 0xAF]), Buffer.from([0xED, 0xA0, 0x80]), Buffer.from([0xFF, 0xFE]),
    Buffer.concat([Buffer.from('{"prompt":"'), Buffer.from([0x80, 0xBF]), Buffer.from('"}')])
  ),
  fc.uint8Array({ maxLength: 64 }).map(bytes => Buffer.from(bytes))
)

export const contentType: fc.Arbitrary<string | undefined> = fc.constantFrom(
  'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json; charset=latin1', 'text/plain',
  'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'application/*', '', ';', undefined
)

/** Path segments for `:params`: percent-encoding edge cases, numbers that are not ids, poison keys. */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('%', '%zz', '%00', '%C0%AF', '%E0%80%AF', '%ED%A0%80', '%2e%2e', '..', '%2F', '-1', '0', '1e3', '0x10', '9'.repeat(30),
    '1.5', ' 1', '%20', '__proto__', 'constructor', 'prototype', 'openai', '70707', '%F0%9F%98%80', '%%', 'a%2Fb'),
  fc.string({ maxLength: 12 }).map(encodeURIComponent)
)

/** Query strings with malformed escapes, arrays, poison keys and values of the wrong type. */
export const hostileQuery: fc.Arbitrary<string> = fc.array(
  fc.tuple(
    fc.constantFrom('limit', 'before', 'from', 'to', 'groupBy', 'code', 'state', 'error', '__proto__', '__proto__[x]', 'constructor[prototype][x]', 'limit[]', '%', '%zz'),
    fc.oneof(hostileSegment, fc.constantFrom('', '2026-13-40', '2026-03-01T00:00:00Z', 'day', 'model', '1', '-5', '1000000'))
  ).map(([key, value]) => `${key}=${value}`),
  { maxLength: 4 }
).map(pairs => pairs.length === 0 ? '' : `?${pairs.join('&')}`)

/** An `Authorization` header: missing, right, wrong, malformed (printable ASCII only: that is all HTTP carries). */
export function authorization (adminToken: string): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    fc.constantFrom(undefined, `Bearer ${adminToken}`, `Bearer ${adminToken}x`, `bearer ${adminToken}`, `Bearer  ${adminToken}`, 'Bearer', 'Bearer ', `Basic ${Buffer.from(`admin:${adminToken}`).toString('base64')}`, adminToken),
    fc.stringMatching(/^[\x20-\x7e]{0,40}$/).map(text => `Bearer ${text}`)
  )
}

/**
 * A `Cookie` header around the admin page's session: missing, the live session, near misses, a made-up id of the right
 * shape, duplicates, bad escapes, and printable junk.
 */
export function sessionCookie (liveSessionId: string): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    fc.constantFrom(undefined, `llm_actions_session=${liveSessionId}`, `llm_actions_session=${liveSessionId}x`, 'llm_actions_session=', 'llm_actions_session',
      `llm_actions_session=${'A'.repeat(43)}`, `a=b; llm_actions_session=${liveSessionId}; llm_actions_session=x`, 'llm_actions_session=%zz%', '=;=;;', '__proto__=1; constructor=2'),
    fc.stringMatching(/^[\x20-\x7e]{0,60}$/).map(text => `llm_actions_session=${text}`)
  )
}

/** An `x-csrf-token` header: missing, the live session's, empty, forged, or printable junk. */
export function csrfToken (liveToken: string): fc.Arbitrary<string | undefined> {
  return fc.oneof(fc.constantFrom(undefined, liveToken, '', `${liveToken}x`, 'forged'), fc.stringMatching(/^[\x20-\x7e]{0,60}$/))
}

/** A fresh client address per request, so the admin-token limiter (10 wrong a minute) does not hide the routes. */
let addressSequence = 0
export function nextRemoteAddress (): string {
  addressSequence++
  return `10.${(addressSequence >> 16) & 255}.${(addressSequence >> 8) & 255}.${addressSequence & 255}`
}

/** Fills each `:param` of a route path with a hostile segment. */
export function fillParams (url: string, segments: readonly string[]): string {
  let index = 0
  return url.replace(/:[A-Za-z]+/g, () => segments[index++ % Math.max(1, segments.length)] ?? '1')
}
