import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/** HubSpot refuses v3 signatures older than this; we also refuse ones this far in the future (clock skew). */
export const MAX_TIMESTAMP_SKEW_MS = 5 * 60 * 1000

export interface SignedRequest {
  readonly method: string
  /** The URI as HubSpot called it: `PUBLIC_URL` + path + query, exactly as sent. */
  readonly uri: string
  /** The raw body, exactly as received (before any JSON parsing): the bytes, or text hashed as UTF-8. */
  readonly rawBody: string | Uint8Array
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
}

export type SignatureVerdict =
  | { readonly valid: true, readonly version: 'v2' | 'v3' }
  /** `reason` is for our log; `message`, when set, is safe and useful to tell the caller. */
  | { readonly valid: false, readonly reason: string, readonly message?: string }

export interface VerifyOptions {
  /** Milliseconds since the epoch; the v3 timestamp is compared with it. */
  readonly now?: number
  /**
   * Whether a request signed with v2 only is accepted (HUBSPOT_SIGNATURE_V2, default true). v2 has no timestamp,
   * so a captured v2 request verifies forever; apps whose requests all carry v3 can refuse v2 outright.
   */
  readonly acceptV2Signatures?: boolean
}

const V2_TURNED_OFF = 'This request carries only a v2 signature, and v2 signatures are turned off (HUBSPOT_SIGNATURE_V2=false): HubSpot must sign it with v3.'

/** HubSpot's table of percent-encodings to decode in the URI before a v3 hash (the request-validation docs). */
const V3_DECODINGS: Readonly<Record<string, string>> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$', '%27': '\'', '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';'
}

/**
 * Verifies `X-HubSpot-Signature-v3` when present (HMAC-SHA256 keyed with the client secret, base64, over
 * method + decoded URI + body + timestamp, timestamp within five minutes), else `X-HubSpot-Signature` v2
 * (SHA-256 hex of secret + method + URI + body) unless v2 is turned off. Comparisons are constant-time.
 */
export function verifyHubSpotSignature (request: SignedRequest, clientSecret: string, options: VerifyOptions = {}): SignatureVerdict {
  const now = options.now ?? Date.now()
  const v3 = header(request.headers, 'x-hubspot-signature-v3')
  if (v3 !== undefined) {
    const timestampText = header(request.headers, 'x-hubspot-request-timestamp')
    const timestamp = Number(timestampText)
    if (timestampText === undefined || !Number.isSafeInteger(timestamp)) return { valid: false, reason: 'missing or malformed X-HubSpot-Request-Timestamp' }
    if (Math.abs(now - timestamp) > MAX_TIMESTAMP_SKEW_MS) return { valid: false, reason: 'timestamp is more than five minutes from now' }
    const uri = request.uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, match => V3_DECODINGS[match.toUpperCase()] ?? match)
    const expected = createHmac('sha256', clientSecret)
      .update(`${request.method.toUpperCase()}${uri}`, 'utf8')
      .update(request.rawBody)
      .update(timestampText, 'utf8')
      .digest()
    return sameBytes(Buffer.from(v3, 'base64'), expected) ? { valid: true, version: 'v3' } : { valid: false, reason: 'v3 signature does not match' }
  }
  const v2 = header(request.headers, 'x-hubspot-signature')
  if (v2 === undefined) return { valid: false, reason: 'no X-HubSpot-Signature-v3 or X-HubSpot-Signature header' }
  if (options.acceptV2Signatures === false) return { valid: false, reason: 'v2 signatures are turned off', message: V2_TURNED_OFF }
  const version = header(request.headers, 'x-hubspot-signature-version')
  if (version !== undefined && version.toLowerCase() !== 'v2') return { valid: false, reason: `signature version ${version} is not accepted` }
  const expected = createHash('sha256').update(`${clientSecret}${request.method.toUpperCase()}${request.uri}`, 'utf8').update(request.rawBody).digest()
  return sameBytes(Buffer.from(v2, 'hex'), expected) ? { valid: true, version: 'v2' } : { valid: false, reason: 'v2 signature does not match' }
}

function sameBytes (given: Buffer, expected: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(given, expected)
}

function header (headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}
