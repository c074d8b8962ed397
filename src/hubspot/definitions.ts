import { AppError } from '../../plugins/errors.ts'
import { definitionsPath, type ActionsApiVersion } from './actions-api-paths.ts'
import { HubSpotApiError, asRecord, errorFromAnswer, type HubSpotAnswer, type HubSpotHttp } from './hubspot-http.ts'

/**
 * The action-definition calls `publish` needs: list a page, create, update. Authenticated with the developer
 * account's API key as the `hapikey` query parameter, the one credential HubSpot has documented for these
 * endpoints. Bodies are passed through as given: which fields a definition has is the caller's business.
 *
 * Whether the date-versioned endpoints take a developer key is not settled: HubSpot's spec lists `developer_hapikey`
 * for 2026-09, but only OAuth with `developers-*` scopes in the later revisions of 2026-03's; a refusal says so and
 * points at the hsmeta route.
 *
 * @see /work/shared/reference/hubspot.md §1.1–1.2, §9A
 */

/** A definition as HubSpot returns it: the body we sent plus what HubSpot adds (`id`, `revisionId`, defaults). */
export interface RemoteDefinition extends Readonly<Record<string, unknown>> {
  readonly id: string
  readonly actionUrl?: string
}

export interface DefinitionPage {
  readonly results: readonly RemoteDefinition[]
  /** The cursor of the next page; absent on the last one. */
  readonly after?: string
}

export interface HubSpotDefinitions {
  readonly actionsApiVersion: ActionsApiVersion
  listPage (appId: number, limit: number, after?: string): Promise<DefinitionPage>
  /** `name` only labels messages (`create custom-llm in app …`). */
  create (appId: number, definition: object, name: string): Promise<RemoteDefinition>
  update (appId: number, definitionId: string, patch: object, name: string): Promise<RemoteDefinition>
}

export interface HubSpotDefinitionsOptions {
  readonly http: HubSpotHttp
  /** HUBSPOT_DEVELOPER_API_KEY; calls fail with HUBSPOT_NOT_CONFIGURED without it. */
  readonly developerApiKey: string | undefined
  readonly actionsApiVersion: ActionsApiVersion
}

// A 401 or 403 is a wrong key or app id, or HubSpot no longer taking developer keys here: the hint names both ways out.
const DEVELOPER_KEY_HINT = ' Check HUBSPOT_DEVELOPER_API_KEY (the developer account key of the account that owns the app) and HUBSPOT_APP_ID.' +
  ' If both are right, HubSpot may no longer take developer keys here: ship the actions as hsmeta files instead' +
  ' (llm-actions print-definitions --format hsmeta, then hs project upload).'

export function createHubSpotDefinitions (options: HubSpotDefinitionsOptions): HubSpotDefinitions {
  const { http, actionsApiVersion } = options

  function developerApiKey (): string {
    if (options.developerApiKey !== undefined && options.developerApiKey !== '') return options.developerApiKey
    throw new AppError('HUBSPOT_NOT_CONFIGURED', 'Managing action definitions needs HUBSPOT_DEVELOPER_API_KEY (the developer API key of the account that owns the app); it is not set.')
  }

  /** One call expecting `expected`; anything else is an error naming the operation, the method and the path. */
  async function call (operation: string, method: 'GET' | 'POST' | 'PATCH', path: string, query: Record<string, string>, expected: number, body?: object): Promise<HubSpotAnswer> {
    const key = developerApiKey()
    const what = `${operation} via ${method} ${path}`
    const search = new URLSearchParams({ ...query, hapikey: key }).toString()
    const answer = await http.send(what, {
      method,
      path: `${path}?${search}`,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    }, [key])
    if (answer.status === expected) return answer
    if (answer.ok) {
      // HubSpot documents exactly this status; another 2xx (a proxy, a changed API) is not taken for the real answer.
      throw errorFromAnswer(`HubSpot gave an unexpected answer when asked to ${what}: HTTP ${answer.status} where ${expected} was expected.`, answer)
    }
    const hint = answer.status === 401 || answer.status === 403 ? DEVELOPER_KEY_HINT : ''
    // The operator publishing definitions needs HubSpot's own words (which field is wrong); this never reaches a
    // portal's workflow history, and the words are scrubbed of the developer key all the same.
    throw errorFromAnswer(`HubSpot refused to ${what} (${answer.operatorDescription}).${hint}`, answer)
  }

  return {
    actionsApiVersion,

    async listPage (appId, limit, after) {
      const operation = `list the definitions of app ${appId}`
      const answer = await call(operation, 'GET', definitionsPath(actionsApiVersion, appId), { limit: String(limit), ...(after === undefined ? {} : { after }) }, 200)
      const body = asRecord(answer.body)
      if (!Array.isArray(body?.results)) throw new HubSpotApiError(`HubSpot's answer to ${operation} has no results list.`, { status: answer.status })
      const results = body.results.map(item => definitionFrom(item, operation, answer.status))
      const next = asRecord(asRecord(body.paging)?.next)?.after
      return { results, ...(typeof next === 'string' && next !== '' ? { after: next } : {}) }
    },

    async create (appId, definition, name) {
      const operation = `create ${name} in app ${appId}`
      const answer = await call(operation, 'POST', definitionsPath(actionsApiVersion, appId), {}, 201, definition)
      return definitionFrom(answer.body, operation, answer.status)
    },

    async update (appId, definitionId, patch, name) {
      const operation = `update ${name} (definition ${definitionId}) in app ${appId}`
      const answer = await call(operation, 'PATCH', definitionsPath(actionsApiVersion, appId, definitionId), {}, 200, patch)
      // The definition patched is known even if the answer leaves its id out.
      return definitionFrom({ id: definitionId, ...asRecord(answer.body) }, operation, answer.status)
    }
  }
}

/** A definition needs an id to be updated later; HubSpot writes ids as strings, numbers are accepted all the same. */
function definitionFrom (value: unknown, operation: string, status: number): RemoteDefinition {
  const record = asRecord(value)
  const id = record?.id
  if (record === undefined || (typeof id !== 'string' && typeof id !== 'number') || id === '') {
    throw new HubSpotApiError(`HubSpot's answer to ${operation} holds a definition without an id.`, { status })
  }
  const actionUrl = typeof record.actionUrl === 'string' ? record.actionUrl : undefined
  return { ...record, id: String(id), ...(actionUrl === undefined ? {} : { actionUrl }) }
}
