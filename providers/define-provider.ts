import { PROVIDER_SPEC_VERSION, type ProviderDefinition } from './contract.ts'

/**
 * Declares a provider module's default export:
 *
 * ```ts
 * export default defineProvider({ id: 'mistral', label: 'Mistral', hosts: ['api.mistral.ai'], create: (context) => ({ … }) })
 * ```
 *
 * It stamps the contract version the module was written against, so the registry can refuse a module built for
 * another version with a clear message instead of failing at its first call.
 */
export function defineProvider (definition: Omit<ProviderDefinition, 'specificationVersion'>): ProviderDefinition {
  return { ...definition, specificationVersion: PROVIDER_SPEC_VERSION }
}
