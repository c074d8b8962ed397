import { randomUUID } from 'node:crypto'
import { startStubServer, type RecordedRequest, type StubReply, type StubServer } from '../helpers/stub-server.ts'

/**
 * A loopback fake of HubSpot's API, holding its data in `state` so tests can seed it and read it back.
 *
 * Today it speaks the Automation Actions v4 definition endpoints. It is meant to grow: OAuth
 * (`/oauth/v3/token`), CRM reads and the callback-completion routes belong here too, each as another
 * `register…Routes(server, state)` function called from `startHubSpotStub`, with its data in a new member of
 * `HubSpotStubState`. The underlying stub server routes by exact `METHOD /path`, so routes with ids in the
 * path are registered when the record is created or seeded (see `routeDefinition`).
 */

export const HUBSPOT_STUB_APP_ID = 4242001
/** The developer key the stub accepts. Its "canary" marks any leak in test output. */
export const HUBSPOT_STUB_DEVELOPER_KEY = 'hubspot-dev-key-canary-7f3a91c2'

/** A definition as HubSpot stores it: our body plus what HubSpot adds. */
export interface StoredDefinition extends Record<string, unknown> {
  id: string
  revisionId: string
  actionUrl: string
}

export interface HubSpotStubState {
  readonly appId: number
  developerApiKey: string
  /** Definitions of `appId` by id, in creation order. */
  readonly definitions: Map<string, StoredDefinition>
  /** Largest page the list endpoint returns, whatever `limit` asks (forces paging in tests). */
  maxPageSize: number
  nextDefinitionId: number
}

export interface HubSpotStub extends StubServer {
  /** What HUBSPOT_API_BASE_URL should be set to. */
  readonly baseUrl: string
  readonly state: HubSpotStubState
  /** Puts a definition in place as if created earlier (registers its routes); returns it. */
  seedDefinition (body: Record<string, unknown>): StoredDefinition
  /** Requests to the definition endpoints that change something (POST, PATCH, DELETE). */
  definitionWrites (): RecordedRequest[]
}

export interface HubSpotStubOptions {
  readonly appId?: number
  readonly developerApiKey?: string
  readonly maxPageSize?: number
}

/** HubSpot's error body shape (status, message, correlationId, category). */
export function hubSpotError (status: number, message: string, category: string, extra: Record<string, unknown> = {}): StubReply {
  return { status, body: { status: 'error', message, correlationId: randomUUID(), category, ...extra } }
}

const INVALID_KEY = (): StubReply => hubSpotError(401, 'The API key provided is invalid. View or manage your API key here: https://app.hubspot.com/l/api-key/', 'INVALID_AUTHENTICATION')
const REQUIRED_ON_CREATE = ['actionUrl', 'functions', 'inputFields', 'labels', 'objectTypes', 'published']

export async function startHubSpotStub (options: HubSpotStubOptions = {}): Promise<HubSpotStub> {
  const state: HubSpotStubState = {
    appId: options.appId ?? HUBSPOT_STUB_APP_ID,
    developerApiKey: options.developerApiKey ?? HUBSPOT_STUB_DEVELOPER_KEY,
    definitions: new Map(),
    maxPageSize: options.maxPageSize ?? 100,
    nextDefinitionId: 900001
  }
  const server = await startStubServer()
  const definitions = registerDefinitionRoutes(server, state)
  return {
    origin: server.origin,
    requests: server.requests,
    on: server.on,
    once: server.once,
    close: server.close,
    baseUrl: server.origin,
    state,
    seedDefinition: definitions.seed,
    definitionWrites: () => server.requests.filter(request => request.path.startsWith(`/automation/v4/actions/${state.appId}`) && request.method !== 'GET')
  }
}

/** The developer-key check of the definition endpoints: `?hapikey=` as @hubspot/api-client sends it. */
function withDeveloperKey (state: HubSpotStubState, handler: (request: RecordedRequest) => StubReply): (request: RecordedRequest) => StubReply {
  return request => request.query.get('hapikey') === state.developerApiKey ? handler(request) : INVALID_KEY()
}

function registerDefinitionRoutes (server: StubServer, state: HubSpotStubState): { seed: (body: Record<string, unknown>) => StoredDefinition } {
  const collection = `/automation/v4/actions/${state.appId}`

  // HubSpot fills defaults into what it stores (assumed shape, for "compare only what we send" tests).
  const store = (body: Record<string, unknown>): StoredDefinition => {
    const id = String(state.nextDefinitionId++)
    const definition: StoredDefinition = { ...withDefaults(body), id, revisionId: '1', actionUrl: String(body.actionUrl) }
    state.definitions.set(id, definition)
    routeDefinition(id)
    return definition
  }

  const routeDefinition = (id: string) => {
    server.on(`GET ${collection}/${id}`, withDeveloperKey(state, () => ({ body: state.definitions.get(id) })))
    server.on(`PATCH ${collection}/${id}`, withDeveloperKey(state, request => {
      const current = state.definitions.get(id)
      if (current === undefined) return hubSpotError(404, `No action definition ${id}`, 'OBJECT_NOT_FOUND')
      const patch = (request.json ?? {}) as Record<string, unknown>
      const updated: StoredDefinition = { ...current, ...withDefaults(patch), id, revisionId: String(Number(current.revisionId) + 1), actionUrl: String(patch.actionUrl ?? current.actionUrl) }
      state.definitions.set(id, updated)
      return { body: updated }
    }))
  }

  server.on(`GET ${collection}`, withDeveloperKey(state, request => {
    const all = [...state.definitions.values()]
    const limit = Math.min(Number(request.query.get('limit') ?? 10) || 10, state.maxPageSize)
    const start = Number(request.query.get('after') ?? 0)
    const results = all.slice(start, start + limit)
    const next = start + limit < all.length ? String(start + limit) : undefined
    return {
      body: {
        results,
        ...(next === undefined ? {} : { paging: { next: { after: next, link: `${collection}?after=${next}` } } })
      }
    }
  }))

  server.on(`POST ${collection}`, withDeveloperKey(state, request => {
    const body = request.json as Record<string, unknown> | undefined
    const missing = REQUIRED_ON_CREATE.filter(key => body?.[key] === undefined)
    if (body === undefined || missing.length > 0) {
      return hubSpotError(400, 'Invalid input JSON on line 1', 'VALIDATION_ERROR', { errors: missing.map(key => ({ message: `${key} is required` })) })
    }
    return { status: 201, body: store(body) }
  }))

  return { seed: store }
}

function withDefaults (body: Record<string, unknown>): Record<string, unknown> {
  const fill = (fields: unknown) => Array.isArray(fields)
    ? fields.map(field => ({ ...field, typeDefinition: { externalOptions: false, ...field?.typeDefinition } }))
    : fields
  return {
    ...body,
    ...(body.inputFields === undefined ? {} : { inputFields: fill(body.inputFields) }),
    ...(body.outputFields === undefined ? {} : { outputFields: fill(body.outputFields) })
  }
}
