import OpenAI from 'openai'
import type { ProviderModel } from '../contract.ts'
import { defineProvider } from '../define-provider.ts'
import { createClientCache } from '../client-cache.ts'
import { checkKey } from '../key-check.ts'
import { mapOpenAIError } from './openai-errors.ts'
import { invokeResponses } from './openai-responses.ts'
import { OPENAI_MODELS, isOpenAITextModel, openaiCapabilities } from './openai-models.ts'

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1'

/** OpenAI through the official SDK and the Responses API. */
export default defineProvider({
  id: 'openai',
  label: 'OpenAI',
  hosts: ['api.openai.com'],
  create (context) {
    // Retries belong to the service (one policy for every provider), so the SDK makes exactly one attempt.
    const clientFor = createClientCache(credentials => new OpenAI({
      apiKey: credentials.apiKey,
      baseURL: credentials.baseUrl ?? context.baseUrl ?? OPENAI_DEFAULT_BASE_URL,
      timeout: context.timeoutMs,
      maxRetries: 0,
      fetch: context.fetch
    }))
    const mapError = (error: unknown, signal: AbortSignal) => mapOpenAIError(error, signal, { vendor: 'OpenAI' })

    return {
      models: OPENAI_MODELS,
      capabilities: openaiCapabilities,

      validateKey: (credentials, { signal }) =>
        checkKey(() => clientFor(credentials).models.list({ signal }), error => mapError(error, signal)),

      async listModels (credentials, { signal }) {
        try {
          const page = await clientFor(credentials).models.list({ signal })
          return page.data
            .filter(model => isOpenAITextModel(model.id))
            .sort((a, b) => b.created - a.created)
            .map((model): ProviderModel => ({ id: model.id, label: model.id, capabilities: openaiCapabilities(model.id) }))
        } catch (error) {
          throw mapError(error, signal)
        }
      },

      invoke: request => invokeResponses(request, { client: clientFor(request), mapError })
    }
  }
})
