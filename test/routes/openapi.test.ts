import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import t from 'tap'
import app from '../../src/app.ts'
import { OPENAPI_TAGS } from '../../plugins/openapi.ts'
import { TEST_ADMIN_TOKEN, TEST_PUBLIC_URL, testEnvironment } from '../helpers/build-app.ts'

interface Operation {
  summary?: string
  tags?: string[]
  responses?: Record<string, { description?: string, content?: Record<string, MediaType> }>
  requestBody?: { content?: Record<string, MediaType> }
}
/** @fastify/swagger moves a schema's `examples` here: one as `example`, several as `examples`. */
interface MediaType { example?: unknown, examples?: Record<string, unknown> }
interface Spec {
  openapi: string
  info: { title: string, version: string }
  servers: Array<{ url: string }>
  components: { securitySchemes: Record<string, { type: string, scheme?: string, in?: string }> }
  paths: Record<string, Record<string, Operation>>
}

const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head']

/** The real app as server.ts builds it, with every route Fastify registers seen by an onRoute hook added first. */
async function bootWithRoutes (test: { teardown (fn: () => unknown): void }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'llm-actions-openapi-'))
  const routes: RouteOptions[] = []
  const fastify = Fastify()
  fastify.addHook('onRoute', route => { routes.push(route) })
  await fastify.register(fp(app), { environment: testEnvironment(dataDir) })
  await fastify.ready()
  test.teardown(async () => {
    await fastify.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  return { fastify, routes }
}

/** OpenAPI writes `/a/:id` as `/a/{id}`. */
const openapiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')

/** The UI's own page, spec and asset routes are the only routes meant to stay out of the spec. */
const isDocsRoute = (url: string) => url === '/docs' || url.startsWith('/docs/')

const hasExample = (media: MediaType | undefined) => media?.example !== undefined || Object.keys(media?.examples ?? {}).length > 0

const methodsOf = (route: RouteOptions) => [route.method].flat().map(method => method.toLowerCase())

t.test('the spec is OpenAPI 3.1 and documents every route with a summary, tag, responses and errors', async t => {
  const { fastify, routes } = await bootWithRoutes(t)
  const response = await fastify.inject({ url: '/docs/json', headers: admin })
  t.equal(response.statusCode, 200)
  const spec = response.json<Spec>()

  t.match(spec.openapi, /^3\.1\.\d+$/)
  t.equal(spec.info.title, 'hubspot-llm-actions')
  t.match(spec.info.version, /^\d+\.\d+\.\d+/)
  t.same(spec.servers, [{ url: TEST_PUBLIC_URL }])
  t.match(spec.components.securitySchemes, { adminToken: { type: 'http', scheme: 'bearer' }, hubspotSignature: { type: 'apiKey', in: 'header' } })
  t.ok(Object.keys(spec.paths).length > 0)

  const tagNames: readonly string[] = OPENAPI_TAGS.map(tag => tag.name)
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(item).filter(([key]) => METHODS.includes(key))) {
      const name = `${method.toUpperCase()} ${path}`
      t.ok(operation.summary !== undefined && operation.summary.length > 0, `${name} has a summary`)
      t.ok(operation.tags?.length === 1 && tagNames.includes(operation.tags[0] ?? ''), `${name} has one known tag`)
      const responses = Object.entries(operation.responses ?? {})
      t.ok(responses.some(([status]) => /^2\d\d$/.test(status) || status === '302'), `${name} documents its success`)
      for (const [status, answer] of responses) {
        t.ok(answer.description !== undefined && answer.description !== '', `${name} ${status} has a description`)
        if (Number(status) >= 400 && path !== '/ready') t.match(answer.description, /^[A-Z_]+: /, `${name} ${status} lists its error codes`)
      }
      if (path.startsWith('/api/') || path.startsWith('/hubspot/actions/')) {
        t.ok(responses.some(([status]) => status === '401'), `${name} documents its 401`)
      }
    }
  }

  // The key check: a route Fastify serves that the spec leaves out, or that has no response schema, fails here.
  const served = routes.filter(route => !isDocsRoute(route.url))
  t.ok(served.length > 0)
  for (const route of served) {
    for (const method of methodsOf(route).filter(method => method !== 'head')) {
      const name = `${method.toUpperCase()} ${route.url}`
      t.ok(route.schema?.response !== undefined, `${name} has a response schema`)
      t.ok(spec.paths[openapiPath(route.url)]?.[method] !== undefined, `${name} is in the spec`)
    }
  }
})

t.test('request bodies and admin successes carry examples', async t => {
  const { fastify } = await bootWithRoutes(t)
  const spec = (await fastify.inject({ url: '/docs/json', headers: admin })).json<Spec>()
  const operations = Object.entries(spec.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })))
  for (const { name, operation } of operations) {
    const body = operation.requestBody?.content?.['application/json']
    if (body !== undefined) t.ok(hasExample(body), `${name} body has an example`)
  }
  const examplesOf = (path: string, method: string, status: string) => hasExample(spec.paths[path]?.[method]?.responses?.[status]?.content?.['application/json'])
  t.ok(examplesOf('/api/portals/{portalId}/budget', 'get', '200'), 'the budget has an example')
  t.ok(examplesOf('/api/portals/{portalId}/invoke', 'post', '200'), 'invoke has an example')
  t.ok(examplesOf('/api/portals/{portalId}/connections/{provider}', 'put', '422'), 'errors have an example')
})

t.test('/docs and its assets need the admin token', async t => {
  const { fastify, routes } = await bootWithRoutes(t)
  for (const url of ['/docs', '/docs/json', '/docs/yaml', '/docs/static/swagger-ui-bundle.js', '/docs/static/swagger-initializer.js']) {
    const anonymous = await fastify.inject({ url })
    t.equal(anonymous.statusCode, 401, `${url} without a token`)
    t.equal(anonymous.json().code, 'UNAUTHORIZED')
    const wrong = await fastify.inject({ url, headers: { authorization: 'Bearer not-the-token' } })
    t.equal(wrong.statusCode, 401, `${url} with a wrong token`)
  }
  t.ok(routes.some(route => route.url === '/docs/static/*'), 'the assets are served by the package')
})

t.test('the UI page only loads assets from this service', async t => {
  const { fastify } = await bootWithRoutes(t)
  const page = await fastify.inject({ url: '/docs', headers: admin })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.headers['content-security-policy'], /default-src 'none'/)
  t.match(page.headers['content-security-policy'], /script-src 'self'(;|$)/)
  const references = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map(match => match[1] ?? '')
  t.ok(references.length >= 3, 'the page references its scripts and styles')
  for (const reference of references) {
    t.notMatch(reference, /^(https?:)?\/\//, `${reference} is local`)
    const asset = await fastify.inject({ url: new URL(reference, 'http://local/docs').pathname, headers: admin })
    t.equal(asset.statusCode, 200, `${reference} is served`)
  }
  const initializer = await fastify.inject({ url: '/docs/static/swagger-initializer.js', headers: admin })
  // Comments may cite web pages; only code could make the browser fetch from another host.
  const code = initializer.body.split('\n').filter(line => !line.trim().startsWith('//')).join('\n')
  t.notMatch(code, /https?:\/\//, 'the initializer names no other host (no validator badge)')
  t.match(code, /validatorUrl: null/)
})
