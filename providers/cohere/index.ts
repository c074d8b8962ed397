import type { ProviderCredentials, ProviderModel } from '../contract.ts'
import { defineProvider } from '../define-provider.ts'
import { createLazyClientCache } from '../client-cache.ts'
import { checkKey } from '../key-check.ts'
import { mapCohereError } from './cohere-errors.ts'
import { invokeCohereChat } from './cohere-chat.ts'
import { COHERE_MODELS, cohereCapabilities } from './cohere-models.ts'
import { loadCohereSdk } from './cohere-sdk.ts'

/** The origin only: the SDK appends `v1/…` and `v2/…` itself. */
export const COHERE_DEFAULT_BASE_URL = 'https://api.cohere.com'

/** Cohere through `cohere-ai` and the v2 chat API. */
export default defineProvider({
  id: 'cohere',
  label: 'Cohere',
  hosts: ['api.cohere.com'],
  create (context) {
    // Retries belong to the service (one policy for every provider), so the SDK makes exactly one attempt. Its
    // timeout is whole seconds; rounding up keeps it from firing before the call's own deadline does.
    const clientFor = createLazyClientCache(loadCohereSdk, ({ CohereClientV2 }, credentials) => new CohereClientV2({
      token: credentials.apiKey,
      environment: credentials.baseUrl ?? context.baseUrl ?? COHERE_DEFAULT_BASE_URL,
      timeoutInSeconds: Math.ceil(context.timeoutMs / 1000),
      maxRetries: 0,
      fetch: context.fetch
    }))

    async function listChatModels (credentials: ProviderCredentials, signal: AbortSignal): Promise<ProviderModel[]> {
      const client = await clientFor(credentials)
      const models: ProviderModel[] = []
      let pageToken: string | undefined
      do {
        const page = await client.models.list(
          { endpoint: 'chat', pageSize: 100, ...(pageToken === undefined ? {} : { pageToken }) },
          { abortSignal: signal, maxRetries: 0 }
        )
        for (const model of page.models) {
          // Deprecated models still answer for a while, but a workflow should not be built on one now.
          if (model.name === undefined || model.name === '' || model.isDeprecated === true) continue
          models.push({ id: model.name, label: model.name, capabilities: cohereCapabilities(model.name) })
        }
        pageToken = page.nextPageToken === '' ? undefined : page.nextPageToken
      } while (pageToken !== undefined)
      return models
    }

    return {
      models: COHERE_MODELS,
      capabilities: cohereCapabilities,

      // The models list rather than `checkApiKey()`, which throws a TypeError on the v2 client in cohere-ai 8.1.0.
      validateKey: (credentials, { signal }) => checkKey(
        async () => await (await clientFor(credentials)).models.list({ pageSize: 1 }, { abortSignal: signal, maxRetries: 0 }),
        error => mapCohereError(error, signal)
      ),

      async listModels (credentials, { signal }) {
        try {
          return await listChatModels(credentials, signal)
        } catch (error) {
          throw mapCohereError(error, signal)
        }
      },

      invoke: async request => await invokeCohereChat(request, { client: await clientFor(request), mapError: mapCohereError })
    }
  }
})
