import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

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
