import type { FastifyInstance } from 'fastify'
import definitions from './definitions.ts'
import execute from './execute.ts'
import options from './options.ts'

/**
 * HubSpot-facing routes. Everything here is signed by HubSpot with the app's client secret: the raw body is kept
 * for the signature, which is checked before the body is even validated, so a forged request never reaches a
 * provider.
 */
export default async function hubspotRoutes (fastify: FastifyInstance): Promise<void> {
  await fastify.register(async signed => {
    signed.addHook('onRequest', signed.requireHubSpotConfigured)
    signed.keepRawJsonBody(signed)
    signed.addHook('preValidation', signed.verifyHubSpotSignature)
    await signed.register(execute)
    await signed.register(options)
  })
  await fastify.register(definitions)
}
