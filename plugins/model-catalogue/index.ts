import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createModelCatalogue, type ModelCatalogue } from './model-catalogue.ts'

declare module 'fastify' {
  interface FastifyInstance {
    modelCatalogue: ModelCatalogue
  }
}

/**
 * The catalogue, which forgets a connection's lists when any instance changes that connection. Lists are keyed by the
 * connection's key version, so changes missed while the feed was cut (`all`) cannot serve another key's list: they
 * are left to expire.
 */
async function modelCatalogue (fastify: FastifyInstance, options: { clock?: () => number }): Promise<void> {
  const log = fastify.log.child({ component: 'model-catalogue' })
  const catalogue = createModelCatalogue({
    clock: options.clock ?? Date.now,
    onFetchError: (provider, error) => log.warn({ provider, code: (error as { code?: string }).code }, 'live model list unavailable; serving the cached or curated list')
  })
  fastify.decorate('modelCatalogue', catalogue)
  const unsubscribe = fastify.database.driver.onChange(notice => {
    if (notice.topic === 'connection' && notice.provider !== undefined) catalogue.forget(notice.provider, String(notice.portalId))
  })
  fastify.addHook('onClose', async () => { unsubscribe() })
}

export default fp(modelCatalogue, { name: 'model-catalogue', dependencies: ['database'], fastify: '5.x' })
