import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createExecutionEngine, type ExecutionEngine } from './actions/engine/engine.ts'
import { findAction } from './actions/builtin-actions.ts'
import { actionContext } from './routes/action-context.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The durable execution engine: claims, runs and answers executions, completes BLOCKed ones through HubSpot's
     * callback API, and resumes what a previous process left unfinished (at ready).
     */
    engine: ExecutionEngine
  }
}

/**
 * Wires the engine to the shared services, resumes unfinished executions once everything is loaded, and on close
 * lets running calls finish within SHUTDOWN_GRACE_MS (after the HTTP server stopped taking requests), leaving the
 * rest in the database for the next start.
 */
async function executionEngine (fastify: FastifyInstance): Promise<void> {
  const engine = createExecutionEngine({
    context: actionContext(fastify, fastify.log.child({ component: 'engine' })),
    resolvePlanFor: action => findAction(action)?.resolvePlan,
    readRecordProperties: fastify.hubspot.readRecordProperties,
    complete: fastify.hubspot.completeCallbacks,
    setTimer: fastify.setTimer,
    canComplete: async portalId => await fastify.repositories.oauth.findTokens(portalId) !== undefined,
    observe: fastify.metrics.observer
  })
  fastify.metrics.watchEngine(() => engine.load())
  fastify.decorate('engine', engine)
  fastify.addHook('onReady', async () => { await engine.resume() })
  fastify.addHook('preClose', async () => { engine.stopAccepting() })
  fastify.addHook('onClose', async () => { await engine.close() })
}

export default fp(executionEngine, { name: 'execution-engine', dependencies: ['database', 'metrics', 'hubspot', 'provider-registry', 'model-catalogue', 'clock', 'config'], fastify: '5.x' })
