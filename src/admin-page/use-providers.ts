/** The installed providers (GET /api/providers), and their labels by id for tables that name them. */

import { api } from './api.ts'
import type { Provider, ProviderList } from './api-types.ts'
import { useLoad, type Loaded } from './use-load.ts'

export function useProviders (): Loaded<Provider[]> {
  return useLoad(async () => (await api.get<ProviderList>('/api/providers')).items, [])
}

export function providerLabels (providers: readonly Provider[]): ReadonlyMap<string, string> {
  return new Map(providers.map(provider => [provider.id, provider.label]))
}

/** A provider's label, its id when it is not installed any more, or — for none. */
export function providerName (labels: ReadonlyMap<string, string>, provider: string | null): string {
  return provider === null ? '—' : labels.get(provider) ?? provider
}
