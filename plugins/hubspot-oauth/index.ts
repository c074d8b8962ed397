import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createHubSpotOAuth, type HubSpotOAuth } from './hubspot-oauth.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * HubSpot OAuth of installed portals: the install, fresh access tokens, CRM record reads for prompt
     * placeholders and callback completion. Its methods do not use `this`, so they can be passed around unbound.
     */
    hubspotOAuth: HubSpotOAuth
  }
}

export interface HubSpotOAuthPluginOptions {
  /** The fetch every HubSpot call goes through; tests inject loopback-only ones. */
  readonly fetch?: typeof globalThis.fetch
}

async function hubspotOAuth (fastify: FastifyInstance, options: HubSpotOAuthPluginOptions): Promise<void> {
  fastify.decorate('hubspotOAuth', createHubSpotOAuth({
    settings: fastify.config,
    repositories: fastify.repositories,
    keyring: fastify.keyring,
    clock: fastify.clock,
    fetch: options.fetch ?? globalThis.fetch,
    log: fastify.log.child({ component: 'hubspot-oauth' })
  }))
}

export default fp(hubspotOAuth, { name: 'hubspot-oauth', dependencies: ['config', 'database', 'keyring', 'clock'], fastify: '5.x' })
