import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { EconomyReportSchema } from '../../schemas/admin/economy.ts'
import { PortalParamsSchema } from '../../schemas/common.ts'
import { ADMIN_ERRORS, errorResponses } from '../../schemas/error-responses.ts'
import { portalEconomy } from '../../actions/economy-report.ts'

/** A portal's economy queue and batches (issue 21): read-only, so nothing is audited. */
const economy: FastifyPluginAsyncTypebox = async fastify => {
  fastify.get('/portals/:portalId/economy', {
    schema: {
      summary: 'The portal\'s economy queue, its provider batches (newest first) and this month\'s saving',
      description: '`queue` counts the unfinished economy executions by state; page back through `batches` with `before` = the previous answer\'s `next`.',
      tags: ['admin'],
      params: PortalParamsSchema,
      querystring: Type.Object({
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'batches per page, default 50' })),
        before: Type.Optional(Type.Integer({ minimum: 1, description: 'the `next` of the previous page' }))
      }),
      response: { 200: EconomyReportSchema, ...errorResponses('INVALID_INPUT', ...ADMIN_ERRORS, 'NOT_FOUND') }
    }
  }, async request => await portalEconomy(fastify.repositories, request.params.portalId, { limit: request.query.limit ?? 50, before: request.query.before }, fastify.clock()))
}

export default economy
