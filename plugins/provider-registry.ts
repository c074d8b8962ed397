import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { BUILTIN_PROVIDERS } from '../providers/builtin.ts'
import { createLeanFetch } from '../providers/lean-fetch.ts'
import { loadProviderPackages } from '../providers/load-providers.ts'
import { createProviderRegistry, type ProviderRegistry, type RegistryEntry } from '../providers/registry.ts'

declare module 'fastify' {
  interface FastifyInstance {
    providers: ProviderRegistry
  }
}

export interface ProviderRegistryOptions {
  /** Extra providers registered after the built-ins and packages (tests, embedding applications). */
  readonly extraProviders?: readonly RegistryEntry[]
  /** The fetch every provider is given (`createLeanFetch()` when absent, and the platform's for batch results); tests inject one. */
  readonly fetch?: typeof globalThis.fetch
}

/** Built-ins, then `LLM_PROVIDER_PACKAGES`, all through the same checks; a bad module stops the boot naming it. */
async function providerRegistry (fastify: FastifyInstance, options: ProviderRegistryOptions): Promise<void> {
  const packages = await loadProviderPackages(fastify.config.providerPackages, { cwd: process.cwd() })
  const entries: RegistryEntry[] = [
    ...BUILTIN_PROVIDERS.map(definition => ({ definition, origin: `built-in ${definition.id}` })),
    ...packages,
    ...(options.extraProviders ?? [])
  ]
  const fetch = options.fetch ?? createLeanFetch()
  // The lean fetch reads a body whole before answering; a batch's results are read as a stream, so they go through
  // the platform's fetch. An injected fetch serves both.
  const resultsFetch = options.fetch ?? globalThis.fetch
  const registry = createProviderRegistry(entries, id => ({
    fetch,
    resultsFetch,
    baseUrl: fastify.config.providerBaseUrls[id],
    timeoutMs: fastify.config.providerTimeoutMs,
    log: fastify.log.child({ provider: id })
  }))
  fastify.decorate('providers', registry)
  fastify.log.info({ providers: registry.list().map(provider => provider.id) }, 'providers registered')
}

export default fp(providerRegistry, { name: 'provider-registry', dependencies: ['config'], fastify: '5.x' })
