import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createHubSpotClient, type HubSpotClient } from './index.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The one HubSpot client: OAuth install and tokens, CRM record reads for prompt placeholders, callback
     * completion and action definitions. Its methods do not use `this`, so they can be passed around unbound.
     */
    hubspot: HubSpotClient
  }
}

export interface HubSpotPluginOptions {
  /** The fetch every HubSpot call goes through; tests inject loopback-only ones. */
  readonly fetch?: typeof globalThis.fetch
}

async function hubspot (fastify: FastifyInstance, options: HubSpotPluginOptions): Promise<void> {
  fastify.decorate('hubspot', createHubSpotClient({
    settings: fastify.config,
    repositories: fastify.repositories,
    keyring: fastify.keyring,
    clock: fastify.clock,
    fetch: options.fetch ?? globalThis.fetch,
    log: fastify.log.child({ component: 'hubspot' })
  }))
}

export default fp(hubspot, { name: 'hubspot', dependencies: ['config', 'database', 'keyring', 'clock'], fastify: '5.x' })
