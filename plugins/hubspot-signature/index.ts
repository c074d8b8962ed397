import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../errors.ts'
import { verifyHubSpotSignature } from './verify-signature.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Makes every route of `scope` (an encapsulated one) HubSpot-signed: 503 HUBSPOT_NOT_CONFIGURED while no client
     * secret is set; the body kept as the bytes received, never parsed before the signature over those bytes
     * verifies (401 INVALID_SIGNATURE otherwise, a request without a body included); then parsed as JSON into
     * `request.body` (400 INVALID_INPUT when it is not JSON), before schema validation. The body limit still applies.
     */
    requireHubSpotSignature: (scope: FastifyInstance) => void
  }
  interface FastifyRequest {
    /** On HubSpot-signed routes: the body exactly as received, undefined when the request had none. */
    rawBody?: Buffer
  }
}

/** Fastify's own JSON parser (with its prototype-poisoning protection), in the callback form it comes in. */
type JsonParser = (request: FastifyRequest, body: string, done: (error: Error | null, value?: unknown) => void) => void

const NOT_JSON = 'The body is not valid JSON.'

async function hubspotSignature (fastify: FastifyInstance): Promise<void> {
  const { clientSecret, acceptV2Signatures } = fastify.config.hubspot
  const publicUrl = fastify.config.publicUrl
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig
  const jsonParser = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error') as JsonParser
  // Strict: HubSpot sends UTF-8, and bytes that are not UTF-8 must not be read as some other text.
  const utf8 = new TextDecoder('utf-8', { fatal: true })

  const parseJson = (request: FastifyRequest, rawBody: Buffer): Promise<unknown> => {
    const mediaType = String(request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
    if (mediaType !== 'application/json') throw new AppError('INVALID_INPUT', 'Send JSON with Content-Type: application/json.')
    let text: string
    try {
      text = utf8.decode(rawBody)
    } catch {
      throw new AppError('INVALID_INPUT', NOT_JSON)
    }
    return new Promise((resolve, reject) => {
      jsonParser(request, text, (error, value) => { error === null ? resolve(value) : reject(new AppError('INVALID_INPUT', NOT_JSON)) })
    })
  }

  const refuse = (request: FastifyRequest, verdict: { readonly reason: string, readonly message?: string }): never => {
    request.log.warn({ reason: verdict.reason }, 'refused a HubSpot request with a bad signature')
    throw new AppError('INVALID_SIGNATURE', verdict.message)
  }

  fastify.decorate('requireHubSpotSignature', (scope: FastifyInstance) => {
    scope.addHook('onRequest', async () => {
      if (clientSecret === undefined) throw new AppError('HUBSPOT_NOT_CONFIGURED')
    })

    // Every content type is only collected, never parsed: parsing waits for the signature (an unsigned megabyte
    // of nested JSON costs nothing), and a body of any type is signed over its own bytes.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
      request.rawBody = body as Buffer
      done(null, undefined)
    })

    scope.addHook('preValidation', async request => {
      if (clientSecret === undefined) throw new AppError('HUBSPOT_NOT_CONFIGURED')
      const rawBody = request.rawBody
      // Nothing was received, so nothing was signed: no body never stands in for an empty one.
      if (rawBody === undefined) return refuse(request, { reason: 'the request has no body to check the signature over' })
      const verdict = verifyHubSpotSignature({ method: request.method, uri: publicUrl + request.url, rawBody, headers: request.headers }, clientSecret, { acceptV2Signatures })
      if (!verdict.valid) return refuse(request, verdict)
      request.body = await parseJson(request, rawBody)
    })
  })
}

export default fp(hubspotSignature, { name: 'hubspot-signature', dependencies: ['config'], fastify: '5.x' })
