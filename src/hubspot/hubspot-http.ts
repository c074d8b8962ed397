import { AppError } from '../../plugins/errors.ts'
import { scrubSecrets } from '../../plugins/scrub-secrets.ts'
import { limitBody } from '../../providers/body-limit.ts'

/**
 * The one transport every HubSpot call goes through: one timeout, JSON parsing, one error type, and one place
 * where HubSpot's words are turned into text of ours, scrubbed of every secret the call knew.
 *
 * HubSpot's free text can quote what a call carried (the portal's token, the developer key), so what reaches a
 * workflow's history is our own sentence for the status plus HubSpot's category and correlation id, never its
 * words; only the operator's own tools (publishing definitions) see HubSpot's words, scrubbed and cut short.
 */

/** Limit for each HubSpot call unless the caller sets another. */
export const DEFAULT_TIMEOUT_MS = 10_000
/** Most bytes read of one HubSpot answer: its largest (a page of definitions, a record's properties) are far smaller. */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024
/** HubSpot's own message is quoted (to the operator only) up to this length: enough to act on, too little to flood a log. */
const QUOTED_TEXT_LENGTH = 300
/** Validation answers list one item per problem; the first few say what is wrong. */
const QUOTED_DETAILS = 5

/**
 * A failed call to HubSpot. `status` is HubSpot's HTTP status, 0 when it could not be reached, answered too late or
 * answered more than MAX_ANSWER_BYTES.
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
  /**
   * `HTTP 403: HubSpot refused access (…) (category …, correlation id …)`: our sentence for the status, the OAuth
   * error code when it is one RFC 6749 defines, HubSpot's category and correlation id. None of HubSpot's free
   * text, and scrubbed: safe to quote anywhere, workflow history included.
   */
  readonly description: string
  /**
   * `HTTP 400: <HubSpot's words> (<details>) (category …, correlation id …)`, bounded and scrubbed (case variants
   * and fragments of every secret too), for the operator's own tools only: never for a portal's workflow history.
   */
  readonly operatorDescription: string
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
   * unreachable, too slow or too large rejects with HubSpotApiError status 0.
   */
  send (what: string, request: HubSpotRequest, secrets?: ReadonlyArray<string | undefined>): Promise<HubSpotAnswer>
  /** Text with the client-wide secrets and `secrets` removed, in any letter case, whole or in pieces. */
  scrub (text: string, secrets?: ReadonlyArray<string | undefined>): string
}

export function createHubSpotHttp (options: HubSpotHttpOptions): HubSpotHttp {
  const apiBaseUrl = options.apiBaseUrl.replace(/\/+$/, '')
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const scrub = (text: string, secrets: ReadonlyArray<string | undefined> = []): string => {
    const all = [...options.secrets, ...secrets]
    return scrubSecrets(text, all, { fragmentLength: FRAGMENT_LENGTH })
  }

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
        text = await limitBody(response, MAX_ANSWER_BYTES, () => new AnswerTooLarge()).text()
      } catch (error) {
        const reason = error instanceof Error && error.name === 'TimeoutError'
          ? `HubSpot did not answer within ${timeoutMs / 1000}s`
          : error instanceof AnswerTooLarge
            ? `HubSpot's answer was larger than ${MAX_ANSWER_BYTES / (1024 * 1024)} MiB, the most read of one answer,`
            : `HubSpot could not be reached (${describeNetworkError(error)})`
        throw new HubSpotApiError(scrub(`${reason} when asked to ${what}.`, secrets), { status: 0, cause: error })
      }
      let body: unknown
      try { body = text === '' ? undefined : JSON.parse(text) } catch { body = undefined }
      const record = asRecord(body)
      const retryAfterMs = retryAfterMsFrom(response.headers.get('retry-after'))
      const category = categoryOf(record)
      const correlationId = correlationIdOf(record)
      const answer = { status: response.status, body, text }
      return {
        status: response.status,
        ok: response.ok,
        body,
        text,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        ...(category === undefined ? {} : { category }),
        ...(correlationId === undefined ? {} : { correlationId }),
        description: scrub(describeAnswer(answer), secrets),
        operatorDescription: scrub(describeAnswerVerbosely(answer), secrets)
      }
    }
  }
}

class AnswerTooLarge extends Error {}

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

type AnswerText = { readonly status: number, readonly body: unknown, readonly text: string }

/**
 * `HTTP 400 invalid_grant: HubSpot found the request invalid (category …, correlation id …)`: our words for the
 * status, with only the parts of HubSpot's answer that are codes of a known shape. Not scrubbed: `send` scrubs it
 * into `HubSpotAnswer.description`.
 */
export function describeAnswer (answer: AnswerText): string {
  const body = asRecord(answer.body)
  const error = stringOrUndefined(body?.error)
  const oauthError = error !== undefined && OAUTH_ERROR_CODES.has(error) ? ` ${error}` : ''
  return `HTTP ${answer.status}${oauthError}: ${statusSentence(answer.status)}${codesOf(body)}`
}

/**
 * `HTTP 400 invalid_grant: <description>` or `HTTP 403: <message> (<detail>; …) (category …, correlation id …)`,
 * bounded in length. Reads OAuth's RFC 6749 body, HubSpot's API error body, or plain text (a proxy's HTML page).
 * Not scrubbed: `send` scrubs it into `HubSpotAnswer.operatorDescription`.
 */
export function describeAnswerVerbosely (answer: AnswerText): string {
  const body = asRecord(answer.body)
  const error = stringOrUndefined(body?.error)
  const text = stringOrUndefined(body?.error_description) ?? stringOrUndefined(body?.message) ?? (body === undefined ? answer.text.trim() : '')
  const details = Array.isArray(body?.errors)
    ? body.errors.map(item => stringOrUndefined(asRecord(item)?.message)).filter((message): message is string => message !== undefined).slice(0, QUOTED_DETAILS)
    : []
  const head = `HTTP ${answer.status}${error === undefined ? '' : ` ${error.slice(0, QUOTED_CODE_LENGTH)}`}`
  const quoted = `${text === '' ? '' : `: ${text}`}${details.length === 0 ? '' : ` (${details.join('; ')})`}`
  return `${head}${quoted.slice(0, QUOTED_TEXT_LENGTH)}${codesOf(body)}`
}

/** The error codes of RFC 6749 §5.2, the only OAuth `error` values quoted: a fixed list cannot carry a secret. */
const OAUTH_ERROR_CODES: ReadonlySet<string> = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope'])
const QUOTED_CODE_LENGTH = 64
/** HubSpot's categories are upper-case words (`MISSING_SCOPES`); anything else is not one. */
const CATEGORY_SHAPE = /^[A-Z][A-Z0-9_]{0,63}$/
/** HubSpot's correlation ids are UUIDs; letters, digits and dashes are accepted, bounded. */
const CORRELATION_ID_SHAPE = /^[A-Za-z0-9-]{1,64}$/

function categoryOf (body: Record<string, unknown> | undefined): string | undefined {
  const category = stringOrUndefined(body?.category)
  return category !== undefined && CATEGORY_SHAPE.test(category) ? category : undefined
}

function correlationIdOf (body: Record<string, unknown> | undefined): string | undefined {
  const correlationId = stringOrUndefined(body?.correlationId)
  return correlationId !== undefined && CORRELATION_ID_SHAPE.test(correlationId) ? correlationId : undefined
}

/** ` (category …, correlation id …)`, or nothing: what HubSpot's support asks for, and safe to quote once scrubbed. */
function codesOf (body: Record<string, unknown> | undefined): string {
  const category = categoryOf(body)
  const correlationId = correlationIdOf(body)
  const codes = [category === undefined ? '' : `category ${category}`, correlationId === undefined ? '' : `correlation id ${correlationId}`].filter(Boolean).join(', ')
  return codes === '' ? '' : ` (${codes})`
}

/** Our sentence for each status HubSpot answers with. */
function statusSentence (status: number): string {
  if (status >= 200 && status < 300) return 'HubSpot\'s answer was not the one expected'
  if (status === 400) return 'HubSpot found the request invalid'
  if (status === 401) return 'HubSpot refused the credentials'
  if (status === 403) return 'HubSpot refused access (a missing scope or permission)'
  if (status === 404) return 'HubSpot found nothing there'
  if (status === 409) return 'HubSpot reported a conflict'
  if (status === 429) return 'HubSpot is rate limiting this app'
  if (status >= 500) return 'HubSpot had a problem on its side'
  return 'HubSpot answered with an unexpected status'
}

/**
 * A run of this many characters of a secret counts as a piece of it: a key's first or last eight characters
 * identify it (secrets shorter than twice this are only ever removed whole).
 */
const FRAGMENT_LENGTH = 8

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
