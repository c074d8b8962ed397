import swagger from '@fastify/swagger'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { serviceManifest } from './manifest.ts'

/** The tags every documented route carries one of; the test checks routes against this list. */
export const OPENAPI_TAGS = [
  { name: 'hubspot', description: 'Called by HubSpot: signed with the app\'s client secret (X-HubSpot-Signature-v3)' },
  { name: 'admin', description: 'The admin API: `Authorization: Bearer <ADMIN_TOKEN>`, or the admin page\'s session cookie with `x-csrf-token` on changes' },
  { name: 'page', description: 'The admin page itself, served by the service (no internet needed)' },
  { name: 'session', description: 'The admin page\'s sign-in: the admin token traded for an HttpOnly session cookie' },
  { name: 'oauth', description: 'The HubSpot app install, opened in a person\'s browser' },
  { name: 'operations', description: 'Health, readiness and metrics for whoever runs the service' }
] as const

/**
 * OpenAPI 3.1 built from the route schemas. It collects routes in an onRoute hook, so it must be registered before
 * any route; the document is served by the docs routes (src/routes/docs.ts).
 */
async function openapi (fastify: FastifyInstance): Promise<void> {
  const manifest = serviceManifest()
  await fastify.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: manifest.name,
        version: manifest.version,
        description: 'HubSpot custom workflow actions backed by LLM providers. Errors are `{statusCode, code, error, message}` with a stable `code`.'
      },
      servers: [{ url: fastify.config.publicUrl }],
      tags: OPENAPI_TAGS.map(tag => ({ ...tag })),
      components: {
        securitySchemes: {
          adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN (generated into data/secrets.json on first start)' },
          hubspotSignature: {
            type: 'apiKey',
            in: 'header',
            name: 'X-HubSpot-Signature-v3',
            description: 'HMAC-SHA256 of method, URL, body and X-HubSpot-Request-Timestamp with the app\'s client secret (base64); HubSpot computes it'
          }
        }
      }
    },
    // Security follows the route's group, so no route file has to repeat it.
    transform: ({ schema, url }) => {
      const security = url.startsWith('/api/')
        ? [{ adminToken: [] }]
        : url.startsWith('/hubspot/actions/') ? [{ hubspotSignature: [] }] : undefined
      return { schema: security === undefined || schema === undefined ? schema : { ...schema, security }, url }
    }
  })
}

export default fp(openapi, { name: 'openapi', dependencies: ['config'], fastify: '5.x' })
