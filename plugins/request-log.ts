import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/** The header a request id arrives in (from a proxy, or a caller tracing its own calls) and is answered in. */
export const REQUEST_ID_HEADER = 'x-request-id'

/** What a route adds to its request's log line: a message of its own and fields (never a secret). */
export interface RequestLogLine {
  readonly message: string
  readonly details: Readonly<Record<string, unknown>>
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a route that has more to say than the method and status (an execution's outcome, say). */
    logLine: RequestLogLine | undefined
  }
}

/**
 * One log line per request, written when the response has gone: the method, the route (its pattern, never the
 * URL, whose query can carry an OAuth code), the status and the time taken, plus whatever the route put in
 * `request.logLine`. It replaces Fastify's two lines per request (see `requestLogController`), so an
 * execution costs one line at `info`.
 */
async function requestLog (fastify: FastifyInstance): Promise<void> {
  fastify.decorateRequest('logLine', undefined)
  // Set first thing, so every answer carries it: errors, 404s and refusals by later hooks included. The id is
  // either generated or checked safe by requestIdOptions, so it can go into a header as it is.
  fastify.addHook('onRequest', async (request, reply) => { reply.header(REQUEST_ID_HEADER, request.id) })
  fastify.addHook('onResponse', async (request, reply) => {
    const line = request.logLine
    request.log.info({
      ...line?.details,
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      statusCode: reply.statusCode,
      responseTimeMs: Math.round(reply.elapsedTime * 100) / 100
    }, line?.message ?? 'request completed')
  })
}

export default fp(requestLog, { name: 'request-log', fastify: '5.x' })
