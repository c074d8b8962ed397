import type { ProviderContext, ProviderCredentials } from '../contract.ts'
import { createLazyClientCache } from '../client-cache.ts'
import { loadOpenAISdk } from './openai-sdk.ts'

/**
 * One `openai` SDK client per key and base URL, for every vendor that speaks OpenAI's wire format. Retries belong
 * to the service (one policy for every provider), so the SDK makes exactly one attempt. Organization and project
 * are pinned to none so the SDK never reads `OPENAI_ORG_ID` / `OPENAI_PROJECT_ID` from the environment and sends
 * them to another vendor. An empty key sends no Authorization header (keyless self-hosted servers). `fetch` is the
 * context's unless a second cache is built for batch results (`context.resultsFetch`).
 */
export function openAIClientCache (
  context: ProviderContext,
  baseUrlFor: (credentials: ProviderCredentials) => string,
  fetch: typeof globalThis.fetch = context.fetch
) {
  return createLazyClientCache(loadOpenAISdk, ({ OpenAI }, credentials) => new OpenAI({
    apiKey: credentials.apiKey === '' ? 'no-key' : credentials.apiKey,
    ...(credentials.apiKey === '' ? { defaultHeaders: { Authorization: null } } : {}),
    organization: null,
    project: null,
    baseURL: baseUrlFor(credentials),
    timeout: context.timeoutMs,
    maxRetries: 0,
    fetch
  }))
}
