/**
 * Upserts our action definitions into a HubSpot app through the Automation Actions v4 API: list what the app
 * has, then create what is missing, patch what differs and leave the rest alone. Safe to re-run.
 *
 * Requests are built and answers parsed by @hubspot/api-client's generated DefinitionsApi, so paths, the
 * `hapikey` developer-key query parameter, headers and body serialisation are exactly the SDK's. Only the
 * transport is ours: the SDK's own HTTP layer is a bundled node-fetch that cannot take the injected `fetch`
 * (proxies, loopback fakes in tests), and catching non-2xx answers there gives one error shape for all calls.
 *
 * @see /work/shared/reference/hubspot.md §1.1–1.2
 */

import {
  ApiException,
  createConfiguration,
  DefinitionsApi,
  ResponseContext,
  ServerConfiguration,
  wrapHttpLibrary,
  type PublicActionDefinition,
  type PublicActionDefinitionEgg,
  type PublicActionDefinitionPatch,
  type RequestContext
} from '@hubspot/api-client/lib/codegen/automation/actions/index.js'
import { AppError } from '../../plugins/errors.ts'
import { actionPath, type ActionDefinition, type ActionDefinitionEntry, type ActionKey } from './definitions/build-definitions.ts'

export interface PublishOptions {
  /** HUBSPOT_API_BASE_URL, e.g. https://api.hubapi.com */
  readonly apiBaseUrl: string
  readonly appId: string | number
  readonly developerApiKey: string
  readonly definitions: readonly ActionDefinitionEntry[]
  readonly fetch: typeof globalThis.fetch
  /** Progress and warnings, one line each. Never receives the developer key. */
  readonly log: (line: string) => void
}

export interface PublishResult {
  readonly key: ActionKey
  readonly action: 'created' | 'updated' | 'unchanged'
  readonly definitionId: string
}

/** Definitions per list page. HubSpot's maximum for this endpoint is not documented; 100 is its usual cap. */
const PAGE_SIZE = 100

/** A failed call to HubSpot's API. `status` is HubSpot's HTTP status, 0 when HubSpot could not be reached. */
export class HubSpotApiError extends AppError {
  readonly status: number
  readonly category?: string
  readonly correlationId?: string

  constructor (message: string, details: { status: number, category?: string, correlationId?: string, cause?: unknown }) {
    super('HUBSPOT_API_ERROR', message, { cause: details.cause })
    this.name = 'HubSpotApiError'
    this.status = details.status
    this.category = details.category
    this.correlationId = details.correlationId
  }
}

export async function publishDefinitions (options: PublishOptions): Promise<PublishResult[]> {
  const appId = Number(options.appId)
  if (!Number.isSafeInteger(appId) || appId <= 0) throw new Error(`The HubSpot app id must be a positive whole number, not "${String(options.appId)}".`)
  const scrub = scrubber(options.developerApiKey)
  const api = new DefinitionsApi(createConfiguration({
    baseServer: new ServerConfiguration(options.apiBaseUrl.replace(/\/+$/, ''), {}),
    authMethods: { developer_hapikey: options.developerApiKey },
    httpApi: fetchHttpLibrary(options.fetch, scrub)
  }))
  const call = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (error) {
      throw asHubSpotError(error, operation, scrub)
    }
  }

  const existing = await listDefinitions(appId, (limit, after) => call(`list the definitions of app ${appId}`, () => api.getPage(appId, limit, after)))
  options.log(`app ${appId} has ${existing.length} action definition${existing.length === 1 ? '' : 's'}`)

  const results: PublishResult[] = []
  for (const { key, definition } of options.definitions) {
    const matches = existing.filter(candidate => servesAction(candidate.actionUrl, key))
    const current = matches[0]
    if (matches.length > 1) {
      options.log(`warning: ${matches.length} definitions serve ${actionPath(key)} (${matches.map(match => match.id).join(', ')}); updating ${current?.id} only, archive the others in HubSpot`)
    }
    if (current === undefined) {
      // The SDK's model classes declare more than the public spec requires (externalOptions, Option.hidden, …);
      // its serialiser only sends the keys present, which are ours.
      const created = await call(`create ${key}`, () => api.create(appId, definition as unknown as PublicActionDefinitionEgg))
      results.push({ key, action: 'created', definitionId: String(created.id) })
      continue
    }
    const patch = patchBody(definition)
    if (containsAll(current, patch)) {
      results.push({ key, action: 'unchanged', definitionId: String(current.id) })
      continue
    }
    const updated = await call(`update ${key} (${current.id})`, () => api.update(current.id, appId, patch as unknown as PublicActionDefinitionPatch))
    results.push({ key, action: 'updated', definitionId: String(updated.id ?? current.id) })
  }
  return results
}

async function listDefinitions (appId: number, page: (limit: number, after?: string) => Promise<{ results: PublicActionDefinition[], paging?: { next?: { after: string } } }>): Promise<PublicActionDefinition[]> {
  const all: PublicActionDefinition[] = []
  const seen = new Set<string>()
  let after: string | undefined
  do {
    const answer = await page(PAGE_SIZE, after)
    all.push(...(answer.results ?? []))
    after = answer.paging?.next?.after || undefined
    if (after !== undefined) {
      // A cursor seen before would loop forever.
      if (seen.has(after)) throw new HubSpotApiError(`HubSpot repeated the page cursor "${after}" while listing the definitions of app ${appId}.`, { status: 200 })
      seen.add(after)
    }
  } while (after !== undefined)
  return all
}

/** Whether a definition's actionUrl is ours for that key, whatever the host: PUBLIC_URL may have changed. */
function servesAction (actionUrl: string | undefined, key: ActionKey): boolean {
  try {
    return new URL(actionUrl ?? '').pathname.replace(/\/+$/, '').endsWith(actionPath(key))
  } catch {
    return false
  }
}

/** Everything we send on update. `functions` cannot be patched and we have none. */
function patchBody (definition: ActionDefinition): Omit<ActionDefinition, 'functions'> {
  const { functions: _functions, ...rest } = definition
  return rest
}

/**
 * Whether `actual` already holds everything in `expected`. Keys only HubSpot adds (ids, defaults such as
 * `externalOptions`) are ignored; arrays must match in length and order, since order is meaningful (fields,
 * options, rules).
 */
export function containsAll (actual: unknown, expected: unknown): boolean {
  if (expected === undefined) return true
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((item, index) => containsAll(actual[index], item))
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return false
    return Object.entries(expected).every(([key, value]) => containsAll((actual as Record<string, unknown>)[key], value))
  }
  return actual === expected
}

function fetchHttpLibrary (fetchImplementation: typeof globalThis.fetch, scrub: (text: string) => string) {
  return wrapHttpLibrary({
    async send (request: RequestContext): Promise<ResponseContext> {
      const url = new URL(request.getUrl())
      const where = `${request.getHttpMethod()} ${url.pathname}`
      let response: Response
      try {
        response = await fetchImplementation(url, {
          method: request.getHttpMethod(),
          headers: request.getHeaders(),
          body: request.getBody() as string | undefined
        })
      } catch (error) {
        const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : ''
        throw new HubSpotApiError(scrub(`HubSpot could not be reached for ${where}: ${error instanceof Error ? error.message : String(error)}${cause}`), { status: 0 })
      }
      const text = await response.text()
      if (!response.ok) throw errorFromAnswer(response.status, where, text, scrub)
      const headers: Record<string, string> = {}
      response.headers.forEach((value, name) => { headers[name] = value })
      return new ResponseContext(response.status, headers, { text: async () => text, binary: async () => Buffer.from(text) })
    }
  })
}

/** HubSpot's error body: `{status, message, correlationId, category, errors?: [{message}]}`. */
function errorFromAnswer (status: number, where: string, text: string, scrub: (text: string) => string): HubSpotApiError {
  let body: { message?: unknown, category?: unknown, correlationId?: unknown, errors?: unknown } = {}
  try {
    const parsed: unknown = JSON.parse(text)
    if (parsed !== null && typeof parsed === 'object') body = parsed
  } catch {}
  const details = Array.isArray(body.errors)
    ? body.errors.map(item => (item as { message?: unknown })?.message).filter((message): message is string => typeof message === 'string').slice(0, 5)
    : []
  const hubspotMessage = typeof body.message === 'string' ? body.message : text.trim().slice(0, 300) || 'no message'
  const category = typeof body.category === 'string' ? body.category : undefined
  const correlationId = typeof body.correlationId === 'string' ? body.correlationId : undefined
  const extras = [category === undefined ? '' : `category ${category}`, correlationId === undefined ? '' : `correlation id ${correlationId}`].filter(Boolean).join(', ')
  const hint = status === 401 || status === 403
    // HubSpot's spec lists only OAuth for these endpoints since 2026; whether hapikey still works is unconfirmed.
    ? ' Check HUBSPOT_DEVELOPER_API_KEY (the developer account key of the account that owns the app) and HUBSPOT_APP_ID.' +
      ' If both are right, HubSpot may no longer take developer keys here: ship the actions as hsmeta files instead' +
      ' (llm-actions print-definitions --format hsmeta, then hs project upload).'
    : ''
  const message = `HubSpot answered ${status} to ${where}: ${hubspotMessage}${details.length > 0 ? ` (${details.join('; ')})` : ''}${extras === '' ? '' : ` [${extras}]`}${hint}`
  return new HubSpotApiError(scrub(message), { status, category, correlationId })
}

function asHubSpotError (error: unknown, operation: string, scrub: (text: string) => string): HubSpotApiError {
  if (error instanceof HubSpotApiError) return error
  // The SDK rejects 2xx answers it does not expect (say 200 where it wants 201) and bodies it cannot parse.
  const status = error instanceof ApiException ? Number(error.code) : 0
  const reason = error instanceof ApiException ? 'an unexpected answer' : error instanceof Error ? error.message : String(error)
  return new HubSpotApiError(scrub(`Could not ${operation}: ${reason}${status === 0 ? '' : ` (HTTP ${status})`}.`), { status })
}

/** Removes the developer key, raw or URL-encoded, and any `hapikey=` value from text bound for logs or errors. */
function scrubber (secret: string): (text: string) => string {
  const forms = secret === '' ? [] : [...new Set([secret, encodeURIComponent(secret)])]
  return text => forms.reduce((result, form) => result.split(form).join('[redacted]'), text).replace(/hapikey=[^&\s"']+/gi, 'hapikey=[redacted]')
}
