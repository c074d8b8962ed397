import sensible from '@fastify/sensible'
import rateLimit from '@fastify/rate-limit'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import adminAuth from '../plugins/admin-auth.ts'
import clock from '../plugins/clock.ts'
import config from '../plugins/config/index.ts'
import database from '../plugins/database.ts'
import hubspotSignature from '../plugins/hubspot-signature/index.ts'
import keyCheck from '../plugins/key-check.ts'
import keyring from '../plugins/keyring/index.ts'
import metrics from '../plugins/metrics.ts'
import modelCatalogue from '../plugins/model-catalogue/index.ts'
import openapi from '../plugins/openapi.ts'
import prices from '../plugins/prices.ts'
import providerRegistry from '../plugins/provider-registry.ts'
import type { SetTimer } from '../plugins/timers.ts'
import requestLog from '../plugins/request-log.ts'
import shutdownConnections from '../plugins/shutdown-connections.ts'
import type { RegistryEntry } from '../providers/registry.ts'
import { ACTION_KEYS } from './actions/builtin-actions.ts'
import hubspot from './hubspot/plugin.ts'
import { errorHandler, notFoundHandler } from './error-handler.ts'
import executionEngine from './execution-engine.ts'
import adminRoutes from './routes/admin/index.ts'
import adminPageRoutes from './routes/admin-page/index.ts'
import docsRoutes from './routes/docs.ts'
import health from './routes/health.ts'
import metricsRoute from './routes/metrics.ts'
import hubspotRoutes from './routes/hubspot/index.ts'
import oauthRoutes from './routes/oauth/index.ts'
import { unionExplainingValidatorCompiler } from './schemas/union-validator.ts'

export interface AppOptions {
  /** The environment to read settings from; `process.env` when absent. Tests pass their own. */
  readonly environment?: Record<string, string | undefined>
  /** Providers registered after the built-ins and `LLM_PROVIDER_PACKAGES`. */
  readonly extraProviders?: readonly RegistryEntry[]
  /** The fetch given to providers and HubSpot clients (tests inject loopback-only ones). */
  readonly fetch?: typeof globalThis.fetch
  readonly clock?: () => number
  /** Runs the service's long waits (the completion queue's retries) on `clock`'s time; real timers when absent. */
  readonly setTimer?: SetTimer
  /** Sees every SQL statement the database runs (tests count round trips with it). */
  readonly databaseTrace?: (statement: string) => void
  /** Where the built admin page is; found beside the build when absent. */
  readonly adminPageDirectory?: string
}

/**
 * The whole service as one Fastify plugin: shared services first (each a named plugin decorating the
 * instance), then the encapsulated route groups, then one error format for everything. `server.ts` only starts
 * it; tests register it on a bare Fastify and call `inject()`.
 */
export default async function app (fastify: FastifyInstance, options: AppOptions): Promise<void> {
  await fastify.register(config, { environment: options.environment })
  fastify.log.level = fastify.config.logLevel
  // Every line names the instance that wrote it: request loggers and the engine's are children, made after this.
  ;(fastify.log as FastifyBaseLogger & Partial<Pick<Logger, 'setBindings'>>).setBindings?.({ instanceId: fastify.config.instanceId })
  // Before every route: the spec is collected from the routes as they are added.
  await fastify.register(openapi)
  await fastify.register(sensible)
  await fastify.register(requestLog)
  await fastify.register(shutdownConnections)
  await fastify.register(clock, { clock: options.clock, setTimer: options.setTimer })
  await fastify.register(database, { trace: options.databaseTrace })
  await fastify.register(keyring)
  await fastify.register(keyCheck)
  await fastify.register(hubspot, { fetch: options.fetch })
  await fastify.register(providerRegistry, { extraProviders: options.extraProviders, fetch: options.fetch })
  await fastify.register(modelCatalogue, { clock: options.clock })
  await fastify.register(prices)
  await fastify.register(metrics, { actionKeys: ACTION_KEYS })
  await fastify.register(executionEngine)
  await fastify.register(adminAuth)
  await fastify.register(hubspotSignature)
  await fastify.register(rateLimit, { global: false })

  // TypeBox checks bodies exactly (unknown properties refused, nothing coerced) and converts only params,
  // querystrings and headers, where everything arrives as text.
  fastify.setValidatorCompiler(unionExplainingValidatorCompiler)
  fastify.setErrorHandler(errorHandler)
  fastify.setNotFoundHandler(notFoundHandler)

  await fastify.register(health)
  await fastify.register(metricsRoute)
  await fastify.register(adminRoutes, { prefix: '/api' })
  await fastify.register(hubspotRoutes, { prefix: '/hubspot' })
  await fastify.register(oauthRoutes)
  await fastify.register(docsRoutes)
  await fastify.register(adminPageRoutes, { directory: options.adminPageDirectory })
}
