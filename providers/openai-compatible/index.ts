import type { ModelCapabilities, ProviderCredentials } from '../contract.ts'
import { defineProvider } from '../define-provider.ts'
import { ProviderError } from '../errors.ts'
import { checkKey } from '../key-check.ts'
import { invokeChatCompletions } from '../openai/openai-chat.ts'
import { openAIClientCache } from '../openai/openai-client.ts'
import { mapOpenAIError } from '../openai/openai-errors.ts'
import { listOpenAIModels } from '../openai/openai-model-list.ts'

/**
 * What we assume of a model on a server we know nothing about: a temperature from 0 to 2 (every OpenAI-compatible
 * server takes one), no reasoning-effort setting and no structured output (the service asks for JSON in the
 * instructions and validates the answer instead).
 */
const UNKNOWN_SERVER_MODEL: ModelCapabilities = { temperature: true, temperatureRange: [0, 2], reasoningEfforts: [], structuredOutput: false }

/**
 * Any server that speaks OpenAI's models and Chat Completions routes: Ollama (`http://host:11434/v1`), vLLM,
 * LM Studio, LiteLLM. Every connection brings its own base URL, with `/v1` where the server wants it.
 *
 * Keys: whatever the connection holds is sent as `Authorization: Bearer <key>`; an empty key sends no
 * Authorization header, for servers that need none. validateKey lists the models, so a server that checks keys
 * answers 401/403 and the key reads as invalid, while a keyless server accepts any key.
 */
export default defineProvider({
  id: 'openai-compatible',
  label: 'OpenAI-compatible endpoint',
  hosts: [],
  requiresBaseUrl: true,
  create (context) {
    const clientFor = openAIClientCache(context, requireBaseUrl)
    const mapError = (error: unknown, signal: AbortSignal) => mapOpenAIError(error, signal, { vendor: 'The OpenAI-compatible endpoint' })
    const capabilities = (): ModelCapabilities => UNKNOWN_SERVER_MODEL

    return {
      models: [],
      capabilities,

      validateKey: (credentials, { signal }) =>
        checkKey(async () => await (await clientFor(credentials)).models.list({ signal }), error => mapError(error, signal)),

      async listModels (credentials, { signal }) {
        return await listOpenAIModels(await clientFor(credentials), signal, { include: isChatModel, capabilities, mapError })
      },

      // Chat Completions, not Responses: many self-hosted servers only speak the former.
      async invoke (request) {
        return await invokeChatCompletions(request, { client: await clientFor(request), mapError, maxTokensField: 'max_tokens' })
      }
    }
  }
})

/** No fallback to the context's base URL: each connection names its own server. */
function requireBaseUrl (credentials: ProviderCredentials): string {
  if (credentials.baseUrl === undefined || credentials.baseUrl === '') {
    throw new ProviderError('PROVIDER_REJECTED', 'An OpenAI-compatible connection needs a base URL, such as http://localhost:11434/v1 for Ollama.')
  }
  return credentials.baseUrl
}

/** Servers list embedding and reranking models next to chat ones; only the latter can answer a prompt. */
function isChatModel (modelId: string): boolean {
  return !/(embed|rerank)/i.test(modelId)
}
