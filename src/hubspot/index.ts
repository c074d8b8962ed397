import type { Keyring } from '../../plugins/keyring/keyring.ts'
import { createCallbackCompleter, type CompleteCallbacks } from './callbacks.ts'
import { createRecordPropertyReader, type RecordPropertyRead } from './crm.ts'
import { createHubSpotDefinitions, type HubSpotDefinitions } from './definitions.ts'
import { createHubSpotHttp } from './hubspot-http.ts'
import { createHubSpotOAuth, type HubSpotClientSettings, type HubSpotLogger, type HubSpotOAuth, type HubSpotOAuthOptions } from './oauth.ts'

/**
 * The one HubSpot client: every call to HubSpot's API goes through it, over one transport (`hubspot-http.ts`) with
 * one timeout, one secret scrubber and one error type (`HubSpotApiError`). Plain module: its collaborators are
 * arguments, and it knows nothing of Fastify (`plugin.ts` decorates the instance with it).
 *
 * Its methods do not use `this`, so they can be passed around unbound.
 */

export { ACTIONS_API_VERSIONS, DEFAULT_ACTIONS_API_VERSION, isActionsApiVersion, type ActionsApiVersion } from './actions-api-paths.ts'
export { MAX_COMPLETIONS_PER_CALL, type CallbackCompletion, type CompleteCallbacks, type CompletionAnswer } from './callbacks.ts'
export { crmObjectPath, type RecordPropertyRead } from './crm.ts'
export { createHubSpotDefinitions, type DefinitionPage, type HubSpotDefinitions, type RemoteDefinition } from './definitions.ts'
export { createHubSpotHttp, DEFAULT_TIMEOUT_MS, HubSpotApiError, type HubSpotHttp } from './hubspot-http.ts'
export { HUBSPOT_AUTHORIZE_URL, REFRESH_MARGIN_MS, STATE_MAX_AGE_MS, type HubSpotClientSettings, type HubSpotLogger } from './oauth.ts'

export interface HubSpotClientOptions {
  readonly settings: HubSpotClientSettings
  readonly repositories: HubSpotOAuthOptions['repositories']
  readonly keyring: Keyring
  readonly clock: () => number
  readonly fetch: typeof globalThis.fetch
  readonly log: HubSpotLogger
  /** Limit for each HubSpot call, in milliseconds. */
  readonly timeoutMs?: number
}

export interface HubSpotClient {
  /** The URL that starts an install: HubSpot's authorize page with a fresh single-use `state`. */
  readonly installUrl: HubSpotOAuth['installUrl']
  /** Finishes an install from the callback's `code` and `state`: stores the portal's tokens, marks it installed. */
  readonly completeInstall: HubSpotOAuth['completeInstall']
  /** A currently valid access token for the portal, refreshed if needed; undefined when it never installed. */
  readonly accessToken: HubSpotOAuth['accessToken']
  /** Record properties from HubSpot's CRM; undefined when the portal has not installed the app (or must re-install). */
  readonly readRecordProperties: RecordPropertyRead
  /** Finishes BLOCKed executions of one portal in one call (single or batch path); never throws. */
  readonly completeCallbacks: CompleteCallbacks
  /** The app's action definitions, with HUBSPOT_DEVELOPER_API_KEY (HUBSPOT_NOT_CONFIGURED without it). */
  readonly definitions: HubSpotDefinitions
}

export function createHubSpotClient (options: HubSpotClientOptions): HubSpotClient {
  const { settings } = options
  const http = createHubSpotHttp({
    apiBaseUrl: settings.hubspot.apiBaseUrl,
    fetch: options.fetch,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    secrets: [settings.hubspot.clientSecret, settings.hubspot.developerApiKey]
  })
  const oauth = createHubSpotOAuth({ settings, repositories: options.repositories, keyring: options.keyring, clock: options.clock, http, log: options.log })
  return {
    installUrl: oauth.installUrl,
    completeInstall: oauth.completeInstall,
    accessToken: oauth.accessToken,
    readRecordProperties: createRecordPropertyReader(oauth),
    completeCallbacks: createCallbackCompleter({ oauth, actionsApiVersion: settings.hubspot.actionsApiVersion, scrub: text => http.scrub(text) }),
    definitions: createHubSpotDefinitions({ http, developerApiKey: settings.hubspot.developerApiKey, actionsApiVersion: settings.hubspot.actionsApiVersion })
  }
}
