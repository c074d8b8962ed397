import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'

const health: FastifyPluginAsyncTypebox = async fastify => {
  /** Liveness: the process answers. */
  fastify.get('/health', { schema: { response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({ status: 'ok' as const }))

  /** Readiness: the database answers and every migration is applied. */
  fastify.get('/ready', {
    schema: { response: { 200: Type.Object({ status: Type.Literal('ready') }), 503: Type.Object({ status: Type.Literal('unavailable'), reason: Type.String() }) } }
  }, async (_request, reply) => fastify.database.ready()
    ? reply.send({ status: 'ready' as const })
    : reply.code(503).send({ status: 'unavailable' as const, reason: 'database unreachable or migrations pending' }))
}

export default health
