import { asRecord, type HubSpotAnswer } from './hubspot-http.ts'

/**
 * Reading HubSpot's OAuth answers: the token endpoint's body, introspection's ids and scopes, RFC 6749 errors.
 * Pure functions, apart from the OAuth flow that uses them.
 *
 * @see /work/shared/reference/hubspot.md §8.2–8.4
 */

/** Used only when a token answer has no usable `expires_in` (HubSpot documents 30 minutes). */
const DEFAULT_EXPIRES_IN_SECONDS = 1800

export interface TokenAnswer {
  readonly accessToken: string
  readonly refreshToken?: string
  readonly expiresInSeconds: number
  readonly hubId?: number
  readonly scopes?: string
}

/** RFC 6749 `error`, plus HubSpot's legacy `status` (`BAD_REFRESH_TOKEN`, `BAD_CLIENT_ID`, …) kept beside it. */
export interface OAuthErrorBody {
  readonly error?: string
  readonly legacyStatus?: string
}

export function portalIdFrom (value: unknown): number | undefined {
  const id = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined
}

/** HubSpot lists scopes as an array (v3) or a space-separated string; stored space-separated. */
export function scopesFrom (value: unknown): string | undefined {
  if (Array.isArray(value)) return value.filter((scope): scope is string => typeof scope === 'string').join(' ') || undefined
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

export function tokenAnswerFrom (body: unknown): TokenAnswer | undefined {
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

export function oauthErrorFrom (answer: HubSpotAnswer): OAuthErrorBody {
  const body = asRecord(answer.body)
  return {
    ...(typeof body?.error === 'string' ? { error: body.error } : {}),
    ...(typeof body?.status === 'string' ? { legacyStatus: body.status } : {})
  }
}

/** Our app's credentials are wrong, as opposed to one portal's grant. */
export function isClientCredentialsError (oauthError: OAuthErrorBody): boolean {
  return oauthError.error === 'invalid_client' || oauthError.error === 'unauthorized_client' || /^BAD_CLIENT/.test(oauthError.legacyStatus ?? '')
}
