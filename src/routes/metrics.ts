import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errorResponses } from '../schemas/error-responses.ts'

/**
 * `GET /metrics`: the Prometheus text format (contract §5). Behind METRICS_TOKEN when it is set; open otherwise,
 * for a scraper on a private network (the text holds no portal id, callback id or prompt either way).
 */
const metricsRoute: FastifyPluginAsyncTypebox = async fastify => {
  fastify.get('/metrics', {
    onRequest: fastify.metrics.requireToken,
    schema: {
      summary: 'Prometheus metrics of this instance',
      description: 'The text exposition format. Needs `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set; open otherwise.',
      tags: ['operations'],
      response: { 200: Type.String({ description: 'Prometheus text exposition format' }), ...errorResponses('UNAUTHORIZED') }
    }
  }, async (_request, reply) => reply.type(fastify.metrics.contentType).send(await fastify.metrics.scrape()))
}

export default metricsRoute
