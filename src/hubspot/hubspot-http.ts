import { AppError } from '../../plugins/errors.ts'
import { scrubSecrets } from '../../plugins/scrub-secrets.ts'

/**
 * The one transport every HubSpot call goes through: one timeout, JSON parsing, one error type, and one place
 * where HubSpot's words are turned into text of ours, scrubbed of every secret the call knew.
 */

/** Limit for each HubSpot call unless the caller sets another. */
export const DEFAULT_TIMEOUT_MS = 10_000
/** HubSpot's own message is quoted up to this length: enough to act on, too little to flood a log. */
const QUOTED_TEXT_LENGTH = 300
/** Validation answers list one item per problem; the first few say what is wrong. */
const QUOTED_DETAILS = 5

/**
 * A failed call to HubSpot. `status` is HubSpot's HTTP status, 0 when it could not be reached or answered too late.
 * Messages never carry a token, a code, the client secret or the developer key.
 */
export class HubSpotApiError extends AppError {
  readonly status: number
  /** From HubSpot's `Retry-After` (seconds), when it sent one. */
  readonly retryAfterMs?: number
  /** HubSpot refused the portal's refresh token: its tokens are gone and it must install the app again. */
  readonly reinstallRequired: boolean
  readonly category?: string
  readonly correlationId?: string

  constructor (message: string, details: { status: number, retryAfterMs?: number, reinstallRequired?: boolean, category?: string, correlationId?: string, cause?: unknown }) {
    super('HUBSPOT_API_ERROR', message, { cause: details.cause })
    this.name = 'HubSpotApiError'
    this.status = details.status
    this.retryAfterMs = details.retryAfterMs
    this.reinstallRequired = details.reinstallRequired ?? false
    this.category = details.category
    this.correlationId = details.correlationId
  }
}

export interface HubSpotRequest {
  readonly method: 'GET' | 'POST' | 'PATCH'
  /** The path under the API base URL, with its query string if any. */
  readonly path: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
}

export interface HubSpotAnswer {
  readonly status: number
  readonly ok: boolean
  /** The body parsed as JSON, or undefined. Not scrubbed: a token answer's body is the token. */
  readonly body: unknown
  readonly text: string
  readonly retryAfterMs?: number
  readonly category?: string
  readonly correlationId?: string
  /** `HTTP 400 invalid_grant: <HubSpot's words> (category …, correlation id …)`, bounded and scrubbed: safe to quote. */
  readonly description: string
}

export interface HubSpotHttpOptions {
  /** HUBSPOT_API_BASE_URL, e.g. https://api.hubapi.com */
  readonly apiBaseUrl: string
  readonly fetch: typeof globalThis.fetch
  readonly timeoutMs?: number
  /** Secrets of the whole client (client secret, developer key): scrubbed from everything, whatever the call. */
  readonly secrets: ReadonlyArray<string | undefined>
}

export interface HubSpotHttp {
  /**
   * One HTTP call with the timeout. `what` completes "when asked to …" in messages; `secrets` are the values this
   * request carries (tokens, codes) besides the client-wide ones. Any HTTP answer resolves, whatever its status;
   * unreachable or too slow rejects with HubSpotApiError status 0.
   */
  send (what: string, request: HubSpotRequest, secrets?: ReadonlyArray<string | undefined>): Promise<HubSpotAnswer>
  /** Text with the client-wide secrets and `secrets` removed. */
  scrub (text: string, secrets?: ReadonlyArray<string | undefined>): string
}

export function createHubSpotHttp (options: HubSpotHttpOptions): HubSpotHttp {
  const apiBaseUrl = options.apiBaseUrl.replace(/\/+$/, '')
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const scrub = (text: string, secrets: ReadonlyArray<string | undefined> = []): string => scrubSecrets(text, [...options.secrets, ...secrets])

  return {
    scrub,
    async send (what, request, secrets = []) {
      let response: Response
      let text: string
      try {
        response = await options.fetch(`${apiBaseUrl}${request.path}`, {
          method: request.method,
          headers: { accept: 'application/json', ...request.headers },
          ...(request.body === undefined ? {} : { body: request.body }),
          signal: AbortSignal.timeout(timeoutMs)
        })
        // Inside the try: the timeout also covers a body that trickles in.
        text = await response.text()
      } catch (error) {
        const reason = error instanceof Error && error.name === 'TimeoutError'
          ? `HubSpot did not answer within ${timeoutMs / 1000}s`
          : `HubSpot could not be reached (${describeNetworkError(error)})`
        throw new HubSpotApiError(scrub(`${reason} when asked to ${what}.`, secrets), { status: 0, cause: error })
      }
      let body: unknown
      try { body = text === '' ? undefined : JSON.parse(text) } catch { body = undefined }
      const record = asRecord(body)
      const retryAfterMs = retryAfterMsFrom(response.headers.get('retry-after'))
      const category = stringOrUndefined(record?.category)
      const correlationId = stringOrUndefined(record?.correlationId)
      return {
        status: response.status,
        ok: response.ok,
        body,
        text,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        ...(category === undefined ? {} : { category }),
        ...(correlationId === undefined ? {} : { correlationId }),
        description: scrub(describeAnswer({ status: response.status, body, text }), secrets)
      }
    }
  }
}

/** The error for an answer that was not the one asked for; `message` should quote `answer.description`. */
export function errorFromAnswer (message: string, answer: HubSpotAnswer, details: { reinstallRequired?: boolean } = {}): HubSpotApiError {
  return new HubSpotApiError(message, {
    status: answer.status,
    ...(answer.retryAfterMs === undefined ? {} : { retryAfterMs: answer.retryAfterMs }),
    ...(answer.category === undefined ? {} : { category: answer.category }),
    ...(answer.correlationId === undefined ? {} : { correlationId: answer.correlationId }),
    ...details
  })
}

/**
 * `HTTP 400 invalid_grant: <description>` or `HTTP 403: <message> (<detail>; …) (category …, correlation id …)`,
 * bounded in length. Reads OAuth's RFC 6749 body, HubSpot's API error body, or plain text (a proxy's HTML page).
 * Not scrubbed: `send` scrubs it into `HubSpotAnswer.description`.
 */
export function describeAnswer (answer: { readonly status: number, readonly body: unknown, readonly text: string }): string {
  const body = asRecord(answer.body)
  const error = stringOrUndefined(body?.error)
  const text = stringOrUndefined(body?.error_description) ?? stringOrUndefined(body?.message) ?? (body === undefined ? answer.text.trim() : '')
  const details = Array.isArray(body?.errors)
    ? body.errors.map(item => stringOrUndefined(asRecord(item)?.message)).filter((message): message is string => message !== undefined).slice(0, QUOTED_DETAILS)
    : []
  const category = stringOrUndefined(body?.category)
  const correlationId = stringOrUndefined(body?.correlationId)
  const extras = [category === undefined ? '' : `category ${category}`, correlationId === undefined ? '' : `correlation id ${correlationId}`].filter(Boolean).join(', ')
  const head = `HTTP ${answer.status}${error === undefined ? '' : ` ${error}`}`
  return `${head}${text === '' ? '' : `: ${text.slice(0, QUOTED_TEXT_LENGTH)}`}${details.length === 0 ? '' : ` (${details.join('; ')})`}${extras === '' ? '' : ` (${extras})`}`
}

export function asRecord (value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined
}

function stringOrUndefined (value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** HubSpot sends `Retry-After` in whole seconds; an HTTP-date form is ignored rather than read against some clock. */
function retryAfterMsFrom (header: string | null): number | undefined {
  if (header === null || !/^\s*\d+\s*$/.test(header)) return undefined
  return Number(header) * 1000
}

function describeNetworkError (error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause instanceof Error ? error.cause.message : ''
  return cause === '' ? error.message : `${error.message}: ${cause}`
}
