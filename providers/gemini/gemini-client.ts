import type { ProviderContext } from '../contract.ts'
import { createLazyClientCache } from '../client-cache.ts'
import { loadGeminiSdk } from './gemini-sdk.ts'

/**
 * One `@google/genai` client per key and base URL. `fetch` is the context's unless a second cache is built for
 * reading finished batches (see `geminiInlineResultsFetch`).
 */
export function geminiClientCache (context: ProviderContext, fetch: typeof globalThis.fetch = context.fetch) {
  return createLazyClientCache(loadGeminiSdk, ({ GoogleGenAI }, credentials) => {
    const baseUrl = credentials.baseUrl ?? context.baseUrl
    return new GoogleGenAI({
      apiKey: credentials.apiKey,
      // Pinned so that GOOGLE_GENAI_USE_VERTEXAI in the operator's environment cannot send calls to Vertex AI.
      vertexai: false,
      httpOptions: {
        ...(baseUrl === undefined ? {} : { baseUrl }),
        // 2.x defaults to v1beta and 3.x to v1: pinned, so an SDK upgrade cannot move us silently.
        apiVersion: 'v1beta',
        // The SDK has no timeout of its own: without this a hung call would wait for the signal alone.
        timeout: context.timeoutMs,
        // This SDK has no retries by default; the service's policy in providers/retry.ts applies, so no
        // `retryOptions` here.
        fetch
      }
    })
  })
}
