import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createExecutionEngine, type ExecutionEngine } from './actions/engine/engine.ts'
import { findAction } from './actions/builtin-actions.ts'
import { actionContext } from './app-action-context.ts'
import { serviceManifest } from '../plugins/manifest.ts'

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
 * Wires the engine to the shared services, starts it once everything is loaded (the instance registers, takes over
 * unfinished work and keeps its leases), and on close lets running calls finish within SHUTDOWN_GRACE_MS (after the
 * HTTP server stopped taking requests), handing the rest back to the other instances or the next start.
 */
async function executionEngine (fastify: FastifyInstance): Promise<void> {
  const engine = createExecutionEngine({
    context: actionContext(fastify, fastify.log.child({ component: 'engine' })),
    resolvePlanFor: action => findAction(action)?.resolvePlan,
    readRecordProperties: fastify.hubspot.readRecordProperties,
    complete: fastify.hubspot.completeCallbacks,
    setTimer: fastify.setTimer,
    canComplete: async portalId => await fastify.repositories.oauth.findTokens(portalId) !== undefined,
    observe: fastify.metrics.observer,
    sharedDatabase: fastify.database.driver.dialect === 'postgres',
    version: serviceManifest().version
  })
  fastify.metrics.watchEngine(() => engine.load())
  // A budget changed through any instance is read again here at its next use; a lost feed forgets them all.
  const unsubscribe = fastify.database.driver.onChange(change => {
    if (change.topic === 'budget') engine.budgets.refresh(change.portalId)
    else if (change.topic === 'all') engine.budgets.refreshAll()
  })
  fastify.decorate('engine', engine)
  fastify.addHook('onReady', async () => { await engine.start() })
  fastify.addHook('preClose', async () => { engine.stopAccepting() })
  fastify.addHook('onClose', async () => {
    unsubscribe()
    await engine.close()
  })
}

export default fp(executionEngine, { name: 'execution-engine', dependencies: ['database', 'metrics', 'hubspot', 'provider-registry', 'model-catalogue', 'clock', 'config'], fastify: '5.x' })
