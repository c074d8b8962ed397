import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'

/** The UI asks for nothing outside this service: its own scripts, styles and images, and the spec at ./json. */
const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'self'; form-action 'none'; frame-ancestors 'none'"

/**
 * `GET /docs` (the OpenAPI UI, assets served from @fastify/swagger-ui's own files) and `GET /docs/json`, admin only.
 *
 * The admin check is this scope's onRequest hook rather than swagger-ui's `uiHooks`: `uiHooks` reach the UI's own
 * routes but not the asset routes it registers through @fastify/static, and one hook here covers both. A browser
 * signed in to the admin page passes with its session cookie; API clients send the Bearer header.
 */
export default async function docsRoutes (fastify: FastifyInstance): Promise<void> {
  fastify.addHook('onRequest', fastify.requireAdmin)
  await fastify.register(swaggerUi, {
    routePrefix: '/docs',
    // false: the spec is not sent to validator.swagger.io (the UI's default badge would).
    validatorUrl: false,
    uiConfig: { deepLinking: true, docExpansion: 'list', persistAuthorization: false },
    staticCSP: DOCS_CSP
  })
}
