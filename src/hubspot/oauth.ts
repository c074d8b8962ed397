import type { Logger } from '../../plugins/logger.ts'
import { randomBytes } from 'node:crypto'
import type { Repositories } from '../../db/repositories/index.ts'
import type { OAuthTokenRow } from '../../db/repositories/oauth-repository.ts'
import { oauthTokenContext } from '../../db/secret-contexts.ts'
import type { Settings } from '../../plugins/config/settings.ts'
import { AppError } from '../../plugins/errors.ts'
import type { Keyring } from '../../plugins/keyring/keyring.ts'
import { HubSpotApiError, asRecord, errorFromAnswer, type HubSpotAnswer, type HubSpotHttp, type HubSpotRequest } from './hubspot-http.ts'
import { isClientCredentialsError, oauthErrorFrom, portalIdFrom, scopesFrom, tokenAnswerFrom, type TokenAnswer } from './oauth-answers.ts'

/**
 * HubSpot OAuth for installed portals: the install (authorize URL, code exchange), keeping access tokens fresh, and
 * calling HubSpot with a portal's token, refreshed once when HubSpot refuses it.
 *
 * Only HubSpot's v3 OAuth endpoints are used: the v1 ones are switched off on 2027-02-16. Client credentials and
 * tokens travel in form bodies or the Authorization header, never in a URL; none of them, nor the authorization
 * code, is ever logged, stored in plaintext or put into an error message.
 *
 * @see /work/shared/reference/hubspot.md §8 (OAuth)
 */

/** The authorize page; not under HUBSPOT_API_BASE_URL (that is the API host, `api.hubapi.com`). */
export const HUBSPOT_AUTHORIZE_URL = 'https://app.hubspot.com/oauth/authorize'
/** Contract §3: a `state` nonce is refused after 10 minutes. */
export const STATE_MAX_AGE_MS = 10 * 60_000
/** Access tokens live 30 minutes; one expiring within this margin is refreshed first, so it cannot lapse mid-call. */
export const REFRESH_MARGIN_MS = 5 * 60_000
/** Who audit events written here name as the actor (kept from before the client had its own folder: audit trails compare it). */
const ACTOR = 'hubspot-oauth'

export type HubSpotLogger = Logger

/**
 * The settings the HubSpot client reads. Signature checking is the HubSpot-signature plugin's business, not the
 * client's, so its switch is left out (and callers building a client need not set it).
 */
export interface HubSpotClientSettings {
  readonly publicUrl: Settings['publicUrl']
  readonly hubspot: Omit<Settings['hubspot'], 'acceptV2Signatures'>
}

export interface HubSpotOAuthOptions {
  readonly settings: HubSpotClientSettings
  readonly repositories: Pick<Repositories, 'oauth' | 'withLock'>
  readonly keyring: Keyring
  readonly clock: () => number
  readonly http: HubSpotHttp
  readonly log: HubSpotLogger
}

export interface HubSpotOAuth {
  /** The URL that starts an install: HubSpot's authorize page with a fresh single-use `state`. */
  installUrl (): Promise<string>
  /** Finishes an install from the callback's `code` and `state`: stores the portal's tokens, marks it installed. */
  completeInstall (code: string | undefined, state: string | undefined): Promise<{ portalId: number }>
  /** A currently valid access token for the portal, refreshed if needed; undefined when it never installed. */
  accessToken (portalId: number): Promise<string | undefined>
  /** Whether the portal holds tokens (installed, and not since found revoked); asks HubSpot nothing. */
  hasTokens (portalId: number): Promise<boolean>
  /**
   * Sends `request` with the portal's Bearer token; on 401 refreshes once and sends it once more. Undefined when the
   * portal has no tokens. Rejects with HubSpotApiError when HubSpot is unreachable or a refresh fails
   * (`reinstallRequired` when the grant is gone).
   */
  withAccessToken (portalId: number, what: string, request: HubSpotRequest): Promise<HubSpotAnswer | undefined>
  /** Where an admin installs the app again; quoted in messages that ask for it. */
  readonly reinstallUrl: string
}

export function createHubSpotOAuth (options: HubSpotOAuthOptions): HubSpotOAuth {
  const { settings, repositories, keyring, clock, http, log } = options
  const redirectUri = `${settings.publicUrl}/oauth/callback`
  const reinstallUrl = `${settings.publicUrl}/oauth/install`
  /** One refresh in flight per portal: concurrent callers wait for it rather than each spending a refresh. */
  const refreshing = new Map<number, Promise<string | undefined>>()

  function credentials (): { clientId: string, clientSecret: string } {
    const { clientId, clientSecret } = settings.hubspot
    if (clientId !== undefined && clientSecret !== undefined) return { clientId, clientSecret }
    const missing = [clientId === undefined ? 'HUBSPOT_CLIENT_ID' : '', clientSecret === undefined ? 'HUBSPOT_CLIENT_SECRET' : ''].filter(Boolean)
    throw new AppError('HUBSPOT_NOT_CONFIGURED', `HubSpot OAuth needs HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET (the app's credentials); ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set.`)
  }

  /** A form-encoded POST to an OAuth endpoint; `secrets` are the values in `fields` besides the client secret. */
  function form (what: string, path: string, fields: Record<string, string>, secrets: readonly string[]): Promise<HubSpotAnswer> {
    return http.send(what, {
      method: 'POST',
      path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString()
    }, secrets)
  }

  function decryptAccessToken (portalId: number, ciphertext: string): string {
    return keyring.decrypt(ciphertext, oauthTokenContext(portalId, 'access'))
  }

  async function storeTokens (portalId: number, tokens: TokenAnswer, previousRefreshCiphertext: string | undefined, install: boolean): Promise<void> {
    const now = clock()
    const encryptedRefreshToken = tokens.refreshToken !== undefined
      ? keyring.encrypt(tokens.refreshToken, oauthTokenContext(portalId, 'refresh'))
      : previousRefreshCiphertext
    if (encryptedRefreshToken === undefined) throw new HubSpotApiError('HubSpot\'s token answer has no refresh_token.', { status: 200 })
    const input = {
      portalId,
      encryptedAccessToken: keyring.encrypt(tokens.accessToken, oauthTokenContext(portalId, 'access')),
      encryptedRefreshToken,
      expiresAt: now + tokens.expiresInSeconds * 1000,
      scopes: tokens.scopes ?? null,
      at: now
    }
    if (install) await repositories.oauth.recordInstall({ ...input, actor: ACTOR })
    else await repositories.oauth.saveTokens(input)
  }

  /** Learns which portal a fresh access token belongs to, through the v3 introspection endpoint. */
  async function introspect (accessToken: string, clientId: string, clientSecret: string): Promise<{ hubId: number, scopes?: string }> {
    const answer = await form('introspect the new access token', '/oauth/v3/token/introspect', {
      client_id: clientId, client_secret: clientSecret, token: accessToken, token_type_hint: 'access_token'
    }, [accessToken])
    if (!answer.ok) throw errorFromAnswer(`HubSpot refused to introspect the new access token (${answer.description}).`, answer)
    const body = asRecord(answer.body)
    const hubId = portalIdFrom(body?.hub_id)
    if (body?.active === false || hubId === undefined) {
      throw new HubSpotApiError('HubSpot\'s token introspection did not name the HubSpot account (no active token with a hub_id).', { status: answer.status })
    }
    const scopes = scopesFrom(body?.scopes)
    return { hubId, ...(scopes === undefined ? {} : { scopes }) }
  }

  /**
   * The stored access token when it is no longer `stale` and not about to expire: someone replaced it since `stale`
   * was read (another caller, or another instance).
   */
  function replacementOf (stale: string, row: OAuthTokenRow): string | undefined {
    if (row.expiresAt - clock() <= REFRESH_MARGIN_MS) return undefined
    const current = decryptAccessToken(row.portalId, row.encryptedAccessToken)
    return current === stale ? undefined : current
  }

  /**
   * Replaces the portal's `stale` access token: single-flight per portal in this process, and under the portal's lock
   * among instances, so a refresh token is spent once however many find the token stale at once. Undefined when the
   * portal holds no tokens.
   */
  function refresh (portalId: number, stale: string): Promise<string | undefined> {
    const pending = refreshing.get(portalId)
    if (pending !== undefined) return pending
    const started = repositories.withLock(`oauth:${portalId}`, () => runRefresh(portalId, stale)).finally(() => { refreshing.delete(portalId) })
    refreshing.set(portalId, started)
    return started
  }

  async function runRefresh (portalId: number, stale: string): Promise<string | undefined> {
    // Read again under the lock: the instance that held it before may have refreshed already.
    const row = await repositories.oauth.findTokens(portalId)
    if (row === undefined) return undefined
    const replacement = replacementOf(stale, row)
    if (replacement !== undefined) return replacement
    const { clientId, clientSecret } = credentials()
    const refreshToken = keyring.decrypt(row.encryptedRefreshToken, oauthTokenContext(portalId, 'refresh'))
    const answer = await form(`refresh the access token of portal ${portalId}`, '/oauth/v3/token', {
      grant_type: 'refresh_token', client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken
    }, [refreshToken])
    if (!answer.ok) {
      const oauthError = oauthErrorFrom(answer)
      if (isClientCredentialsError(oauthError)) {
        // Our app's credentials are wrong, not this portal's grant: erasing every portal's tokens over a
        // misconfiguration would force every portal to re-install.
        log.error({ portalId, status: answer.status, hubspotError: oauthError.error }, 'HubSpot refused the app\'s client credentials while refreshing a token')
        throw errorFromAnswer(`HubSpot refused this app's client credentials while refreshing the token of portal ${portalId} (${answer.description}). Check HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET.`, answer)
      }
      if (oauthError.error === 'invalid_grant' || answer.status === 400 || answer.status === 401) {
        // The refresh token is revoked (the app was uninstalled, or access withdrawn): nothing but a new
        // install brings access back, so stop trying and say so.
        await repositories.oauth.recordReinstallRequired(portalId, ACTOR, clock(), oauthError.error ?? `http ${answer.status}`)
        log.warn({ portalId, status: answer.status, hubspotError: oauthError.error }, 'HubSpot refused the refresh token; the portal must install the app again')
        throw errorFromAnswer(`HubSpot refused the stored refresh token of portal ${portalId} (${answer.description}): the app was uninstalled or its access revoked. A HubSpot admin of that account must install it again via ${reinstallUrl}.`, answer, { reinstallRequired: true })
      }
      throw errorFromAnswer(`HubSpot could not refresh the access token of portal ${portalId} (${answer.description}); try again later.`, answer)
    }
    const tokens = tokenAnswerFrom(answer.body)
    if (tokens === undefined) throw new HubSpotApiError(`HubSpot's answer to the token refresh of portal ${portalId} has no access_token.`, { status: answer.status })
    await storeTokens(portalId, tokens, row.encryptedRefreshToken, false)
    log.info({ portalId }, 'HubSpot access token refreshed')
    return tokens.accessToken
  }

  async function accessToken (portalId: number): Promise<string | undefined> {
    // Join a refresh already under way: the stored token is the one being replaced.
    const pending = refreshing.get(portalId)
    if (pending !== undefined) return await pending
    const row = await repositories.oauth.findTokens(portalId)
    if (row === undefined) return undefined
    const current = decryptAccessToken(portalId, row.encryptedAccessToken)
    if (row.expiresAt - clock() > REFRESH_MARGIN_MS) return current
    return await refresh(portalId, current)
  }

  /**
   * HubSpot said 401 to `rejected`: refresh, unless another caller already replaced that token, in which case
   * the new one is tried (so a burst of 401s for one stale token costs one refresh).
   */
  async function tokenAfterRejection (portalId: number, rejected: string): Promise<string | undefined> {
    const pending = refreshing.get(portalId)
    if (pending !== undefined) return await pending
    const row = await repositories.oauth.findTokens(portalId)
    if (row === undefined) return undefined
    return replacementOf(rejected, row) ?? await refresh(portalId, rejected)
  }

  function sendWithToken (what: string, request: HubSpotRequest, token: string): Promise<HubSpotAnswer> {
    return http.send(what, { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } }, [token])
  }

  return {
    reinstallUrl,

    async installUrl () {
      const { clientId } = credentials()
      const now = clock()
      // Abandoned installs leave nonces behind; clearing them here keeps the table as small as ten minutes of
      // installs, whoever calls this public route.
      await repositories.oauth.pruneStates(now - STATE_MAX_AGE_MS)
      const state = randomBytes(32).toString('base64url')
      await repositories.oauth.insertState(state, now)
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
      if (state === undefined || state === '' || !await repositories.oauth.consumeState(state, clock(), STATE_MAX_AGE_MS)) {
        throw new AppError('INVALID_OAUTH_STATE')
      }
      if (code === undefined || code === '') throw new AppError('INVALID_INPUT', `HubSpot sent no authorization code: start the install again at ${reinstallUrl}.`)

      const answer = await form('exchange the authorization code', '/oauth/v3/token', {
        grant_type: 'authorization_code', client_id: clientId, client_secret: clientSecret, redirect_uri: redirectUri, code
      }, [code])
      if (!answer.ok) {
        if (isClientCredentialsError(oauthErrorFrom(answer))) {
          throw errorFromAnswer(`HubSpot refused this app's client credentials (${answer.description}). Check HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET.`, answer)
        }
        if (answer.status >= 400 && answer.status < 500) {
          throw errorFromAnswer(`HubSpot refused the authorization code (${answer.description}). Codes are single-use and short-lived: start the install again at ${reinstallUrl}.`, answer)
        }
        throw errorFromAnswer(`HubSpot could not exchange the authorization code (${answer.description}): start the install again at ${reinstallUrl}.`, answer)
      }
      const tokens = tokenAnswerFrom(answer.body)
      if (tokens?.refreshToken === undefined) throw new HubSpotApiError('HubSpot\'s answer to the code exchange lacks an access_token or refresh_token.', { status: answer.status })

      const introspected = tokens.hubId === undefined ? await introspect(tokens.accessToken, clientId, clientSecret) : undefined
      const portalId = tokens.hubId ?? introspected?.hubId
      if (portalId === undefined) throw new HubSpotApiError('HubSpot did not say which HubSpot account was installed.', { status: answer.status })
      const scopes = tokens.scopes ?? introspected?.scopes
      await storeTokens(portalId, { ...tokens, ...(scopes === undefined ? {} : { scopes }) }, undefined, true)
      log.info({ portalId, scopes }, 'HubSpot portal installed')
      return { portalId }
    },

    accessToken,

    hasTokens: async portalId => await repositories.oauth.findTokens(portalId) !== undefined,

    async withAccessToken (portalId, what, request) {
      const token = await accessToken(portalId)
      if (token === undefined) return undefined
      const first = await sendWithToken(what, request, token)
      if (first.status !== 401) return first
      log.warn({ portalId }, `HubSpot refused the access token when asked to ${what}; refreshing it once`)
      const replacement = await tokenAfterRejection(portalId, token)
      return replacement === undefined ? undefined : await sendWithToken(what, request, replacement)
    }
  }
}
