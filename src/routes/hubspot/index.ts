import type { FastifyInstance } from 'fastify'
import definitions from './definitions.ts'
import execute from './execute.ts'
import options from './options.ts'

/**
 * HubSpot-facing routes. Everything here is signed by HubSpot with the app's client secret: the signature is
 * checked over the bytes received before the body is even parsed, so a forged request costs no parsing and never
 * reaches a provider.
 */
export default async function hubspotRoutes (fastify: FastifyInstance): Promise<void> {
  await fastify.register(async signed => {
    signed.requireHubSpotSignature(signed)
    await signed.register(execute)
    await signed.register(options)
  })
  await fastify.register(definitions)
}
