import type { ProviderContext } from '../contract.ts'
import { createLazyClientCache } from '../client-cache.ts'
import { loadAnthropicSdk } from './anthropic-sdk.ts'

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com'

/**
 * One `@anthropic-ai/sdk` client per key and base URL. The key is always passed, so the SDK never falls back to
 * environment variables or on-disk profiles. The explicit timeout also lifts the SDK's refusal of long non-streaming
 * calls. Retries belong to the service. `fetch` is the context's unless a second cache is built for batch results
 * (`context.resultsFetch`).
 */
export function anthropicClientCache (context: ProviderContext, fetch: typeof globalThis.fetch = context.fetch) {
  return createLazyClientCache(loadAnthropicSdk, ({ Anthropic }, credentials) => new Anthropic({
    apiKey: credentials.apiKey,
    baseURL: credentials.baseUrl ?? context.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL,
    timeout: context.timeoutMs,
    maxRetries: 0,
    fetch
  }))
}
