import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../errors.ts'
import { verifyHubSpotSignature } from './verify-signature.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: HubSpot routes answer 503 HUBSPOT_NOT_CONFIGURED while no client secret is set. */
    requireHubSpotConfigured: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /** preValidation hook: refuses a request whose HubSpot signature does not verify over its raw body. */
    verifyHubSpotSignature: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
    /** Keeps the raw JSON body on `request.rawBody` in the scope it is called on (signatures need the exact bytes). */
    keepRawJsonBody: (scope: FastifyInstance) => void
  }
  interface FastifyRequest {
    rawBody?: string
  }
}

async function hubspotSignature (fastify: FastifyInstance): Promise<void> {
  const { clientSecret } = fastify.config.hubspot
  const publicUrl = fastify.config.publicUrl

  fastify.decorate('requireHubSpotConfigured', async () => {
    if (clientSecret === undefined) throw new AppError('HUBSPOT_NOT_CONFIGURED')
  })

  fastify.decorate('verifyHubSpotSignature', async (request: FastifyRequest) => {
    if (clientSecret === undefined) throw new AppError('HUBSPOT_NOT_CONFIGURED')
    const verdict = verifyHubSpotSignature({
      method: request.method,
      uri: publicUrl + request.url,
      rawBody: request.rawBody ?? '',
      headers: request.headers
    }, clientSecret)
    if (!verdict.valid) {
      request.log.warn({ reason: verdict.reason }, 'refused a HubSpot request with a bad signature')
      throw new AppError('INVALID_SIGNATURE')
    }
  })

  fastify.decorate('keepRawJsonBody', (scope: FastifyInstance) => {
    scope.removeContentTypeParser('application/json')
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      request.rawBody = body as string
      try {
        done(null, body === '' ? undefined : JSON.parse(body as string))
      } catch {
        done(new AppError('INVALID_INPUT', 'The body is not valid JSON.'), undefined)
      }
    })
  })
}

export default fp(hubspotSignature, { name: 'hubspot-signature', dependencies: ['config'], fastify: '5.x' })
