import type { ConnectionStatus } from '../../db/repositories/connections-repository.ts'
import type { ModelCapabilities } from '../../providers/contract.ts'
import { isAppError } from '../../plugins/errors.ts'
import type { ActionContext } from './action-context.ts'
import { modelsForConnection } from './connections.ts'
import { inputsOverLimit } from './input-limits.ts'

/** One dynamic field's options fetch, free of HTTP (reference/hubspot.md §7): what an action's options answer. */
export interface OptionsQuery {
  readonly portalId: number
  readonly fieldName: string
  /** What the workflow builder filled in so far; options fetches wrap values as `{type, value}`. */
  readonly inputFields: Readonly<Record<string, { readonly value?: unknown } | undefined>>
}

/** The whole fetch, with HubSpot's search text and page cursor. */
export interface OptionsRequest extends OptionsQuery {
  readonly query?: string
  readonly after?: string
}

export interface FieldOption {
  readonly label: string
  readonly value: string
  readonly description?: string
}

/** How an action lists one dynamic field's options for a portal (`ActionModule.options`). */
export type ActionOptions = (context: ActionContext, query: OptionsQuery) => Promise<readonly FieldOption[]>

export interface OptionsPage {
  readonly options: readonly FieldOption[]
  /** Present when more options follow: HubSpot shows "load more" and sends it back. */
  readonly after?: string
  readonly searchable: boolean
}

export const OPTIONS_PAGE_SIZE = 100
/** A dropdown must not wait on a slow vendor: past this, the curated list is offered. */
const MODEL_LIST_WAIT_MS = 2500

/** A dynamic field's options as the action lists them, searched and paged the same way for every action. */
export async function fieldOptions (context: ActionContext, action: { readonly options: ActionOptions }, request: OptionsRequest): Promise<OptionsPage> {
  // The values the builder filled in so far are held to the limits an execution's are: a model list is never looked
  // up for a provider id no execution could name.
  const refusal = inputsOverLimit(Object.fromEntries(Object.entries(request.inputFields).map(([name, field]) => [name, field?.value])))
  if (refusal !== undefined) throw refusal
  const options = await action.options(context, { portalId: request.portalId, fieldName: request.fieldName, inputFields: request.inputFields })
  const query = request.query?.trim().toLowerCase() ?? ''
  const matching = query === '' ? options : options.filter(option => `${option.label} ${option.value}`.toLowerCase().includes(query))
  const offset = Math.max(0, Number.parseInt(request.after ?? '0', 10) || 0)
  const page = matching.slice(offset, offset + OPTIONS_PAGE_SIZE)
  const next = offset + OPTIONS_PAGE_SIZE
  return { options: page, searchable: true, ...(next < matching.length ? { after: String(next) } : {}) }
}

/** The value the builder already chose for another field, when it is a non-empty text. */
export function filledValue (query: OptionsQuery, fieldName: string): string | undefined {
  const value = query.inputFields[fieldName]?.value
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

/** Why a connection may fail at run time, shown under its name so the builder can act before the workflow runs. */
const CONNECTION_WARNINGS: Readonly<Partial<Record<ConnectionStatus, string>>> = {
  invalid: 'The provider rejected the stored key: reconnect it.',
  key_unreadable: 'The stored key cannot be read by this service: ask the operator to check its encryption keys, or reconnect it.'
}

/** The providers this portal has connected and this service has installed. */
export async function connectedProviderOptions (context: ActionContext, portalId: number): Promise<FieldOption[]> {
  return (await context.repositories.connections.list(portalId)).flatMap(connection => {
    const provider = context.providers.find(connection.provider)
    if (provider === undefined) return []
    const warning = CONNECTION_WARNINGS[connection.status]
    return [{ label: provider.label, value: provider.id, ...(warning === undefined ? {} : { description: warning }) }]
  })
}

/**
 * The models of this portal's connection of a provider, cut to its allowlist; none when the provider is not
 * chosen or not connected. A key the service cannot decrypt offers none too: a dropdown must not fail, and the
 * provider option already says what is wrong.
 */
export async function modelOptions (context: ActionContext, portalId: number, providerId: string | undefined): Promise<FieldOption[]> {
  const connection = providerId === undefined ? undefined : await context.repositories.connections.find(portalId, providerId)
  if (connection === undefined) return []
  const models = await modelsForConnection(context, connection, { waitMs: MODEL_LIST_WAIT_MS }).then(list => list.models, (error: unknown) => {
    if (!isAppError(error) || error.code !== 'KEY_UNREADABLE') throw error
    context.log.warn({ portalId, provider: connection.provider, code: error.code }, 'model options: the stored key cannot be read, so none are offered')
    return []
  })
  return models.map(model => ({ label: model.label, value: model.id, description: describe(model.capabilities) }))
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
