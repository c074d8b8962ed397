import type { FastifyInstance } from 'fastify'
import assistants from './assistants.ts'
import audit from './audit.ts'
import budget from './budget.ts'
import connections from './connections.ts'
import economy from './economy.ts'
import executions from './executions.ts'
import instances from './instances.ts'
import invoke from './invoke.ts'
import portals from './portals.ts'
import providers from './providers.ts'
import usage from './usage.ts'

/** The admin API (contract §4): every route needs `Authorization: Bearer <ADMIN_TOKEN>`. */
export default async function adminRoutes (fastify: FastifyInstance): Promise<void> {
  fastify.addHook('onRequest', fastify.requireAdmin)
  await fastify.register(providers)
  await fastify.register(portals)
  await fastify.register(connections)
  await fastify.register(assistants)
  await fastify.register(executions)
  await fastify.register(budget)
  await fastify.register(usage)
  await fastify.register(economy)
  await fastify.register(invoke)
  await fastify.register(audit)
  await fastify.register(instances)
}
