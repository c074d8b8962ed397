import { randomUUID } from 'node:crypto'
import { startStubServer, type RecordedRequest, type StubHandler, type StubReply, type StubServer } from '../helpers/stub-server.ts'

/**
 * A loopback fake of HubSpot's API, holding its data in `state` so tests can seed it and read it back.
 *
 * It speaks the Automation Actions definition endpoints (v4 and date-versioned 2026-03 and 2026-09, one store for
 * all), OAuth v3 (`/oauth/v3/token` for both grants, `/oauth/v3/token/introspect`), CRM object reads
 * (`/crm/v3/objects/{type}/{id}`) and callback completion (single and batch, every version, any callbackId, with
 * fault injection: `failCallbacks`), each as a `register…Routes(server, state)` function called from
 * `startHubSpotStub`, with its data in a member of `HubSpotStubState`. More belongs here the same way. Routes with
 * ids in the path are `:name` patterns of the stub server, or registered when the record is seeded (`seedRecord`).
 */

export const HUBSPOT_STUB_APP_ID = 4242001
/** The developer key the stub accepts. Its "canary" marks any leak in test output. */
export const HUBSPOT_STUB_DEVELOPER_KEY = 'hubspot-dev-key-canary-7f3a91c2'

/** The app credentials the stub's OAuth endpoints accept by default. The secret's "canary" marks any leak. */
export const HUBSPOT_STUB_CLIENT_ID = 'stub-client-id-5e1f0c'
export const HUBSPOT_STUB_CLIENT_SECRET = 'hubspot-client-secret-canary-4b6d20e8'
/** Every token the stub issues starts with one of these, so a test can search output for any of them. */
export const HUBSPOT_STUB_ACCESS_TOKEN_PREFIX = 'hs-access-canary-'
export const HUBSPOT_STUB_REFRESH_TOKEN_PREFIX = 'hs-refresh-canary-'

/** The path families of the Automation Actions API: the numbered v4 and the date versions. */
export const STUB_ACTIONS_API_VERSIONS = ['v4', '2026-03', '2026-09'] as const
export type StubActionsApiVersion = typeof STUB_ACTIONS_API_VERSIONS[number]

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
  readonly oauth: HubSpotOAuthStubState
  /** CRM records by `<type>/<id>` (`contacts/904`): what `GET /crm/v3/objects/contacts/904` answers. */
  readonly records: Map<string, StubRecord>
  /** Every accepted callback completion, single or batch, in order. */
  readonly completedCallbacks: CompletedCallback[]
  /** Answers the next completion calls get instead of being accepted, first first (see `failCallbacks`). */
  readonly callbackFaults: CallbackFault[]
}

export interface StubAuthCode {
  readonly portalId: number
  /** The redirect_uri the exchange must repeat; any is accepted when absent. */
  readonly redirectUri?: string
  readonly scopes: readonly string[]
  used: boolean
}

export interface StubToken {
  readonly portalId: number
  readonly scopes: readonly string[]
  /** Revoked (refresh) or expired/revoked (access): refused from now on. */
  revoked: boolean
}

export interface HubSpotOAuthStubState {
  clientId: string
  clientSecret: string
  /** Whether token answers carry `hub_id`; without it a client must introspect to learn the portal. */
  hubIdInTokenResponse: boolean
  expiresInSeconds: number
  readonly codes: Map<string, StubAuthCode>
  readonly accessTokens: Map<string, StubToken>
  readonly refreshTokens: Map<string, StubToken>
  nextToken: number
}

export interface StubRecord {
  readonly objectType: string
  readonly objectId: string
  properties: Record<string, string | null>
  /** When set, only this portal's tokens can read it (others get 404, as another account's record would). */
  readonly portalId?: number
}

export interface CompletedCallback {
  readonly callbackId: string
  readonly portalId: number
  /** `{outputFields, typedOutputs, …}` as sent (for a batch: that input, without its callbackId). */
  readonly body: any
  /** Which path family the completion came through. */
  readonly version: StubActionsApiVersion
  /** Whether it came through the batch path (even as a batch of one). */
  readonly batch: boolean
}

/**
 * What the next completion call answers instead of being accepted. A number is that status with HubSpot's error
 * body (401 also expires the access token presented, as HubSpot refusing a token means; a client refreshes and
 * retries). `retryAfterSeconds` adds `Retry-After`; `message` replaces HubSpot's words (to test scrubbing);
 * `drop` closes the connection without an answer (unreachable).
 */
export type CallbackFault =
  | number
  | { readonly status: number, readonly retryAfterSeconds?: number, readonly message?: string }
  | { readonly drop: true }

export interface HubSpotStub extends StubServer {
  /** What HUBSPOT_API_BASE_URL should be set to. */
  readonly baseUrl: string
  readonly state: HubSpotStubState
  /** Puts a definition in place as if created earlier (registers its routes); returns it. */
  seedDefinition (body: Record<string, unknown>): StoredDefinition
  /** Requests to the definition endpoints that change something (POST, PATCH, DELETE). */
  definitionWrites (): RecordedRequest[]
  /** An authorization code for the portal, as HubSpot appends to the redirect after the person consents. */
  issueAuthCode (portalId: number, options?: { redirectUri?: string, scopes?: readonly string[] }): string
  /** Revokes one refresh token: its next use is answered `invalid_grant` (what an uninstall does). */
  revokeRefreshToken (token: string): void
  /** Revokes every refresh token of a portal (the app was uninstalled there). */
  revokeRefreshTokens (portalId: number): void
  /** Makes the portal's current access tokens answer 401, as expired ones do, whatever the client thinks. */
  expireAccessTokens (portalId: number): void
  /** Every access and refresh token issued so far (to check none leaked). */
  issuedTokens (): string[]
  /** Puts a CRM record in place (type as the CRM path spells it: `contacts`, `companies`, …) and routes it. */
  seedRecord (objectType: string, objectId: string | number, properties: Record<string, string | null>, options?: { portalId?: number }): StubRecord
  /** Deletes a seeded record: reading it answers HubSpot's 404. */
  removeRecord (objectType: string, objectId: string | number): void
  /** Kept for older tests: every callbackId is accepted on every version's paths without being announced. */
  expectCallback (callbackId: string): void
  /**
   * The next completion calls (single or batch, any version, after the Bearer check) answer these, one each,
   * in order; later calls are accepted again. `stub.state.callbackFaults` holds those not yet used.
   */
  failCallbacks (...faults: CallbackFault[]): void
  /** Requests to `/oauth/…`, in order. */
  oauthRequests (): RecordedRequest[]
  /** Requests to `/crm/…`, in order. */
  crmRequests (): RecordedRequest[]
  /** Requests to the callback completion paths of every version, in order. */
  callbackRequests (): RecordedRequest[]
}

export interface HubSpotStubOptions {
  readonly appId?: number
  readonly developerApiKey?: string
  readonly maxPageSize?: number
  readonly clientId?: string
  readonly clientSecret?: string
  readonly hubIdInTokenResponse?: boolean
  readonly expiresInSeconds?: number
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
    nextDefinitionId: 900001,
    oauth: {
      clientId: options.clientId ?? HUBSPOT_STUB_CLIENT_ID,
      clientSecret: options.clientSecret ?? HUBSPOT_STUB_CLIENT_SECRET,
      hubIdInTokenResponse: options.hubIdInTokenResponse ?? true,
      expiresInSeconds: options.expiresInSeconds ?? 1800,
      codes: new Map(),
      accessTokens: new Map(),
      refreshTokens: new Map(),
      nextToken: 1
    },
    records: new Map(),
    completedCallbacks: [],
    callbackFaults: []
  }
  const server = await startStubServer()
  const definitions = registerDefinitionRoutes(server, state)
  const oauth = registerOAuthRoutes(server, state)
  const records = registerRecordRoutes(server, state)
  const callbacks = registerCallbackRoutes(server, state)
  const requestsUnder = (...prefixes: string[]) => () => server.requests.filter(request => prefixes.some(prefix => request.path.startsWith(prefix)))
  return {
    origin: server.origin,
    requests: server.requests,
    on: server.on,
    once: server.once,
    close: server.close,
    baseUrl: server.origin,
    state,
    seedDefinition: definitions.seed,
    definitionWrites: () => requestsUnder(...definitionCollections(state))().filter(request => request.method !== 'GET'),
    ...oauth,
    seedRecord: records.seed,
    removeRecord: records.remove,
    expectCallback: () => {},
    failCallbacks: callbacks.fail,
    oauthRequests: requestsUnder('/oauth/'),
    crmRequests: requestsUnder('/crm/'),
    callbackRequests: requestsUnder(...Object.values(CALLBACK_PATHS))
  }
}

/** The developer-key check of the definition endpoints: `?hapikey=`, as HubSpot documents it and its SDK sends it. */
function withDeveloperKey (state: HubSpotStubState, handler: StubHandler): StubHandler {
  return request => request.query.get('hapikey') === state.developerApiKey ? handler(request) : INVALID_KEY()
}

/** The definitions collection of the stub's app under each version: `/automation/v4/actions/{appId}` and the dated ones. */
function definitionCollections (state: HubSpotStubState): string[] {
  return STUB_ACTIONS_API_VERSIONS.map(version => version === 'v4' ? `/automation/v4/actions/${state.appId}` : `/automation/actions/${version}/${state.appId}`)
}

function registerDefinitionRoutes (server: StubServer, state: HubSpotStubState): { seed: (body: Record<string, unknown>) => StoredDefinition } {
  // HubSpot fills defaults into what it stores (assumed shape, for "compare only what we send" tests).
  const store = (body: Record<string, unknown>): StoredDefinition => {
    const id = String(state.nextDefinitionId++)
    const definition: StoredDefinition = { ...withDefaults(body), id, revisionId: '1', actionUrl: String(body.actionUrl) }
    state.definitions.set(id, definition)
    return definition
  }
  const notFound = (id: string | undefined): StubReply => hubSpotError(404, `No action definition ${id ?? ''}`, 'OBJECT_NOT_FOUND')

  // Every version serves one app's one set of definitions, as a legacy app moving to a date version would see.
  for (const collection of definitionCollections(state)) {
    server.on(`GET ${collection}/:definitionId`, withDeveloperKey(state, request => {
      const current = state.definitions.get(request.params.definitionId ?? '')
      return current === undefined ? notFound(request.params.definitionId) : { body: current }
    }))

    server.on(`PATCH ${collection}/:definitionId`, withDeveloperKey(state, request => {
      const id = request.params.definitionId ?? ''
      const current = state.definitions.get(id)
      if (current === undefined) return notFound(id)
      const patch = (request.json ?? {}) as Record<string, unknown>
      const updated: StoredDefinition = { ...current, ...withDefaults(patch), id, revisionId: String(Number(current.revisionId) + 1), actionUrl: String(patch.actionUrl ?? current.actionUrl) }
      state.definitions.set(id, updated)
      return { body: updated }
    }))

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
  }

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

/** An OAuth error as HubSpot's v3 endpoints answer it: RFC 6749 `error`/`error_description`, plus the legacy fields. */
export function oauthError (status: number, error: string, description: string, legacyStatus: string): StubReply {
  return { status, body: { error, error_description: description, status: legacyStatus, message: description, correlationId: randomUUID() } }
}

const INVALID_CLIENT = (): StubReply => oauthError(400, 'invalid_client', 'missing or unknown client_id or wrong client_secret', 'BAD_CLIENT_ID')

function bearerToken (request: RecordedRequest): string | undefined {
  const header = request.headers.authorization
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined
}

/** The portal behind a Bearer token the stub issued and has not revoked, or a 401 as HubSpot answers it. */
function bearerPortal (state: HubSpotStubState, request: RecordedRequest): number | StubReply {
  const token = bearerToken(request)
  const known = token === undefined ? undefined : state.oauth.accessTokens.get(token)
  if (known === undefined) return hubSpotError(401, 'Authentication credentials not found. This API supports OAuth 2.0 authentication.', 'INVALID_AUTHENTICATION')
  if (known.revoked) return hubSpotError(401, 'The OAuth token used to make this call expired 1 minute(s) ago.', 'EXPIRED_AUTHENTICATION')
  return known.portalId
}

function registerOAuthRoutes (server: StubServer, state: HubSpotStubState) {
  const oauth = state.oauth
  const newToken = (prefix: string) => `${prefix}${oauth.nextToken++}-${randomUUID()}`
  const issue = (portalId: number, scopes: readonly string[], refreshToken?: string) => {
    const accessToken = newToken(HUBSPOT_STUB_ACCESS_TOKEN_PREFIX)
    oauth.accessTokens.set(accessToken, { portalId, scopes, revoked: false })
    const refresh = refreshToken ?? newToken(HUBSPOT_STUB_REFRESH_TOKEN_PREFIX)
    if (refreshToken === undefined) oauth.refreshTokens.set(refresh, { portalId, scopes, revoked: false })
    return {
      token_type: 'bearer',
      access_token: accessToken,
      // HubSpot hands back the same refresh token on a refresh.
      refresh_token: refresh,
      expires_in: oauth.expiresInSeconds,
      scopes: [...scopes],
      ...(oauth.hubIdInTokenResponse ? { hub_id: portalId } : {})
    }
  }
  // Form fields from the body only: credentials in the URL are refused, as HubSpot's v3 endpoints do.
  const formOf = (request: RecordedRequest): URLSearchParams | StubReply => {
    if (['client_secret', 'code', 'refresh_token', 'token'].some(name => request.query.has(name))) {
      return oauthError(400, 'invalid_request', 'credentials must be sent in the request body, not the URL', 'BAD_REQUEST')
    }
    if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return oauthError(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded', 'BAD_REQUEST')
    }
    const form = new URLSearchParams(request.text)
    return form.get('client_id') === oauth.clientId && form.get('client_secret') === oauth.clientSecret ? form : INVALID_CLIENT()
  }

  server.on('POST /oauth/v3/token', request => {
    const form = formOf(request)
    if (!(form instanceof URLSearchParams)) return form
    const grant = form.get('grant_type')
    if (grant === 'authorization_code') {
      const code = oauth.codes.get(form.get('code') ?? '')
      if (code === undefined || code.used) return oauthError(400, 'invalid_grant', 'the authorization code is unknown, expired or already used', 'BAD_AUTH_CODE')
      code.used = true
      if (code.redirectUri !== undefined && form.get('redirect_uri') !== code.redirectUri) {
        return oauthError(400, 'invalid_grant', 'redirect_uri does not match the one the code was issued for', 'MISMATCH_REDIRECT_URI_AUTH_CODE')
      }
      return { body: issue(code.portalId, code.scopes) }
    }
    if (grant === 'refresh_token') {
      const token = form.get('refresh_token') ?? ''
      const known = oauth.refreshTokens.get(token)
      if (known === undefined || known.revoked) return oauthError(400, 'invalid_grant', 'missing or invalid refresh token', 'BAD_REFRESH_TOKEN')
      return { body: issue(known.portalId, known.scopes, token) }
    }
    return oauthError(400, 'unsupported_grant_type', `grant_type ${grant ?? '(none)'} is not supported`, 'BAD_GRANT_TYPE')
  })

  server.on('POST /oauth/v3/token/introspect', request => {
    const form = formOf(request)
    if (!(form instanceof URLSearchParams)) return form
    const token = form.get('token') ?? ''
    const access = oauth.accessTokens.get(token)
    const refresh = oauth.refreshTokens.get(token)
    const known = access ?? refresh
    if (known === undefined || known.revoked) return { body: { active: false } }
    return {
      body: {
        active: true,
        hub_id: known.portalId,
        app_id: state.appId,
        client_id: oauth.clientId,
        scopes: [...known.scopes],
        token_type: 'bearer',
        token_use: access === undefined ? 'refresh_token' : 'access_token',
        user_id: 7001,
        ...(access === undefined ? {} : { expires_in: oauth.expiresInSeconds })
      }
    }
  })

  return {
    issueAuthCode (portalId: number, options: { redirectUri?: string, scopes?: readonly string[] } = {}): string {
      const code = `hs-code-canary-${randomUUID()}`
      oauth.codes.set(code, { portalId, scopes: options.scopes ?? ['oauth', 'automation'], used: false, ...(options.redirectUri === undefined ? {} : { redirectUri: options.redirectUri }) })
      return code
    },
    revokeRefreshToken (token: string): void {
      const known = oauth.refreshTokens.get(token)
      if (known !== undefined) known.revoked = true
    },
    revokeRefreshTokens (portalId: number): void {
      for (const token of oauth.refreshTokens.values()) if (token.portalId === portalId) token.revoked = true
    },
    expireAccessTokens (portalId: number): void {
      for (const token of oauth.accessTokens.values()) if (token.portalId === portalId) token.revoked = true
    },
    issuedTokens: (): string[] => [...oauth.accessTokens.keys(), ...oauth.refreshTokens.keys()]
  }
}

/** Properties HubSpot adds to every object read, asked for or not. */
function defaultProperties (record: StubRecord): Record<string, string> {
  return { hs_object_id: record.objectId, createdate: '2025-01-02T03:04:05.000Z', lastmodifieddate: '2025-06-07T08:09:10.000Z' }
}

function registerRecordRoutes (server: StubServer, state: HubSpotStubState) {
  const key = (objectType: string, objectId: string | number) => `${objectType}/${objectId}`
  const notFound = (): StubReply => hubSpotError(404, 'Object not found.  objectId are usually numeric.', 'OBJECT_NOT_FOUND')

  return {
    seed (objectType: string, objectId: string | number, properties: Record<string, string | null>, options: { portalId?: number } = {}): StubRecord {
      const record: StubRecord = { objectType, objectId: String(objectId), properties: { ...properties }, ...(options.portalId === undefined ? {} : { portalId: options.portalId }) }
      state.records.set(key(objectType, objectId), record)
      server.on(`GET /crm/v3/objects/${objectType}/${objectId}`, request => {
        const portal = bearerPortal(state, request)
        if (typeof portal !== 'number') return portal
        const current = state.records.get(key(objectType, objectId))
        if (current === undefined || (current.portalId !== undefined && current.portalId !== portal)) return notFound()
        // `properties=a,b` or `properties=a&properties=b`; names the record lacks are left out, as HubSpot does.
        const asked = request.query.getAll('properties').flatMap(value => value.split(',')).map(name => name.trim()).filter(Boolean)
        const properties = { ...defaultProperties(current), ...Object.fromEntries(asked.filter(name => name in current.properties).map(name => [name, current.properties[name] ?? null])) }
        return { body: { id: current.objectId, properties, createdAt: properties.createdate, updatedAt: properties.lastmodifieddate, archived: false } }
      })
      return record
    },
    remove (objectType: string, objectId: string | number): void {
      state.records.delete(key(objectType, objectId))
    }
  }
}

const EXECUTION_STATES = ['SUCCESS', 'FAIL_CONTINUE']
/** HubSpot's batch endpoints take at most 100 inputs. */
const MAX_BATCH_INPUTS = 100

/** The prefix of each version's completion paths: `{prefix}{callbackId}/complete` and `{prefix}complete`. */
const CALLBACK_PATHS: Readonly<Record<StubActionsApiVersion, string>> = {
  v4: '/automation/v4/actions/callbacks/',
  '2026-03': '/automation/actions/callbacks/2026-03/',
  '2026-09': '/automation/actions/callbacks/2026-09/'
}

/** HubSpot's words for the statuses a fault usually stands for. */
const FAULT_ANSWERS: Readonly<Record<number, { message: string, category: string, extra?: Record<string, unknown> }>> = {
  401: { message: 'The OAuth token used to make this call expired 1 minute(s) ago.', category: 'EXPIRED_AUTHENTICATION' },
  403: { message: 'This app hasn\'t been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.', category: 'MISSING_SCOPES' },
  404: { message: 'No callback found for the given callbackId.', category: 'OBJECT_NOT_FOUND' },
  429: { message: 'You have reached your secondly limit.', category: 'RATE_LIMITS', extra: { errorType: 'RATE_LIMIT', policyName: 'SECONDLY' } },
  500: { message: 'internal error', category: 'INTERNAL_ERROR' },
  502: { message: 'Bad Gateway', category: 'BAD_GATEWAY' },
  503: { message: 'Service Unavailable', category: 'SERVICE_UNAVAILABLE' }
}

function faultReply (fault: CallbackFault, expireToken: () => void): StubReply {
  if (typeof fault === 'object' && 'drop' in fault) return { destroy: true }
  const { status, retryAfterSeconds, message } = typeof fault === 'number' ? { status: fault, retryAfterSeconds: undefined, message: undefined } : fault
  // HubSpot refusing a token means that token is dead: the client's retry must come with a fresh one.
  if (status === 401) expireToken()
  const known = FAULT_ANSWERS[status] ?? { message: `HTTP ${status}`, category: status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR' }
  const reply = hubSpotError(status, message ?? known.message, known.category, known.extra)
  return retryAfterSeconds === undefined ? reply : { ...reply, headers: { 'retry-after': String(retryAfterSeconds) } }
}

function registerCallbackRoutes (server: StubServer, state: HubSpotStubState) {
  const invalid = (message: string): StubReply => hubSpotError(400, message, 'VALIDATION_ERROR')
  const completionProblem = (version: StubActionsApiVersion, body: any): string | undefined => {
    if (!EXECUTION_STATES.includes(body?.outputFields?.hs_execution_state)) return `outputFields.hs_execution_state must be one of ${EXECUTION_STATES.join(', ')}`
    const typedOutputs = body?.typedOutputs
    const isObject = typedOutputs !== null && typeof typedOutputs === 'object' && !Array.isArray(typedOutputs)
    // The 2026-03 and 2026-09 specs mark typedOutputs required; v4 bodies predate it.
    if (version !== 'v4' && !isObject) return 'typedOutputs is required and must be an object'
    if (typedOutputs !== undefined && !isObject) return 'typedOutputs must be an object'
    return undefined
  }

  /** The Bearer check, then the next fault if one is queued; `{portalId}` when the call goes ahead for that portal. */
  const gate = (request: RecordedRequest): { portalId: number } | StubReply => {
    const portal = bearerPortal(state, request)
    if (typeof portal !== 'number') return portal
    const fault = state.callbackFaults.shift()
    if (fault === undefined) return { portalId: portal }
    return faultReply(fault, () => {
      const known = state.oauth.accessTokens.get(bearerToken(request) ?? '')
      if (known !== undefined) known.revoked = true
    })
  }

  for (const version of STUB_ACTIONS_API_VERSIONS) {
    const prefix = CALLBACK_PATHS[version]

    server.on(`POST ${prefix}complete`, request => {
      const allowed = gate(request)
      if (!('portalId' in allowed)) return allowed
      const inputs = request.json?.inputs
      if (!Array.isArray(inputs) || inputs.length === 0) return invalid('inputs is required and must not be empty')
      if (inputs.length > MAX_BATCH_INPUTS) return invalid(`at most ${MAX_BATCH_INPUTS} inputs per batch`)
      if (inputs.some(input => typeof input?.callbackId !== 'string' || input.callbackId === '')) return invalid('every input needs a callbackId')
      const problem = inputs.map(input => completionProblem(version, input)).find(found => found !== undefined)
      if (problem !== undefined) return invalid(problem)
      for (const { callbackId, ...body } of inputs) state.completedCallbacks.push({ callbackId, portalId: allowed.portalId, body, version, batch: true })
      return { status: 204 }
    })

    server.on(`POST ${prefix}:callbackId/complete`, request => {
      const allowed = gate(request)
      if (!('portalId' in allowed)) return allowed
      const problem = completionProblem(version, request.json)
      if (problem !== undefined) return invalid(problem)
      state.completedCallbacks.push({ callbackId: request.params.callbackId ?? '', portalId: allowed.portalId, body: request.json, version, batch: false })
      return { status: 204 }
    })
  }

  return {
    fail (...faults: CallbackFault[]): void {
      state.callbackFaults.push(...faults)
    }
  }
}
