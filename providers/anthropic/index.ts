import type { ProviderModel } from '../contract.ts'
import { defineProvider } from '../define-provider.ts'
import { checkKey } from '../key-check.ts'
import { createAnthropicBatch } from './anthropic-batch.ts'
import { anthropicClientCache } from './anthropic-client.ts'
import { mapAnthropicError } from './anthropic-errors.ts'
import { invokeMessages } from './anthropic-messages.ts'
import { ANTHROPIC_MODELS, anthropicLiveProfile, anthropicProfile, type AnthropicModelProfile } from './anthropic-models.ts'

export { ANTHROPIC_DEFAULT_BASE_URL } from './anthropic-client.ts'

// Bounds the live profiles kept from model lists: a connection's base URL may point at a proxy with a huge list.
const LEARNED_CAPACITY = 1000

/** Anthropic through the official SDK (API version 2026-10-21): the Messages API, and its batches for economy executions. */
export default defineProvider({
  id: 'anthropic',
  label: 'Anthropic (Claude)',
  hosts: ['api.anthropic.com'],
  create (context) {
    const clientFor = anthropicClientCache(context)
    // Clients for downloading batch results only: those are read line by line, past one answer's limit.
    const resultsClientFor = anthropicClientCache(context, context.resultsFetch ?? context.fetch)
    // What the live list said about each model, so capabilities() and invoke() agree with what was offered.
    const learned = new Map<string, AnthropicModelProfile>()
    const profileFor = (modelId: string) => learned.get(modelId) ?? anthropicProfile(modelId)

    return {
      models: ANTHROPIC_MODELS,
      capabilities: modelId => profileFor(modelId).capabilities,

      validateKey: (credentials, { signal }) =>
        checkKey(async () => await (await clientFor(credentials)).models.list({ limit: 1 }, { signal }), error => mapAnthropicError(error, signal)),

      async listModels (credentials, { signal }) {
        const models: ProviderModel[] = []
        try {
          const client = await clientFor(credentials)
          for await (const model of client.models.list({ limit: 1000 }, { signal })) {
            if (model.lifecycle === 'retired') continue
            const profile = anthropicLiveProfile(model)
            if (learned.size >= LEARNED_CAPACITY) learned.clear()
            learned.set(model.id, profile)
            models.push({
              id: model.id,
              label: model.display_name ?? model.id,
              capabilities: profile.capabilities,
              ...(model.retires_at == null ? {} : { deprecatedAfter: model.retires_at.slice(0, 10) })
            })
          }
        } catch (error) {
          throw mapAnthropicError(error, signal)
        }
        return models
      },

      invoke: async request => await invokeMessages(request, {
        client: await clientFor(request),
        profile: profileFor(request.modelId),
        mapError: mapAnthropicError
      }),

      batch: createAnthropicBatch({ clientFor, resultsClientFor, profileFor, mapError: mapAnthropicError })
    }
  }
})
