import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { listInstances } from '../../actions/instances.ts'
import { InstanceListSchema } from '../../schemas/admin/instances.ts'
import { ADMIN_ERRORS, errorResponses } from '../../schemas/error-responses.ts'

const instances: FastifyPluginAsyncTypebox = async fastify => {
  fastify.get('/instances', {
    schema: {
      summary: 'List the instances sharing this database (one on SQLite)',
      description: 'Each instance registers at start and writes a heartbeat every third of EXECUTION_LEASE_MS. Running ones are listed, and those that stopped or went silent in the last day.',
      tags: ['admin'],
      response: { 200: InstanceListSchema, ...errorResponses(...ADMIN_ERRORS) }
    }
  }, async () => ({ items: await listInstances(fastify.repositories.instances, fastify.clock(), fastify.config.executionLeaseMs) }))
}

export default instances
