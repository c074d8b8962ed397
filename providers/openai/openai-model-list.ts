import type OpenAI from 'openai'
import type { ModelCapabilities, ProviderModel } from '../contract.ts'
import type { ProviderError } from '../errors.ts'

export interface ModelListOptions {
  /** Keeps the ids worth offering (text models only). */
  readonly include: (modelId: string) => boolean
  readonly capabilities: (modelId: string) => ModelCapabilities
  readonly mapError: (error: unknown, signal: AbortSignal) => ProviderError
}

/** GET {baseURL}/models in OpenAI's shape (OpenAI, xAI, compatible servers): kept ids, newest first, labelled by id. */
export async function listOpenAIModels (client: OpenAI, signal: AbortSignal, options: ModelListOptions): Promise<ProviderModel[]> {
  try {
    const page = await client.models.list({ signal })
    return page.data
      .filter(model => options.include(model.id))
      // Some compatible servers omit `created`; those keep the server's order.
      .sort((a, b) => (b.created ?? 0) - (a.created ?? 0))
      .map((model): ProviderModel => ({ id: model.id, label: model.id, capabilities: options.capabilities(model.id) }))
  } catch (error) {
    throw options.mapError(error, signal)
  }
}
