import { randomBytes } from 'node:crypto'
import type { OAuthRepository } from '../../db/repositories/oauth-repository.ts'
import type { PortalsRepository } from '../../db/repositories/portals-repository.ts'
import { oauthTokenContext } from '../../db/secret-contexts.ts'
import { AppError } from '../errors.ts'
import type { Settings } from '../config/settings.ts'
import type { Keyring } from '../keyring/keyring.ts'

/**
 * HubSpot OAuth for installed portals, and the calls that need a portal's access token: the install (authorize URL,
 * code exchange), keeping access tokens fresh, reading CRM record properties for prompt placeholders, and
 * completing blocked executions through the callback API. Plain module: its collaborators are arguments.
 *
 * Only HubSpot's v3 OAuth endpoints are used: the v1 ones are switched off on 2027-02-16. Client credentials and
 * tokens travel in form bodies or the Authorization header, never in a URL; none of them, nor the authorization
 * code, is ever logged, stored in plaintext or put into an error message.
 *
 * @see /work/shared/reference/hubspot.md §8 (OAuth), §5.2 (callback completion)
 */

/** The authorize page; not under HUBSPOT_API_BASE_URL (that is the API host, `api.hubapi.com`). */
export const HUBSPOT_AUTHORIZE_URL = 'https://app.hubspot.com/oauth/authorize'
/** Contract §3: a `state` nonce is refused after 10 minutes. */
export const STATE_MAX_AGE_MS = 10 * 60_000
/** Access tokens live 30 minutes; one expiring within this margin is refreshed first, so it cannot lapse mid-call. */
export const REFRESH_MARGIN_MS = 5 * 60_000
/** Used only when a token answer has no usable `expires_in` (HubSpot documents 30 minutes). */
const DEFAULT_EXPIRES_IN_SECONDS = 1800
const DEFAULT_TIMEOUT_MS = 10_000
/** Who audit events written here name as the actor. */
const ACTOR = 'hubspot-oauth'

/** The CRM API's path names for the object types HubSpot sends in executions (`object.objectType`). */
const CRM_OBJECT_PATHS: Readonly<Record<string, string>> = { CONTACT: 'contacts', COMPANY: 'companies', DEAL: 'deals', TICKET: 'tickets' }

export interface OAuthLogger {
  info (object: object, message?: string): void
  warn (object: object, message?: string): void
  error (object: object, message?: string): void
}

export interface HubSpotOAuthOptions {
  readonly settings: Pick<Settings, 'publicUrl' | 'hubspot'>
  readonly repositories: { readonly oauth: OAuthRepository, readonly portals: PortalsRepository }
  readonly keyring: Keyring
  readonly clock: () => number
  readonly fetch: typeof globalThis.fetch
  readonly log: OAuthLogger
  /** Limit for each HubSpot call, in milliseconds. */
  readonly timeoutMs?: number
}

export interface HubSpotOAuth {
  /** The URL that starts an install: HubSpot's authorize page with a fresh single-use `state`. */
  installUrl (): string
  /** Finishes an install from the callback's `code` and `state`: stores the portal's tokens, marks it installed. */
  completeInstall (code: string | undefined, state: string | undefined): Promise<{ portalId: number }>
  /** A currently valid access token for the portal, refreshed if needed; undefined when it never installed. */
  accessToken (portalId: number): Promise<string | undefined>
  /** Record properties from HubSpot's CRM; undefined when the portal has not installed the app (or must re-install). */
  readRecordProperties: (portalId: number, objectType: string, objectId: string, names: readonly string[]) => Promise<Record<string, unknown> | undefined>
  /** Finishes a BLOCKed execution with its output fields. */
  completeCallback (portalId: number, callbackId: string, outputFields: Readonly<Record<string, unknown>>): Promise<void>
}

/** A failed call to HubSpot. `status` is HubSpot's HTTP status, 0 when it could not be reached or answered too late. */
export class HubSpotOAuthError extends AppError {
  readonly status: number
  /** HubSpot refused the portal's refresh token: its tokens are gone and it must install the app again. */
  readonly reinstallRequired: boolean

  constructor (message: string, details: { status: number, reinstallRequired?: boolean, cause?: unknown }) {
    super('HUBSPOT_API_ERROR', message, { cause: details.cause })
    this.name = 'HubSpotOAuthError'
    this.status = details.status
    this.reinstallRequired = details.reinstallRequired ?? false
  }
}

interface Answer {
  readonly status: number
  readonly ok: boolean
  /** The body parsed as JSON, or undefined. */
  readonly body: unknown
  readonly text: string
}

interface TokenAnswer {
  readonly accessToken: string
  readonly refreshToken?: string
  readonly expiresInSeconds: number
  readonly hubId?: number
  readonly scopes?: string
}

interface HubSpotRequest {
  readonly method: 'GET' | 'POST'
  readonly headers: Record<string, string>
  readonly body?: string
}

export function createHubSpotOAuth (options: HubSpotOAuthOptions): HubSpotOAuth {
  const { settings, repositories, keyring, clock, log } = options
  const apiBaseUrl = settings.hubspot.apiBaseUrl.replace(/\/+$/, '')
  const redirectUri = `${settings.publicUrl}/oauth/callback`
  const reinstallUrl = `${settings.publicUrl}/oauth/install`
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  /** One refresh in flight per portal: concurrent callers wait for it rather than each spending a refresh. */
  const refreshing = new Map<number, Promise<string | undefined>>()

  function credentials (): { clientId: string, clientSecret: string } {
    const { clientId, clientSecret } = settings.hubspot
    if (clientId !== undefined && clientSecret !== undefined) return { clientId, clientSecret }
    const missing = [clientId === undefined ? 'HUBSPOT_CLIENT_ID' : '', clientSecret === undefined ? 'HUBSPOT_CLIENT_SECRET' : ''].filter(Boolean)
    throw new AppError('HUBSPOT_NOT_CONFIGURED', `HubSpot OAuth needs HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET (the app's credentials); ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set.`)
  }

  /** Removes every secret this call knows of from text that came from HubSpot, before it goes into a message. */
  function scrub (text: string, secrets: ReadonlyArray<string | undefined>): string {
    let clean = text
    for (const secret of [settings.hubspot.clientSecret, ...secrets]) {
      if (secret !== undefined && secret.length >= 4) clean = clean.split(secret).join('[redacted]')
    }
    return clean
  }

  /** One HTTP call with the timeout. Unreachable or too slow: HubSpotOAuthError with status 0. */
  async function send (what: string, url: string, request: HubSpotRequest, secrets: ReadonlyArray<string | undefined>): Promise<Answer> {
    try {
      const response = await options.fetch(url, { ...request, signal: AbortSignal.timeout(timeoutMs) })
      const text = await response.text()
      let body: unknown
      try { body = text === '' ? undefined : JSON.parse(text) } catch { body = undefined }
      return { status: response.status, ok: response.ok, body, text }
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError'
        ? `HubSpot did not answer within ${timeoutMs / 1000}s`
        : `HubSpot could not be reached (${describeNetworkError(error)})`
      throw new HubSpotOAuthError(scrub(`${reason} when asked to ${what}.`, secrets), { status: 0, cause: error })
    }
  }

  /** A form-encoded POST to an OAuth endpoint; `secrets` are the values in `fields` that must never show. */
  function form (what: string, path: string, fields: Record<string, string>, secrets: readonly string[]): Promise<Answer> {
    return send(what, `${apiBaseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(fields).toString()
    }, secrets)
  }

  function storeTokens (portalId: number, tokens: TokenAnswer, previousRefreshCiphertext: string | undefined, install: boolean): void {
    const now = clock()
    const encryptedRefreshToken = tokens.refreshToken !== undefined
      ? keyring.encrypt(tokens.refreshToken, oauthTokenContext(portalId, 'refresh'))
      : previousRefreshCiphertext
    if (encryptedRefreshToken === undefined) throw new HubSpotOAuthError('HubSpot\'s token answer has no refresh_token.', { status: 200 })
    const input = {
      portalId,
      encryptedAccessToken: keyring.encrypt(tokens.accessToken, oauthTokenContext(portalId, 'access')),
      encryptedRefreshToken,
      expiresAt: now + tokens.expiresInSeconds * 1000,
      scopes: tokens.scopes ?? null,
      at: now
    }
    if (install) repositories.oauth.recordInstall({ ...input, actor: ACTOR })
    else repositories.oauth.saveTokens(input)
  }

  /** Learns which portal a fresh access token belongs to, through the v3 introspection endpoint. */
  async function introspect (accessToken: string, clientId: string, clientSecret: string): Promise<{ hubId: number, scopes?: string }> {
    const answer = await form('introspect the new access token', '/oauth/v3/token/introspect', {
      client_id: clientId, client_secret: clientSecret, token: accessToken, token_type_hint: 'access_token'
    }, [accessToken])
    if (!answer.ok) throw new HubSpotOAuthError(scrub(`HubSpot refused to introspect the new access token (${describeAnswer(answer)}).`, [accessToken]), { status: answer.status })
    const body = asRecord(answer.body)
    const hubId = portalIdFrom(body?.hub_id)
    if (body?.active === false || hubId === undefined) {
      throw new HubSpotOAuthError('HubSpot\'s token introspection did not name the HubSpot account (no active token with a hub_id).', { status: answer.status })
    }
    return { hubId, ...(scopesFrom(body?.scopes) === undefined ? {} : { scopes: scopesFrom(body?.scopes) }) }
  }

  /** Refreshes the portal's access token; single-flight per portal. Undefined when the portal holds no tokens. */
  function refresh (portalId: number): Promise<string | undefined> {
    const pending = refreshing.get(portalId)
    if (pending !== undefined) return pending
    const started = runRefresh(portalId).finally(() => { refreshing.delete(portalId) })
    refreshing.set(portalId, started)
    return started
  }

  async function runRefresh (portalId: number): Promise<string | undefined> {
    const row = repositories.oauth.findTokens(portalId)
    if (row === undefined) return undefined
    const { clientId, clientSecret } = credentials()
    const refreshToken = keyring.decrypt(row.encryptedRefreshToken, oauthTokenContext(portalId, 'refresh'))
    const answer = await form(`refresh the access token of portal ${portalId}`, '/oauth/v3/token', {
      grant_type: 'refresh_token', client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken
    }, [refreshToken])
    if (!answer.ok) {
      const oauthError = oauthErrorFrom(answer)
      const described = scrub(describeAnswer(answer), [refreshToken])
      if (isClientCredentialsError(oauthError)) {
        // Our app's credentials are wrong, not this portal's grant: erasing every portal's tokens over a
        // misconfiguration would force every portal to re-install.
        log.error({ portalId, status: answer.status, hubspotError: oauthError.error }, 'HubSpot refused the app\'s client credentials while refreshing a token')
        throw new HubSpotOAuthError(`HubSpot refused this app's client credentials while refreshing the token of portal ${portalId} (${described}). Check HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET.`, { status: answer.status })
      }
      if (oauthError.error === 'invalid_grant' || answer.status === 400 || answer.status === 401) {
        // The refresh token is revoked (the app was uninstalled, or access withdrawn): nothing but a new
        // install brings access back, so stop trying and say so.
        repositories.oauth.recordReinstallRequired(portalId, ACTOR, clock(), oauthError.error ?? `http ${answer.status}`)
        log.warn({ portalId, status: answer.status, hubspotError: oauthError.error }, 'HubSpot refused the refresh token; the portal must install the app again')
        throw new HubSpotOAuthError(`HubSpot refused the stored refresh token of portal ${portalId} (${described}): the app was uninstalled or its access revoked. A HubSpot admin of that account must install it again via ${reinstallUrl}.`, { status: answer.status, reinstallRequired: true })
      }
      throw new HubSpotOAuthError(`HubSpot could not refresh the access token of portal ${portalId} (${described}); try again later.`, { status: answer.status })
    }
    const tokens = tokenAnswerFrom(answer.body)
    if (tokens === undefined) throw new HubSpotOAuthError(`HubSpot's answer to the token refresh of portal ${portalId} has no access_token.`, { status: answer.status })
    storeTokens(portalId, tokens, row.encryptedRefreshToken, false)
    log.info({ portalId }, 'HubSpot access token refreshed')
    return tokens.accessToken
  }

  async function accessToken (portalId: number): Promise<string | undefined> {
    // Join a refresh already under way: the stored token is the one being replaced.
    const pending = refreshing.get(portalId)
    if (pending !== undefined) return await pending
    const row = repositories.oauth.findTokens(portalId)
    if (row === undefined) return undefined
    if (row.expiresAt - clock() > REFRESH_MARGIN_MS) return keyring.decrypt(row.encryptedAccessToken, oauthTokenContext(portalId, 'access'))
    return await refresh(portalId)
  }

  /**
   * HubSpot said 401 to `rejected`: refresh, unless another caller already replaced that token, in which case
   * the new one is tried (so a burst of 401s for one stale token costs one refresh).
   */
  async function tokenAfterRejection (portalId: number, rejected: string): Promise<string | undefined> {
    const pending = refreshing.get(portalId)
    if (pending !== undefined) return await pending
    const row = repositories.oauth.findTokens(portalId)
    if (row === undefined) return undefined
    const current = keyring.decrypt(row.encryptedAccessToken, oauthTokenContext(portalId, 'access'))
    if (current !== rejected && row.expiresAt - clock() > REFRESH_MARGIN_MS) return current
    return await refresh(portalId)
  }

  /**
   * Calls HubSpot with the portal's Bearer token; on 401 refreshes once and retries once. Undefined when the portal
   * has no tokens, or turns out to need a re-install.
   */
  async function withAccessToken (portalId: number, what: string, call: (token: string) => Promise<Answer>): Promise<Answer | undefined> {
    let token = await accessToken(portalId)
    if (token === undefined) return undefined
    const first = await call(token)
    if (first.status !== 401) return first
    log.warn({ portalId }, `HubSpot refused the access token when asked to ${what}; refreshing it once`)
    token = await tokenAfterRejection(portalId, token)
    return token === undefined ? undefined : await call(token)
  }

  function bearer (token: string, extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${token}`, accept: 'application/json', ...extra }
  }

  return {
    installUrl () {
      const { clientId } = credentials()
      const now = clock()
      // Abandoned installs leave nonces behind; clearing them here keeps the table as small as ten minutes of
      // installs, whoever calls this public route.
      repositories.oauth.pruneStates(now - STATE_MAX_AGE_MS)
      const state = randomBytes(32).toString('base64url')
      repositories.oauth.insertState(state, now)
      const scopes = settings.hubspot.oauthScopes.split(/[\s,]+/).filter(scope => scope !== '')
      // Built by hand: URLSearchParams writes spaces as `+`, and HubSpot documents `%20` between scopes.
      const query = [
        ['client_id', clientId],
        ['redirect_uri', redirectUri],
        ['scope', scopes.join(' ')],
        ['state', state]
      ].map(([name, value]) => `${name}=${encodeURIComponent(value ?? '')}`).join('&')
      return `${HUBSPOT_AUTHORIZE_URL}?${query}`
    },

    async completeInstall (code, state) {
      const { clientId, clientSecret } = credentials()
      // The state first: it is what proves this callback belongs to an install started here (CSRF).
      if (state === undefined || state === '' || !repositories.oauth.consumeState(state, clock(), STATE_MAX_AGE_MS)) {
        throw new AppError('INVALID_OAUTH_STATE')
      }
      if (code === undefined || code === '') throw new AppError('INVALID_INPUT', `HubSpot sent no authorization code: start the install again at ${reinstallUrl}.`)

      const answer = await form('exchange the authorization code', '/oauth/v3/token', {
        grant_type: 'authorization_code', client_id: clientId, client_secret: clientSecret, redirect_uri: redirectUri, code
      }, [code])
      if (!answer.ok) {
        const oauthError = oauthErrorFrom(answer)
        const described = scrub(describeAnswer(answer), [code])
        if (isClientCredentialsError(oauthError)) {
          throw new HubSpotOAuthError(`HubSpot refused this app's client credentials (${described}). Check HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET.`, { status: answer.status })
        }
        if (answer.status >= 400 && answer.status < 500) {
          throw new HubSpotOAuthError(`HubSpot refused the authorization code (${described}). Codes are single-use and short-lived: start the install again at ${reinstallUrl}.`, { status: answer.status })
        }
        throw new HubSpotOAuthError(`HubSpot could not exchange the authorization code (${described}): start the install again at ${reinstallUrl}.`, { status: answer.status })
      }
      const tokens = tokenAnswerFrom(answer.body)
      if (tokens?.refreshToken === undefined) throw new HubSpotOAuthError('HubSpot\'s answer to the code exchange lacks an access_token or refresh_token.', { status: answer.status })

      const introspected = tokens.hubId === undefined ? await introspect(tokens.accessToken, clientId, clientSecret) : undefined
      const portalId = tokens.hubId ?? introspected?.hubId
      if (portalId === undefined) throw new HubSpotOAuthError('HubSpot did not say which HubSpot account was installed.', { status: answer.status })
      const scopes = tokens.scopes ?? introspected?.scopes
      storeTokens(portalId, { ...tokens, ...(scopes === undefined ? {} : { scopes }) }, undefined, true)
      log.info({ portalId, scopes }, 'HubSpot portal installed')
      return { portalId }
    },

    accessToken,

    async readRecordProperties (portalId, objectType, objectId, names) {
      const path = `/crm/v3/objects/${encodeURIComponent(crmObjectPath(objectType))}/${encodeURIComponent(objectId)}`
      const what = `read ${objectType} ${objectId}`
      if (names.length === 0) return repositories.oauth.findTokens(portalId) === undefined ? undefined : {}
      // Comma-separated, as HubSpot documents it; names are HubSpot internal names, encoded all the same.
      const url = `${apiBaseUrl}${path}?properties=${names.map(encodeURIComponent).join(',')}`
      let answer: Answer | undefined
      try {
        answer = await withAccessToken(portalId, what, token => send(what, url, { method: 'GET', headers: bearer(token) }, [token]))
      } catch (error) {
        // A portal that turns out to need a re-install reads as "not installed": the execution then says the app
        // must be installed, which is what the admin has to do.
        if (error instanceof HubSpotOAuthError && error.reinstallRequired) return undefined
        throw error
      }
      if (answer === undefined) return undefined
      // No such record (deleted, merged): every placeholder from it is reported unresolved, by name.
      if (answer.status === 404) return {}
      if (!answer.ok) {
        const hint = answer.status === 403
          ? ` Check that HUBSPOT_OAUTH_SCOPES includes the CRM read scope for ${crmObjectPath(objectType)} (e.g. crm.objects.${crmObjectPath(objectType)}.read), then install the app again via ${reinstallUrl}.`
          : ''
        throw new HubSpotOAuthError(`HubSpot refused to ${what} for portal ${portalId} (${describeAnswer(answer)}).${hint}`, { status: answer.status })
      }
      const properties = asRecord(asRecord(answer.body)?.properties)
      if (properties === undefined) throw new HubSpotOAuthError(`HubSpot's answer to ${what} has no properties.`, { status: answer.status })
      // Only the names asked for: HubSpot adds hs_object_id, createdate and lastmodifieddate to every answer.
      // Placeholder names are lowercase; HubSpot's internal names are too, compared without case all the same.
      const wanted = new Set(names.map(name => name.toLowerCase()))
      return Object.fromEntries(Object.entries(properties).filter(([name]) => wanted.has(name.toLowerCase())))
    },

    async completeCallback (portalId, callbackId, outputFields) {
      const what = `complete the execution ${callbackId}`
      const url = `${apiBaseUrl}/automation/v4/actions/callbacks/${encodeURIComponent(callbackId)}/complete`
      const body = JSON.stringify({ outputFields })
      const answer = await withAccessToken(portalId, what, token => send(what, url, {
        method: 'POST', headers: bearer(token, { 'content-type': 'application/json' }), body
      }, [token]))
      if (answer === undefined) {
        throw new HubSpotOAuthError(`Portal ${portalId} has not installed the app (or must install it again via ${reinstallUrl}), so execution ${callbackId} cannot be completed through HubSpot's callback API.`, { status: 0 })
      }
      if (!answer.ok) throw new HubSpotOAuthError(`HubSpot refused to ${what} for portal ${portalId} (${describeAnswer(answer)}).`, { status: answer.status })
    }
  }
}

/** `CONTACT` → `contacts` and so on; any other type (custom objects: `2-123`, `p_widgets`) passes through lowercased. */
export function crmObjectPath (objectType: string): string {
  return CRM_OBJECT_PATHS[objectType.toUpperCase()] ?? objectType.toLowerCase()
}

function asRecord (value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined
}

function portalIdFrom (value: unknown): number | undefined {
  const id = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined
}

/** HubSpot lists scopes as an array (v3) or a space-separated string; stored space-separated. */
function scopesFrom (value: unknown): string | undefined {
  if (Array.isArray(value)) return value.filter((scope): scope is string => typeof scope === 'string').join(' ') || undefined
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

function tokenAnswerFrom (body: unknown): TokenAnswer | undefined {
  const record = asRecord(body)
  const accessToken = record?.access_token
  if (typeof accessToken !== 'string' || accessToken === '') return undefined
  const refreshToken = typeof record?.refresh_token === 'string' && record.refresh_token !== '' ? record.refresh_token : undefined
  const expiresIn = Number(record?.expires_in)
  const hubId = portalIdFrom(record?.hub_id)
  const scopes = scopesFrom(record?.scopes ?? record?.scope)
  return {
    accessToken,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    expiresInSeconds: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : DEFAULT_EXPIRES_IN_SECONDS,
    ...(hubId === undefined ? {} : { hubId }),
    ...(scopes === undefined ? {} : { scopes })
  }
}

/** RFC 6749 `error`, plus HubSpot's legacy `status` (`BAD_REFRESH_TOKEN`, `BAD_CLIENT_ID`, …) kept beside it. */
function oauthErrorFrom (answer: Answer): { error?: string, legacyStatus?: string } {
  const body = asRecord(answer.body)
  return {
    ...(typeof body?.error === 'string' ? { error: body.error } : {}),
    ...(typeof body?.status === 'string' ? { legacyStatus: body.status } : {})
  }
}

function isClientCredentialsError (oauthError: { error?: string, legacyStatus?: string }): boolean {
  return oauthError.error === 'invalid_client' || oauthError.error === 'unauthorized_client' || /^BAD_CLIENT/.test(oauthError.legacyStatus ?? '')
}

/** `400 invalid_grant: <description>` or `403: <message> (category …, correlation id …)`, bounded in length. */
function describeAnswer (answer: Answer): string {
  const body = asRecord(answer.body)
  const error = typeof body?.error === 'string' ? body.error : undefined
  const text = typeof body?.error_description === 'string'
    ? body.error_description
    : typeof body?.message === 'string' ? body.message : body === undefined ? answer.text.trim() : ''
  const extras = [
    typeof body?.category === 'string' ? `category ${body.category}` : '',
    typeof body?.correlationId === 'string' ? `correlation id ${body.correlationId}` : ''
  ].filter(Boolean).join(', ')
  const head = `HTTP ${answer.status}${error === undefined ? '' : ` ${error}`}`
  return `${head}${text === '' ? '' : `: ${text.slice(0, 300)}`}${extras === '' ? '' : ` (${extras})`}`
}

function describeNetworkError (error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause instanceof Error ? error.cause.message : ''
  return cause === '' ? error.message : `${error.message}: ${cause}`
}
