import type { ProviderModel } from '../contract.ts'
import { defineProvider } from '../define-provider.ts'
import { checkKey } from '../key-check.ts'
import { createGeminiBatch, geminiInlineResultsFetch } from './gemini-batch.ts'
import { geminiClientCache } from './gemini-client.ts'
import { mapGeminiError } from './gemini-errors.ts'
import { invokeGemini } from './gemini-generate.ts'
import { GEMINI_MODELS, geminiCapabilities, isGeminiTextModel, liveGeminiCapabilities } from './gemini-models.ts'

/** Google Gemini (the Gemini Developer API) through `@google/genai`. */
export default defineProvider({
  id: 'gemini',
  label: 'Google Gemini',
  hosts: ['generativelanguage.googleapis.com'],
  create (context) {
    const clientFor = geminiClientCache(context)
    // Clients for reading batches: a finished one carries every answer inline, far past one answer's limit.
    const resultsClientFor = geminiClientCache(context, geminiInlineResultsFetch(context.resultsFetch ?? context.fetch))

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

      invoke: async request => await invokeGemini(request, { client: await clientFor(request), mapError: mapGeminiError }),

      batch: createGeminiBatch({ clientFor, resultsClientFor, mapError: mapGeminiError, log: context.log })
    }
  }
})
