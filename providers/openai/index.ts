import type { ProviderCredentials } from '../contract.ts'
import { defineProvider } from '../define-provider.ts'
import { checkKey } from '../key-check.ts'
import { openAIClientCache } from './openai-client.ts'
import { openAIBatch } from './openai-batch.ts'
import { mapOpenAIError } from './openai-errors.ts'
import { listOpenAIModels } from './openai-model-list.ts'
import { invokeResponses } from './openai-responses.ts'
import { OPENAI_MODELS, isOpenAITextModel, openaiCapabilities } from './openai-models.ts'

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1'

/** OpenAI through the official SDK and the Responses API; economy executions through its Batch API. */
export default defineProvider({
  id: 'openai',
  label: 'OpenAI',
  hosts: ['api.openai.com'],
  create (context) {
    const baseUrlFor = (credentials: ProviderCredentials) => credentials.baseUrl ?? context.baseUrl ?? OPENAI_DEFAULT_BASE_URL
    const clientFor = openAIClientCache(context, baseUrlFor)
    // Clients for downloading batch output files only: those are read line by line, past one answer's limit.
    const resultsClientFor = openAIClientCache(context, baseUrlFor, context.resultsFetch ?? context.fetch)
    const mapError = (error: unknown, signal: AbortSignal) => mapOpenAIError(error, signal, { vendor: 'OpenAI' })

    return {
      models: OPENAI_MODELS,
      capabilities: openaiCapabilities,

      validateKey: (credentials, { signal }) =>
        checkKey(async () => await (await clientFor(credentials)).models.list({ signal }), error => mapError(error, signal)),

      listModels: async (credentials, { signal }) =>
        await listOpenAIModels(await clientFor(credentials), signal, { include: isOpenAITextModel, capabilities: openaiCapabilities, mapError }),

      invoke: async request => await invokeResponses(request, { client: await clientFor(request), mapError }),

      batch: openAIBatch({ clientFor, resultsClientFor, mapError, log: context.log })
    }
  }
})
