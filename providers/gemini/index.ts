import type { ProviderModel } from '../contract.ts'
import { defineProvider } from '../define-provider.ts'
import { createLazyClientCache } from '../client-cache.ts'
import { checkKey } from '../key-check.ts'
import { mapGeminiError } from './gemini-errors.ts'
import { invokeGemini } from './gemini-generate.ts'
import { GEMINI_MODELS, geminiCapabilities, isGeminiTextModel, liveGeminiCapabilities } from './gemini-models.ts'
import { loadGeminiSdk } from './gemini-sdk.ts'

/** Google Gemini (the Gemini Developer API) through `@google/genai`. */
export default defineProvider({
  id: 'gemini',
  label: 'Google Gemini',
  hosts: ['generativelanguage.googleapis.com'],
  create (context) {
    const clientFor = createLazyClientCache(loadGeminiSdk, ({ GoogleGenAI }, credentials) => {
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
          fetch: context.fetch
        }
      })
    })

    return {
      models: GEMINI_MODELS,
      capabilities: geminiCapabilities,

      // Listing one model is free. The key travels in the x-goog-api-key header, never in the URL.
      validateKey: (credentials, { signal }) => checkKey(
        async () => await (await clientFor(credentials)).models.list({ config: { pageSize: 1, abortSignal: signal } }),
        error => mapGeminiError(error, signal)
      ),

      async listModels (credentials, { signal }) {
        try {
          const models: ProviderModel[] = []
          // The pager fetches the following pages itself, with the same config (and so the same signal).
          const pager = await (await clientFor(credentials)).models.list({ config: { pageSize: 100, abortSignal: signal } })
          for await (const model of pager) {
            const id = model.name?.replace(/^models\//, '')
            if (id === undefined || id === '' || !isGeminiTextModel(id, model.supportedActions)) continue
            models.push({ id, label: model.displayName ?? id, capabilities: liveGeminiCapabilities(id, model) })
          }
          return models
        } catch (error) {
          throw mapGeminiError(error, signal)
        }
      },

      invoke: async request => await invokeGemini(request, { client: await clientFor(request), mapError: mapGeminiError })
    }
  }
})
