import { createHash } from 'node:crypto'
import type { ProviderCredentials } from './contract.ts'
import { ProviderError } from './errors.ts'

/**
 * One SDK client per key and base URL, reused across calls (SDK clients hold connection pools; building one per
 * request wastes them). Keyed by a hash so the map never holds a key as its index; least recently used goes first.
 */
export function createClientCache<Client> (build: (credentials: ProviderCredentials) => Client, capacity = 500) {
  const clients = new Map<string, Client>()
  return (credentials: ProviderCredentials): Client => {
    const id = createHash('sha256').update(credentials.apiKey).update('\0').update(credentials.baseUrl ?? '').digest('base64url')
    const cached = clients.get(id)
    if (cached !== undefined) {
      clients.delete(id)
      clients.set(id, cached)
      return cached
    }
    const client = build(credentials)
    clients.set(id, client)
    if (clients.size > capacity) clients.delete(clients.keys().next().value as string)
    return client
  }
}

/**
 * The same cache for an SDK loaded on first use (see `lazy-module.ts`): the SDK is awaited, then clients are built
 * and reused exactly as above. An SDK that cannot be loaded fails the call as PROVIDER_UNAVAILABLE, so callers see
 * only ProviderErrors, and the service's retries give the import another try.
 */
export function createLazyClientCache<Sdk, Client> (
  loadSdk: () => Promise<Sdk>,
  build: (sdk: Sdk, credentials: ProviderCredentials) => Client,
  capacity = 500
) {
  let clientFor: ((credentials: ProviderCredentials) => Client) | undefined
  return async (credentials: ProviderCredentials): Promise<Client> => {
    const sdk = await loadOrUnavailable(loadSdk)
    clientFor ??= createClientCache(uncached => build(sdk, uncached), capacity)
    return clientFor(credentials)
  }
}

async function loadOrUnavailable<Sdk> (loadSdk: () => Promise<Sdk>): Promise<Sdk> {
  try {
    return await loadSdk()
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new ProviderError('PROVIDER_UNAVAILABLE', `The provider's SDK could not be loaded: ${reason}`, { cause: error })
  }
}
