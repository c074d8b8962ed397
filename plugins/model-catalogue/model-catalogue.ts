import type { LlmProvider, ProviderCredentials, ProviderModel } from '../../providers/contract.ts'

export interface ModelList {
  readonly models: readonly ProviderModel[]
  /** `live`: fetched now or within the TTL; `stale`: the last live list, kept through an outage; `curated`: the provider's own table. */
  readonly source: 'live' | 'stale' | 'curated'
  readonly fetchedAt?: number
}

export interface ModelCatalogueOptions {
  readonly clock: () => number
  /** How long a live list is served before it is fetched again. */
  readonly ttlMs?: number
  /** After a failed fetch, how long to wait before trying the vendor again. */
  readonly retryAfterFailureMs?: number
  readonly timeoutMs?: number
  readonly onFetchError?: (provider: string, error: unknown) => void
}

interface Entry {
  list?: { models: readonly ProviderModel[], fetchedAt: number }
  failedAt?: number
  inFlight?: Promise<void>
}

/**
 * Live model lists per connection, cached so HubSpot's option fetches answer in milliseconds. A vendor outage
 * serves the last live list, and only without one the provider's curated table. Concurrent requests for one
 * list share a single fetch. `version` identifies the connection's key (a switched key fetches anew).
 */
export function createModelCatalogue (options: ModelCatalogueOptions) {
  const ttlMs = options.ttlMs ?? 10 * 60 * 1000
  const retryAfterFailureMs = options.retryAfterFailureMs ?? 60 * 1000
  const timeoutMs = options.timeoutMs ?? 10 * 1000
  const entries = new Map<string, Entry>()

  function fetchInto (entry: Entry, provider: LlmProvider, credentials: ProviderCredentials): Promise<void> {
    entry.inFlight ??= provider.listModels(credentials, { signal: AbortSignal.timeout(timeoutMs) })
      .then(models => { entry.list = { models, fetchedAt: options.clock() }; entry.failedAt = undefined })
      .catch((error: unknown) => { entry.failedAt = options.clock(); options.onFetchError?.(provider.id, error) })
      .finally(() => { entry.inFlight = undefined })
    return entry.inFlight
  }

  return {
    /**
     * `waitMs` bounds how long a caller waits for a first fetch (HubSpot's dropdowns must answer fast): past it
     * the curated list is served while the fetch completes in the background for the next request.
     */
    async models (provider: LlmProvider, owner: string, version: string, credentials: ProviderCredentials, waitMs = timeoutMs): Promise<ModelList> {
      const cacheKey = `${provider.id}\0${owner}\0${version}`
      let entry = entries.get(cacheKey)
      if (entry === undefined) {
        entry = {}
        entries.set(cacheKey, entry)
      }
      const now = options.clock()
      const fresh = entry.list !== undefined && now - entry.list.fetchedAt < ttlMs
      const resting = entry.failedAt !== undefined && now - entry.failedAt < retryAfterFailureMs
      if (!fresh && !resting) {
        // With a list in hand, refresh in the background and answer at once; without one, wait for the vendor.
        const pending = fetchInto(entry, provider, credentials)
        if (entry.list === undefined) await atMost(pending, waitMs)
      }
      if (entry.list !== undefined) {
        const live = options.clock() - entry.list.fetchedAt < ttlMs
        return { models: entry.list.models, source: live ? 'live' : 'stale', fetchedAt: entry.list.fetchedAt }
      }
      return { models: provider.models, source: 'curated' }
    },

    /** Forgets every list of one owner and provider (a disconnected or switched key). */
    forget (providerId: string, owner: string): void {
      for (const cacheKey of entries.keys()) {
        if (cacheKey.startsWith(`${providerId}\0${owner}\0`)) entries.delete(cacheKey)
      }
    }
  }
}

export type ModelCatalogue = ReturnType<typeof createModelCatalogue>

/**
 * Waits for `pending`, but no longer than `milliseconds`. The timer is cleared once the wait is over: left running
 * it held the process open for the rest of the wait (10 s after a connect), so a closed app took that long to exit.
 */
async function atMost (pending: Promise<unknown>, milliseconds: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([pending, new Promise<void>(resolve => { timer = setTimeout(resolve, milliseconds) })])
  } finally {
    clearTimeout(timer)
  }
}
