import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createModelCatalogue, type ModelCatalogue } from './model-catalogue.ts'

declare module 'fastify' {
  interface FastifyInstance {
    modelCatalogue: ModelCatalogue
  }
}

async function modelCatalogue (fastify: FastifyInstance, options: { clock?: () => number }): Promise<void> {
  const log = fastify.log.child({ component: 'model-catalogue' })
  fastify.decorate('modelCatalogue', createModelCatalogue({
    clock: options.clock ?? Date.now,
    onFetchError: (provider, error) => log.warn({ provider, code: (error as { code?: string }).code }, 'live model list unavailable; serving the cached or curated list')
  }))
}

export default fp(modelCatalogue, { name: 'model-catalogue', fastify: '5.x' })
