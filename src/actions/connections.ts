import type { ConnectionRecord } from '../../db/repositories/connections-repository.ts'
import type { LlmProvider, ProviderCredentials, ProviderModel } from '../../providers/contract.ts'
import { isAllowedOrigin } from '../../providers/allowed-hosts.ts'
import { decryptConnectionKey } from '../../plugins/keyring/key-health.ts'
import { KeyringError, keyHint } from '../../plugins/keyring/keyring.ts'
import { AppError, quoteExcerpt } from '../../plugins/errors.ts'
import type { Connection } from '../schemas/admin/connections.ts'
import { connectionKeyContext, type ActionContext } from './action-context.ts'
import { appErrorFromProvider, providerErrorFromThrown } from './provider-failure.ts'

/** A connection as the admin API shows it. The allowlist is a copy: the repository shares one record among callers. */
export function connectionView (record: ConnectionRecord): Connection {
  return {
    provider: record.provider,
    keyHint: record.keyHint,
    status: record.status,
    connectedAt: new Date(record.connectedAt).toISOString(),
    lastValidatedAt: new Date(record.lastValidatedAt).toISOString(),
    allowedModels: record.allowedModels === null ? null : [...record.allowedModels],
    ...(record.baseUrl === null ? {} : { baseUrl: record.baseUrl })
  }
}

/** The portal's connections, as the admin API shows them. */
export async function listConnections (context: ActionContext, portalId: number): Promise<Connection[]> {
  return (await context.repositories.connections.list(portalId)).map(connectionView)
}

export function findProvider (context: ActionContext, providerId: string): LlmProvider {
  const provider = context.providers.find(providerId)
  if (provider === undefined) {
    const known = context.providers.list().map(candidate => candidate.id).join(', ')
    throw new AppError('PROVIDER_UNKNOWN', `No provider ${quoteExcerpt(providerId)}. Installed providers: ${known}.`)
  }
  return provider
}

export async function findConnection (context: ActionContext, portalId: number, providerId: string): Promise<ConnectionRecord> {
  const connection = await context.repositories.connections.find(portalId, providerId)
  if (connection === undefined) {
    throw new AppError('PROVIDER_NOT_CONNECTED', `Portal ${portalId} has not connected ${providerId}. Connect a key first: PUT /api/portals/${portalId}/connections/${providerId}.`)
  }
  return connection
}

/**
 * Decrypted keys, one per connection record. The repository hands out the same record until the connection
 * changes (switch key, disconnect, allowlist, status), so a key is decrypted once per change rather than once per
 * execution, and a record the repository has dropped takes its key with it.
 */
const decryptedKeys = new WeakMap<ConnectionRecord, ProviderCredentials>()

/**
 * The decrypted key, for one call. The keyring refuses a ciphertext moved to another portal or provider, and one
 * under a key ENCRYPTION_KEYS no longer holds: KEY_UNREADABLE, which no retry can mend, so executions fail at once.
 */
export function credentialsFor (context: ActionContext, connection: ConnectionRecord): ProviderCredentials {
  const known = decryptedKeys.get(connection)
  if (known !== undefined) return known
  let apiKey: string
  try {
    apiKey = decryptConnectionKey(context.keyring, connection)
  } catch (error) {
    if (!(error instanceof KeyringError)) throw error
    // The keyring's reason (a missing key id, a failed authentication) tells a workflow builder nothing: say what to do.
    throw new AppError('KEY_UNREADABLE', `The stored ${connection.provider} API key of portal ${connection.portalId} cannot be decrypted: ENCRYPTION_KEYS is wrong, or no longer holds the key it was encrypted with. Put that key back into ENCRYPTION_KEYS, or connect ${connection.provider} again (PUT /api/portals/${connection.portalId}/connections/${connection.provider}).`, { cause: error })
  }
  const credentials = Object.freeze({ apiKey, ...(connection.baseUrl === null ? {} : { baseUrl: connection.baseUrl }) })
  decryptedKeys.set(connection, credentials)
  return credentials
}

/**
 * A connection's own base URL may only point at the provider's declared hosts or at hosts the operator allowed
 * (`ALLOWED_PROVIDER_HOSTS`): otherwise anyone with the admin token could make this server call internal addresses.
 * Scheme and port are part of the match (see `providers/allowed-hosts.ts`), and providers never follow a redirect,
 * so the origin checked here is the only one a call can reach.
 */
export function checkBaseUrl (provider: LlmProvider, baseUrl: string | undefined, allowedHosts: readonly string[]): string | undefined {
  if (baseUrl === undefined) {
    if (provider.requiresBaseUrl === true) throw new AppError('INVALID_INPUT', `${provider.label} connections need a baseUrl (the server's OpenAI-compatible API root, e.g. https://llm.internal.example/v1).`)
    return undefined
  }
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    throw new AppError('INVALID_INPUT', 'baseUrl must be an absolute http(s) URL.')
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') {
    throw new AppError('INVALID_INPUT', 'baseUrl must be an http(s) URL without credentials in it.')
  }
  if (!isAllowedOrigin(url, [...provider.hosts, ...allowedHosts])) {
    throw new AppError('BASE_URL_NOT_ALLOWED', `The address ${url.origin} is not allowed for ${provider.label}. An operator can allow it with ALLOWED_PROVIDER_HOSTS: "host" admits https on port 443, "host:port" https on that port (and http too for localhost, 127.x.x.x and [::1]), and "http://host:port" clear text explicitly.`)
  }
  return url.toString().replace(/\/+$/, '')
}

// Every provider issues keys in printable ASCII. Anything else came with the paste (an emoji, a no-break space, a
// line break inside the key) and would fail as an HTTP header before the provider could judge the key.
const NOT_IN_AN_API_KEY = /[^\x21-\x7E]/u

/** Refuses a key no provider could have issued, naming where the bad character is but never the key itself. */
function assertPlausibleKey (provider: LlmProvider, apiKey: string): void {
  const characters = [...apiKey]
  const position = characters.findIndex(character => NOT_IN_AN_API_KEY.test(character))
  if (position === -1) return
  throw new AppError('INVALID_API_KEY', `This API key contains a character API keys never have (character ${position + 1} of ${characters.length}: a pasted emoji, a space or line break inside the key, or another non-ASCII character); nothing was stored and ${provider.label} was not called. Copy the key again from ${provider.label} and paste it as plain text.`)
}

export interface ConnectInput {
  readonly portalId: number
  readonly providerId: string
  readonly apiKey: string
  readonly baseUrl?: string
  readonly actor: string
}

/**
 * Connects a provider for a portal, or switches its key. The key is checked with the provider first; a
 * rejected key, or one with characters no provider's key has, is refused with INVALID_API_KEY and nothing is written.
 */
export async function connectProvider (context: ActionContext, input: ConnectInput): Promise<{ connection: Connection, action: 'connect' | 'switch_key' }> {
  const provider = findProvider(context, input.providerId)
  const apiKey = input.apiKey.trim()
  assertPlausibleKey(provider, apiKey)
  const baseUrl = checkBaseUrl(provider, input.baseUrl, context.settings.allowedProviderHosts)
  const credentials = { apiKey, ...(baseUrl === undefined ? {} : { baseUrl }) }
  let verdict
  try {
    verdict = await provider.validateKey(credentials, { signal: AbortSignal.timeout(Math.min(30_000, context.settings.providerTimeoutMs)) })
  } catch (error) {
    const failure = providerErrorFromThrown(error, { provider, secrets: [apiKey], log: context.log, during: 'validateKey' })
    throw appErrorFromProvider(failure, [apiKey], provider.label)
  }
  if (!verdict.valid) {
    throw new AppError('INVALID_API_KEY', `${provider.label} rejected this API key; nothing was stored. Check that it is current and has API access.`)
  }
  const at = context.clock()
  const action = await context.repositories.connections.save({
    portalId: input.portalId,
    provider: provider.id,
    encryptedKey: context.keyring.encrypt(apiKey, connectionKeyContext(input.portalId, provider.id)),
    keyHint: keyHint(apiKey),
    baseUrl: baseUrl ?? null,
    at,
    actor: input.actor
  })
  context.modelCatalogue.forget(provider.id, String(input.portalId))
  context.log.info({ portalId: input.portalId, provider: provider.id, action }, 'provider connection saved')
  const saved = await findConnection(context, input.portalId, provider.id)
  // Warm the model list now, so the first dropdown in HubSpot answers from cache.
  void modelsForConnection(context, saved).catch(() => undefined)
  return { connection: connectionView(saved), action }
}

export async function disconnectProvider (context: ActionContext, portalId: number, providerId: string, actor: string): Promise<void> {
  if (!await context.repositories.connections.remove(portalId, providerId, actor, context.clock())) await findConnection(context, portalId, providerId)
  context.modelCatalogue.forget(providerId, String(portalId))
  context.log.info({ portalId, provider: providerId }, 'provider disconnected; key erased')
}

export async function setAllowedModels (context: ActionContext, portalId: number, providerId: string, models: readonly string[] | null, actor: string): Promise<Connection> {
  findProvider(context, providerId)
  const unique = models === null ? null : [...new Set(models.map(model => model.trim()).filter(model => model !== ''))]
  if (!await context.repositories.connections.setAllowedModels(portalId, providerId, unique, actor, context.clock())) await findConnection(context, portalId, providerId)
  return connectionView(await findConnection(context, portalId, providerId))
}

/**
 * The models a portal's workflow users may pick for one provider: the live (or cached, or curated) list cut to the
 * allowlist. With `everyModel`, the whole list whatever the allowlist (what an admin chooses the allowlist from).
 */
export async function modelsForConnection (context: ActionContext, connection: ConnectionRecord, options: { waitMs?: number, everyModel?: boolean } = {}): Promise<{ models: readonly ProviderModel[], source: string }> {
  const provider = findProvider(context, connection.provider)
  const list = await context.modelCatalogue.models(provider, String(connection.portalId), String(connection.connectedAt), credentialsFor(context, connection), options.waitMs)
  const allowed = connection.allowedModels
  if (allowed === null) return list
  const known = new Map(list.models.map(model => [model.id, model]))
  // Allowed models missing from the live list are still offered: the admin named them on purpose.
  const named = allowed.map(id => known.get(id) ?? { id, label: id, capabilities: provider.capabilities(id) })
  if (options.everyModel !== true) return { models: named, source: list.source }
  return { models: [...list.models, ...named.filter(model => !list.models.includes(model))], source: list.source }
}

export function assertModelAllowed (connection: ConnectionRecord, modelId: string): void {
  if (connection.allowedModels !== null && !connection.allowedModels.includes(modelId)) {
    throw new AppError('MODEL_NOT_ALLOWED', `The model ${quoteExcerpt(modelId)} is not allowed for ${connection.provider} in this portal. Allowed: ${connection.allowedModels.join(', ') || 'none'}.`)
  }
}
