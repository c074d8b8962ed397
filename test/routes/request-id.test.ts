import t from 'tap'
import { buildApp } from '../helpers/build-app.ts'
import { isSafeRequestId } from '../../src/logger-options.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

t.test('isSafeRequestId takes 1 to 64 of [A-Za-z0-9._-] and nothing else', async t => {
  for (const good of ['a', 'abc-DEF_123.x', 'x'.repeat(64)]) t.ok(isSafeRequestId(good), good)
  for (const bad of ['', 'x'.repeat(65), 'a b', 'a\nb', 'é', 'a/b', 'Bearer token', 'a;b', '"a"']) t.notOk(isSafeRequestId(bad), JSON.stringify(bad))
  const start = performance.now()
  isSafeRequestId(`${'a'.repeat(100_000)}!`)
  t.ok(performance.now() - start < 50, 'a long value is refused in linear time')
})

t.test('every response carries x-request-id, and the log line the same id', async t => {
  const { app, logs, admin } = await buildApp(t)

  const echoed = await app.inject({ url: '/health', headers: { 'x-request-id': 'trace-0123.abc_DEF' } })
  t.equal(echoed.headers['x-request-id'], 'trace-0123.abc_DEF', 'a safe incoming id is kept')
  t.ok(logs.some(line => JSON.parse(line).reqId === 'trace-0123.abc_DEF'), 'and logged as reqId')

  for (const unsafe of ['has space', 'x'.repeat(65), 'a\u0007b', 'semi;colon']) {
    const replaced = await app.inject({ url: '/health', headers: { 'x-request-id': unsafe } })
    t.match(replaced.headers['x-request-id'], UUID, `${JSON.stringify(unsafe)} is replaced by a generated id`)
  }
  const generated = await app.inject({ url: '/health' })
  t.match(generated.headers['x-request-id'], UUID, 'generated without one')
  t.not((await app.inject({ url: '/health' })).headers['x-request-id'], generated.headers['x-request-id'], 'a new id per request')

  const cases = [
    { what: '401', request: { url: '/api/providers' }, status: 401 },
    { what: '404', request: { url: '/nowhere' }, status: 404 },
    { what: '400', request: { url: '/api/audit?from=nope', headers: admin }, status: 400 },
    { what: '503', request: { url: '/ready' }, status: 503, before: () => app.engine.stopAccepting() }
  ]
  for (const { what, request, status, before } of cases) {
    before?.()
    const response = await app.inject({ ...request, headers: { ...request.headers, 'x-request-id': `id-${what}` } })
    t.equal(response.statusCode, status, what)
    t.equal(response.headers['x-request-id'], `id-${what}`, `present on a ${what}`)
  }
})

t.test('a 500 carries it too', async t => {
  const { app } = await buildApp(t)
  await app.database.close()
  const response = await app.inject({ url: '/api/portals', headers: { authorization: 'Bearer test-admin-token-0123456789abcdef', 'x-request-id': 'id-500' } })
  t.ok(response.statusCode >= 500, String(response.statusCode))
  t.equal(response.headers['x-request-id'], 'id-500')
})
