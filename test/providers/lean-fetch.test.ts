import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { createLeanFetch } from '../../providers/lean-fetch.ts'

/** The providers' default fetch keeps fetch's contract for what the SDKs use: a loopback server checks it. */

interface Seen { method: string, url: string, headers: IncomingMessage['headers'], body: string }

async function serve (t: Test, answer: (request: IncomingMessage, response: ServerResponse, body: string) => void) {
  const seen: Seen[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', chunk => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body })
      answer(request, response, body)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise(resolve => { server.closeAllConnections(); server.close(resolve) }))
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen }
}

const fetch = createLeanFetch()
const manual = { redirect: 'manual' } as const

t.test('sends method, headers and body; answers status, headers and body as a Response', async t => {
  const server = await serve(t, (_request, response, body) => {
    response.setHeader('set-cookie', ['a=1', 'b=2'])
    response.setHeader('x-request-id', 'abc')
    response.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ echoed: body }))
  })
  const response = await fetch(`${server.origin}/v1/things?x=1`, { ...manual, method: 'POST', headers: new Headers({ authorization: 'Bearer k', 'content-type': 'application/json' }), body: '{"a":1}' })
  t.ok(response instanceof Response)
  t.equal(response.status, 201)
  t.equal(response.ok, true)
  t.equal(response.headers.get('x-request-id'), 'abc')
  t.same(response.headers.getSetCookie(), ['a=1', 'b=2'])
  t.same(await response.json(), { echoed: '{"a":1}' })
  t.match(server.seen[0], { method: 'POST', url: '/v1/things?x=1', headers: { authorization: 'Bearer k', 'content-type': 'application/json' }, body: '{"a":1}' })
})

t.test('headers as a record or as pairs, bytes as a body, and a body-less 204', async t => {
  const server = await serve(t, (_request, response) => { response.writeHead(204).end() })
  const record = await fetch(server.origin, { ...manual, method: 'PUT', headers: { 'x-one': '1' }, body: new TextEncoder().encode('bytes') })
  t.equal(record.status, 204)
  t.equal(record.body, null)
  await fetch(server.origin, { ...manual, headers: [['x-two', '2']] })
  t.match(server.seen, [{ method: 'PUT', headers: { 'x-one': '1' }, body: 'bytes' }, { method: 'GET', headers: { 'x-two': '2' } }])
})

t.test('a redirect is answered as it is, never followed, with redirect: manual', async t => {
  const server = await serve(t, (_request, response) => { response.writeHead(302, { location: '/elsewhere' }).end() })
  const response = await fetch(server.origin, manual)
  t.equal(response.status, 302)
  t.equal(response.headers.get('location'), '/elsewhere')
  t.equal(server.seen.length, 1, 'nothing followed')
})

t.test('an abort rejects with the signal\'s reason, as fetch does', async t => {
  const server = await serve(t, () => { /* never answers */ })
  const controller = new AbortController()
  const reason = new DOMException('deadline', 'TimeoutError')
  setTimeout(() => controller.abort(reason), 50)
  await t.rejects(fetch(server.origin, { ...manual, signal: controller.signal }), reason)
  await t.rejects(fetch(server.origin, { ...manual, signal: controller.signal }), reason, 'an aborted signal rejects before sending')
})

t.test('a network failure rejects with TypeError("fetch failed") and the cause, as fetch does', async t => {
  const server = await serve(t, () => undefined)
  const closed = server.origin.replace(/:\d+$/, ':1')
  const error = await fetch(closed, manual).catch((caught: unknown) => caught)
  t.ok(error instanceof TypeError)
  t.equal((error as TypeError).message, 'fetch failed')
  t.match((error as { cause?: { code?: string } }).cause, { code: 'ECONNREFUSED' })
})

t.test('what it does not take itself goes to the platform fetch (which follows redirects when asked)', async t => {
  const server = await serve(t, (request, response) => {
    if (request.url === '/start') response.writeHead(302, { location: '/end' }).end()
    else response.writeHead(200).end('arrived')
  })
  const followed = await fetch(`${server.origin}/start`)
  t.equal(await followed.text(), 'arrived')
  const streamed = await fetch(`${server.origin}/end`, { ...manual, method: 'POST', body: new Blob(['blob']) })
  t.equal(streamed.status, 200)
  t.equal(server.seen.at(-1)?.body, 'blob')
})

t.test('a body is read up to maxBodyBytes: a chunked one within it whole, with its length declared; past it PROVIDER_REJECTED', async t => {
  const limited = createLeanFetch({ maxBodyBytes: 1000 })
  const server = await serve(t, (request, response) => {
    const size = Number(request.url?.slice(1))
    // Written in two parts with no declared length, so it goes chunked.
    response.writeHead(200, { 'content-type': 'text/plain' })
    response.write('x'.repeat(size - 1))
    response.end('y')
  })
  const within = await limited(`${server.origin}/1000`, manual)
  t.equal(within.headers.get('content-length'), '1000')
  t.equal((await within.text()).length, 1000)
  await t.rejects(limited(`${server.origin}/1001`, manual), { name: 'ProviderError', code: 'PROVIDER_REJECTED', message: /larger than 1000 bytes/ })
  const declared = await serve(t, (_request, response) => { response.writeHead(200, { 'content-length': '1001' }).end('z'.repeat(1001)) })
  await t.rejects(limited(declared.origin, manual), { code: 'PROVIDER_REJECTED' }, 'a declared length past the limit')
})
