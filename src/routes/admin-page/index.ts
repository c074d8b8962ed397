import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import staticFiles from '@fastify/static'
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { AppError } from '../../../plugins/errors.ts'
import { errorResponses } from '../../schemas/error-responses.ts'
import sessionRoutes from './session.ts'

/**
 * The page asks for nothing outside this service (it works offline): its own script and style only, no inline
 * code, and it may only be framed by nobody.
 */
export const ADMIN_PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

const PAGE_HEADERS = {
  'content-security-policy': ADMIN_PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // The files keep their names from build to build, so the browser revalidates (ETag) rather than caches blindly.
  'cache-control': 'no-cache',
  // Each file is sent as br, gzip or plain by the request's Accept-Encoding: a shared cache must key on it too, or it
  // hands brotli to a client that cannot read it.
  vary: 'Accept-Encoding'
}

/**
 * Where the built page is (src/admin-page/build.mjs writes it): `dist/admin-page` beside this module when it runs
 * compiled (`dist/src/routes/admin-page/`), or under the checkout's `dist/` when it runs from source (tests, `npm run dev`).
 */
export function builtPageDirectory (): string | undefined {
  const root = fileURLToPath(new URL('../../../', import.meta.url))
  return [`${root}admin-page`, `${root}dist/admin-page`].find(directory => existsSync(`${directory}/index.html`))
}

const AssetParamsSchema = Type.Object({
  name: Type.String({ pattern: '^[a-z0-9-]{1,64}\\.(js|css|svg)$', description: 'a file the page build wrote, e.g. app.js' })
})

/**
 * `GET /` (the admin page, contract §5), `GET /assets/:name` (its script, style and icon), and the session routes it
 * signs in with. Two declared routes over @fastify/static's `sendFile` rather than a route per file, so both are in
 * the API spec like every other route, and any other path stays the app's JSON 404.
 */
export default async function adminPageRoutes (fastify: FastifyInstance, options: { directory?: string }): Promise<void> {
  await fastify.register(sessionRoutes)
  const directory = options.directory ?? builtPageDirectory()
  const built = directory !== undefined && existsSync(`${directory}/index.html`)
  if (built) {
    await fastify.register(staticFiles, {
      root: directory,
      serve: false,
      // The build wrote .br and .gz beside each file: sent as they are when the browser takes them.
      preCompressed: true,
      dotfiles: 'deny',
      // PAGE_HEADERS says no-cache (revalidate by ETag) instead of the library's public, max-age=0.
      cacheControl: false,
      setHeaders: reply => { for (const [name, value] of Object.entries(PAGE_HEADERS)) reply.setHeader(name, value) }
    })
  } else {
    fastify.log.warn('the admin page is not built (no dist/admin-page/index.html): GET / answers 503 until "npm run build" runs')
  }

  fastify.get('/', {
    schema: {
      summary: 'The admin page',
      tags: ['page'],
      produces: ['text/html'],
      response: { 200: Type.String({ description: 'The page (HTML); its script signs in through /session' }), ...errorResponses('ADMIN_PAGE_NOT_BUILT') }
    }
  }, async (_request, reply) => {
    if (!built) throw new AppError('ADMIN_PAGE_NOT_BUILT')
    return reply.sendFile('index.html')
  })

  fastify.get<{ Params: Static<typeof AssetParamsSchema> }>('/assets/:name', {
    schema: {
      summary: 'The admin page\'s script, style and icon',
      tags: ['page'],
      params: AssetParamsSchema,
      response: { 200: Type.String({ description: 'The file, precompressed (br or gzip) when the browser accepts it' }), ...errorResponses('INVALID_INPUT', 'NOT_FOUND') }
    }
  }, async (request, reply) => {
    if (!built) throw new AppError('NOT_FOUND')
    return reply.sendFile(`assets/${request.params.name}`)
  })
}
