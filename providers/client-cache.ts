import { createHash } from 'node:crypto'
import type { ProviderCredentials } from './contract.ts'

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
