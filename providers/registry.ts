import { withAnswerLimit, withResultsLimit } from './answer-limit.ts'
import { PROVIDER_SPEC_VERSION, type LlmProvider, type ProviderContext, type ProviderDefinition } from './contract.ts'
import { withoutRedirects } from './no-redirects.ts'

export class ProviderRegistrationError extends Error {
  constructor (origin: string, problem: string) {
    super(`provider ${origin}: ${problem}`)
    this.name = 'ProviderRegistrationError'
  }
}

export interface ProviderRegistry {
  /** Undefined when no provider has that id. */
  find (id: string): LlmProvider | undefined
  list (): readonly LlmProvider[]
}

export interface RegistryEntry {
  /** The module's default export, unchecked. */
  readonly definition: unknown
  /** Where it came from, for error messages: `built-in openai`, `package hubspot-llm-provider-x`. */
  readonly origin: string
}

/** What a provider id must look like: it is stored in the database and sent by HubSpot. */
export const PROVIDER_ID_PATTERN = /^[a-z][a-z0-9-]{0,39}$/
const IMPLEMENTATION_METHODS = ['capabilities', 'validateKey', 'listModels', 'invoke'] as const

/**
 * Builds every provider once and refuses, at boot and naming the module, anything that does not keep the
 * contract: another spec version, a bad or duplicate id, a missing method. Built-ins go through the same checks
 * as third-party packages. Every provider's fetch refuses redirects and stops reading an answer at a byte limit,
 * whoever supplied it (see `no-redirects.ts`, `answer-limit.ts`); its results fetch refuses redirects too, and holds
 * each line of a batch's results to that limit.
 */
export function createProviderRegistry (entries: readonly RegistryEntry[], contextFor: (id: string) => ProviderContext): ProviderRegistry {
  const providers = new Map<string, LlmProvider>()
  for (const { definition, origin } of entries) {
    const checked = checkDefinition(definition, origin)
    if (providers.has(checked.id)) throw new ProviderRegistrationError(origin, `id "${checked.id}" is already registered`)
    const context = contextFor(checked.id)
    const implementation = checked.create({
      ...context,
      fetch: withAnswerLimit(withoutRedirects(context.fetch)),
      resultsFetch: withResultsLimit(withoutRedirects(context.resultsFetch ?? context.fetch))
    }) as unknown as Record<string, unknown>
    if (typeof implementation !== 'object' || implementation === null) throw new ProviderRegistrationError(origin, 'create() must return an object')
    for (const method of IMPLEMENTATION_METHODS) {
      if (typeof implementation[method] !== 'function') throw new ProviderRegistrationError(origin, `create() result has no ${method}() method`)
    }
    if (!Array.isArray(implementation.models)) throw new ProviderRegistrationError(origin, 'create() result has no models array')
    const { create, ...metadata } = checked
    providers.set(checked.id, Object.freeze({ ...implementation, ...metadata }) as unknown as LlmProvider)
  }
  return {
    find: id => providers.get(id),
    list: () => [...providers.values()]
  }
}

function checkDefinition (value: unknown, origin: string): ProviderDefinition {
  if (typeof value !== 'object' || value === null) throw new ProviderRegistrationError(origin, 'the default export must be made with defineProvider()')
  const definition = value as Partial<Record<keyof ProviderDefinition, unknown>>
  if (definition.specificationVersion !== PROVIDER_SPEC_VERSION) {
    throw new ProviderRegistrationError(origin, `written for contract version ${String(definition.specificationVersion)}, this service speaks version ${PROVIDER_SPEC_VERSION}`)
  }
  if (typeof definition.id !== 'string' || !PROVIDER_ID_PATTERN.test(definition.id)) {
    throw new ProviderRegistrationError(origin, 'id must be lowercase letters, digits and dashes, starting with a letter')
  }
  if (typeof definition.label !== 'string' || definition.label.trim() === '') throw new ProviderRegistrationError(origin, 'label is missing')
  if (!Array.isArray(definition.hosts) || !definition.hosts.every(host => typeof host === 'string' && host !== '')) {
    throw new ProviderRegistrationError(origin, 'hosts must list the host names the provider may reach')
  }
  if (definition.hosts.length === 0 && definition.requiresBaseUrl !== true) {
    throw new ProviderRegistrationError(origin, 'hosts is empty, so requiresBaseUrl must be true')
  }
  if (typeof definition.create !== 'function') throw new ProviderRegistrationError(origin, 'create() is missing')
  return definition as ProviderDefinition
}
