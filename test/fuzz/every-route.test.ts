import fc from 'fast-check'
import t from 'tap'
import { TEST_ADMIN_TOKEN } from '../helpers/build-app.ts'
import { durableSetup } from '../helpers/durable-setup.ts'
import { authorization, checkAnswer, csrfToken, sessionCookie, contentType, enumerateRoutes, fillParams, fuzzSeed, hostileJsonText, hostileQuery, hostileSegment, invalidUtf8, nextRemoteAddress, runs, unexpectedErrors } from './fuzz-kit.ts'

// Every route the app serves (read from the app itself, so new routes are covered), with hostile path params,
// query strings, bodies, content types and admin tokens, the right one included.

t.test('a malformed escape in a path is answered with a catalogue code (found by this suite)', async t => {
  const setup = await durableSetup(t)
  const answer = await setup.app.inject({ url: '/api/portals/%/connections', headers: setup.admin })
  t.equal(answer.statusCode, 400)
  t.equal(answer.json().code, 'INVALID_INPUT')
})

t.test('every route under hostile paths, queries, bodies and tokens: no 5xx, catalogue codes, no internals', async t => {
  const seed = fuzzSeed()
  t.comment(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`)
  const setup = await durableSetup(t, { RATE_LIMIT_PER_PORTAL: '1000000' })
  const routes = enumerateRoutes(setup.app)
  t.ok(routes.some(route => route.url === '/api/portals/:portalId/connections/:provider' && route.method === 'PUT'), 'the route list is read from the app')
  t.ok(routes.some(route => route.url === '/oauth/callback'), 'OAuth routes included')
  t.comment(`${routes.length} routes: ${routes.map(route => `${route.method} ${route.url}`).join(', ')}`)

  // A live admin page session, so the cookie path is fuzzed past its first check too.
  const signIn = await setup.app.inject({ method: 'POST', url: '/session', payload: { token: TEST_ADMIN_TOKEN } })
  const liveSessionId = /llm_actions_session=([^;]+)/.exec(String(signIn.headers['set-cookie']))?.[1] ?? ''
  t.equal(liveSessionId.length, 43, 'signed in for the fuzz')

  const body = fc.oneof(fc.constant(undefined), hostileJsonText, invalidUtf8)
  const seen = new Map<number, number>()
  await fc.assert(fc.asyncProperty(
    fc.constantFrom(...routes), fc.array(hostileSegment, { minLength: 1, maxLength: 3 }), hostileQuery, body, contentType, authorization(TEST_ADMIN_TOKEN),
    sessionCookie(liveSessionId), csrfToken(signIn.json().csrfToken),
    async (route, segments, query, payload, type, token, cookie, csrf) => {
      const url = fillParams(route.url, segments) + query
      const headers: Record<string, string> = {}
      if (type !== undefined) headers['content-type'] = type
      if (token !== undefined) headers.authorization = token
      if (cookie !== undefined) headers.cookie = cookie
      if (csrf !== undefined) headers['x-csrf-token'] = csrf
      const withBody = payload !== undefined && route.method !== 'GET' && route.method !== 'HEAD'
      const answer = await setup.app.inject({ method: route.method as 'GET', url, headers, remoteAddress: nextRemoteAddress(), ...(withBody ? { payload } : {}) })
      seen.set(answer.statusCode, (seen.get(answer.statusCode) ?? 0) + 1)
      checkAnswer(route.method, answer)
    }), { seed, numRuns: runs(2500) })

  t.comment(`statuses seen: ${JSON.stringify(Object.fromEntries(seen))}`)
  t.ok([...seen.keys()].some(status => status < 300), 'some requests got through to a handler')
  t.same(unexpectedErrors(setup.logs), [], 'no unexpected error was logged')
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is untouched')
  const normal = await setup.execute(setup.body())
  t.equal(normal.json().outputFields.hs_execution_state, 'SUCCESS', 'a normal signed execution still succeeds')
})
