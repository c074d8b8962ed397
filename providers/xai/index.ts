import { defineProvider } from '../define-provider.ts'
import { ProviderError } from '../errors.ts'
import { checkKey } from '../key-check.ts'
import { openAIClientCache } from '../openai/openai-client.ts'
import { listOpenAIModels } from '../openai/openai-model-list.ts'
import { invokeResponses } from '../openai/openai-responses.ts'
import { mapXaiError } from './xai-errors.ts'
import { XAI_MODELS, isXaiTextModel, xaiCapabilities } from './xai-models.ts'

export const XAI_DEFAULT_BASE_URL = 'https://api.x.ai/v1'

/** What GET /v1/api-key says about the key (other fields omitted). */
interface XaiKeyInfo {
  readonly api_key_blocked?: boolean
  readonly api_key_disabled?: boolean
  readonly team_blocked?: boolean
}

/** xAI (Grok) through the `openai` SDK and xAI's Responses API, which xAI recommends over Chat Completions. */
export default defineProvider({
  id: 'xai',
  label: 'xAI (Grok)',
  hosts: ['api.x.ai'],
  create (context) {
    const clientFor = openAIClientCache(context, credentials => credentials.baseUrl ?? context.baseUrl ?? XAI_DEFAULT_BASE_URL)

    return {
      models: XAI_MODELS,
      capabilities: xaiCapabilities,

      // GET /v1/api-key costs nothing and also tells a blocked or disabled key from a working one.
      validateKey: (credentials, { signal }) => checkKey(async () => {
        const info = await (await clientFor(credentials)).get<XaiKeyInfo>('/api-key', { signal })
        const problem = info.team_blocked === true ? 'its team is blocked'
          : info.api_key_blocked === true ? 'it is blocked'
            : info.api_key_disabled === true ? 'it is disabled' : undefined
        if (problem !== undefined) throw new ProviderError('PROVIDER_AUTH', `xAI accepted the API key, but ${problem}.`)
      }, error => mapXaiError(error, signal)),

      listModels: async (credentials, { signal }) =>
        await listOpenAIModels(await clientFor(credentials), signal, { include: isXaiTextModel, capabilities: xaiCapabilities, mapError: mapXaiError }),

      // xAI keeps responses for 30 days unless told not to; invokeResponses always sends store: false.
      invoke: async request => await invokeResponses(request, { client: await clientFor(request), mapError: mapXaiError })
    }
  }
})
