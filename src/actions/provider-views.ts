import type { LlmProvider, ProviderModel } from '../../providers/contract.ts'
import type { Model, Provider } from '../schemas/admin/providers.ts'

/** A provider model as the API shows it (the contract's readonly arrays copied into plain JSON). */
export function modelJson (model: ProviderModel): Model {
  const { temperatureRange, reasoningEfforts, ...capabilities } = model.capabilities
  return {
    id: model.id,
    label: model.label,
    capabilities: { ...capabilities, reasoningEfforts: [...reasoningEfforts], ...(temperatureRange === undefined ? {} : { temperatureRange: [...temperatureRange] }) },
    ...(model.deprecatedAfter === undefined ? {} : { deprecatedAfter: model.deprecatedAfter })
  }
}

/** An installed provider with its curated models, as the admin page offers it before any key is connected. */
export function providerJson (provider: LlmProvider): Provider {
  return {
    id: provider.id,
    label: provider.label,
    hosts: [...provider.hosts],
    requiresBaseUrl: provider.requiresBaseUrl === true,
    models: provider.models.map(modelJson)
  }
}
