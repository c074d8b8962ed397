import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import staticFiles from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import { AppError } from '../../../plugins/errors.ts'
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
  'cache-control': 'no-cache'
}

/**
 * Where the built page is (src/admin-page/build.mjs writes it): `dist/admin-page` beside this module when it runs
 * compiled (`dist/src/routes/admin-page/`), or under the checkout's `dist/` when it runs from source (tests, `npm run dev`).
 */
export function builtPageDirectory (): string | undefined {
  const root = fileURLToPath(new URL('../../../', import.meta.url))
  return [`${root}admin-page`, `${root}dist/admin-page`].find(directory => existsSync(`${directory}/index.html`))
}

/** `GET /` (the admin page, contract §5), its assets, and the session routes it signs in with. */
export default async function adminPageRoutes (fastify: FastifyInstance, options: { directory?: string }): Promise<void> {
  await fastify.register(sessionRoutes)
  const directory = options.directory ?? builtPageDirectory()
  if (directory === undefined || !existsSync(`${directory}/index.html`)) {
    fastify.log.warn('the admin page is not built (no dist/admin-page/index.html): GET / answers 503 until "npm run build" runs')
    fastify.get('/', { schema: { hide: true } }, async () => { throw new AppError('ADMIN_PAGE_NOT_BUILT') })
    return
  }
  await fastify.register(staticFiles, {
    root: directory,
    prefix: '/',
    // Routes for the files there at start only: every other path stays the app's JSON 404.
    wildcard: false,
    preCompressed: true,
    index: ['index.html'],
    dotfiles: 'deny',
    setHeaders: reply => { for (const [name, value] of Object.entries(PAGE_HEADERS)) reply.setHeader(name, value) }
  })
}
