import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { ActionContext } from './actions/action-context.ts'

/**
 * The decorated services, handed to actions as plain collaborators: the one bridge from the Fastify instance to
 * src/actions, used by the routes and by the engine's wiring (both sit above actions; neither imports the other).
 */
export function actionContext (fastify: FastifyInstance, log: FastifyBaseLogger = fastify.log): ActionContext {
  return {
    settings: fastify.config,
    repositories: fastify.repositories,
    keyring: fastify.keyring,
    providers: fastify.providers,
    modelCatalogue: fastify.modelCatalogue,
    prices: fastify.prices,
    clock: fastify.clock,
    log
  }
}
