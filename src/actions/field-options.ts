import type { ModelCapabilities } from '../../providers/contract.ts'
import { ASSISTANT_PROVIDER } from './assistants.ts'
import type { ActionContext } from './action-context.ts'
import { modelsForConnection } from './connections.ts'

/** HubSpot's options fetch, free of HTTP (reference/hubspot.md §7). */
export interface OptionsRequest {
  readonly action: 'custom-llm' | 'openai-assistant'
  readonly portalId: number
  readonly fieldName: string
  /** What the workflow builder filled in so far; options fetches wrap values as `{type, value}`. */
  readonly inputFields: Readonly<Record<string, { readonly value?: unknown } | undefined>>
  readonly query?: string
  readonly after?: string
}

export interface FieldOption {
  readonly label: string
  readonly value: string
  readonly description?: string
}

export interface OptionsPage {
  readonly options: readonly FieldOption[]
  /** Present when more options follow: HubSpot shows "load more" and sends it back. */
  readonly after?: string
  readonly searchable: boolean
}

export const OPTIONS_PAGE_SIZE = 100
/** A dropdown must not wait on a slow vendor: past this, the curated list is offered. */
const MODEL_LIST_WAIT_MS = 2500

/**
 * Options for the dynamic fields: providers this portal has connected, that provider's models cut to the
 * allowlist, and the portal's saved assistants. Searchable and paged; served from caches.
 */
export async function fieldOptions (context: ActionContext, request: OptionsRequest): Promise<OptionsPage> {
  const options = await allOptions(context, request)
  const query = request.query?.trim().toLowerCase() ?? ''
  const matching = query === '' ? options : options.filter(option => `${option.label} ${option.value}`.toLowerCase().includes(query))
  const offset = Math.max(0, Number.parseInt(request.after ?? '0', 10) || 0)
  const page = matching.slice(offset, offset + OPTIONS_PAGE_SIZE)
  const next = offset + OPTIONS_PAGE_SIZE
  return { options: page, searchable: true, ...(next < matching.length ? { after: String(next) } : {}) }
}

async function allOptions (context: ActionContext, request: OptionsRequest): Promise<FieldOption[]> {
  const { portalId } = request
  if (request.action === 'custom-llm' && request.fieldName === 'provider') {
    return context.repositories.connections.list(portalId).flatMap(connection => {
      const provider = context.providers.find(connection.provider)
      if (provider === undefined) return []
      return [{ label: provider.label, value: provider.id, ...(connection.status === 'invalid' ? { description: 'The provider rejected the stored key: reconnect it.' } : {}) }]
    })
  }
  if (request.fieldName === 'model') {
    const providerId = request.action === 'openai-assistant' ? ASSISTANT_PROVIDER : textValue(request.inputFields.provider?.value)
    const connection = providerId === undefined ? undefined : context.repositories.connections.find(portalId, providerId)
    if (connection === undefined) return []
    const { models } = await modelsForConnection(context, connection, { waitMs: MODEL_LIST_WAIT_MS })
    return models.map(model => ({ label: model.label, value: model.id, description: describe(model.capabilities) }))
  }
  if (request.action === 'openai-assistant' && request.fieldName === 'assistant') {
    return context.repositories.assistants.list(portalId).map(assistant => ({ label: assistant.name, value: assistant.id, description: assistant.model }))
  }
  return []
}

function textValue (value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

/** A one-line summary for the dropdown, so builders see which settings a model honours. */
function describe (capabilities: ModelCapabilities): string {
  const parts = [
    capabilities.reasoningEfforts.length > 0 ? `reasoning effort: ${capabilities.reasoningEfforts.join('/')}` : 'no reasoning effort',
    capabilities.temperature ? (capabilities.temperatureExcludesReasoning === true ? 'temperature without effort' : 'temperature') : 'no temperature',
    ...(capabilities.structuredOutput ? ['structured output'] : [])
  ]
  return parts.join(' · ')
}
