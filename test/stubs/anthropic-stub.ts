import { startStubServer, type RecordedRequest, type StubReply, type StubServer } from '../helpers/stub-server.ts'
import { anthropicBatchRoutes, type AnthropicBatchesControl } from './anthropic-batches-stub.ts'

/** The key the stub accepts; anything else gets Anthropic's 401 body. */
export const ANTHROPIC_GOOD_KEY = 'sk-ant-api03-test-good-key-000000000000'

export interface AnthropicStub extends StubServer {
  /** The base URL the `@anthropic-ai/sdk` client takes (no /v1). */
  readonly baseUrl: string
  /** Requests to /v1/messages, parsed. */
  readonly generations: () => RecordedRequest[]
  /** The Message Batches API's state, and the test's hand on it (see anthropic-batches-stub.ts). */
  readonly batches: AnthropicBatchesControl
}

/** What the sync route answers, and a batch's succeeded requests unless the test says otherwise. */
export const ANTHROPIC_STUB_ANSWER = 'Hello from Claude stub'

export function anthropicMessage (text: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'msg_01',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-5-5',
    content: [
      { type: 'thinking', thinking: 'Weighing a greeting.', signature: 'c2lnbmF0dXJl' },
      { type: 'text', text },
      { type: 'redacted_thinking', data: 'cmVkYWN0ZWQ=' },
      { type: 'text', text: ' again' }
    ],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: 10,
      output_tokens: 25,
      cache_creation_input_tokens: 3,
      cache_read_input_tokens: 2,
      output_tokens_details: { thinking_tokens: 9 }
    },
    ...overrides
  }
}

/** Anthropic's error envelope; `details` carries `error_code` where Anthropic sends one. */
export function anthropicError (status: number, type: string, message: string, details?: Record<string, unknown>): StubReply & { status: number } {
  return {
    status,
    body: { type: 'error', error: { type, message, ...(details === undefined ? {} : { details }) }, request_id: 'req_1' },
    headers: { 'request-id': 'req_1' }
  }
}

const capabilities = (effort: boolean, adaptive: boolean, manual: boolean) => ({
  effort: {
    supported: effort, low: { supported: effort }, medium: { supported: effort }, high: { supported: effort }, max: { supported: false }, xhigh: null
  },
  thinking: {
    supported: adaptive || manual,
    types: { adaptive: { supported: adaptive }, enabled: { supported: manual }, disabled: { supported: true }, between_tools: { supported: false } }
  },
  structured_outputs: { supported: true }
})

const model = (id: string, displayName: string, extra: Record<string, unknown> = {}) => ({
  type: 'model', id, display_name: displayName, created_at: '2026-09-01T00:00:00Z', ...extra
})

/**
 * Newest first, as Anthropic lists them, over two pages: live capabilities on some, none (`null`) on others, so
 * both the live object and the family rules are exercised.
 */
/** The failures the conformance kit asks for (test/providers/conformance.test.ts), as Anthropic answers them. */
export const ANTHROPIC_FAILURES = {
  unauthorized: anthropicError(401, 'authentication_error', 'invalid x-api-key'),
  'rate-limited': { ...anthropicError(429, 'rate_limit_error', 'Number of requests has exceeded your rate limit'), headers: { 'retry-after': '2' } },
  unavailable: anthropicError(529, 'overloaded_error', 'Overloaded')
}

export const ANTHROPIC_STUB_MODELS = [
  model('claude-sonnet-5-5', 'Claude Sonnet 5.5', { capabilities: capabilities(true, true, false), max_tokens: 64000, lifecycle: 'active' }),
  model('claude-opus-4-5-20251101', 'Claude Opus 4.5', { capabilities: capabilities(true, false, true), max_tokens: 64000, lifecycle: 'deprecated', retires_at: '2027-01-22T00:00:00Z' }),
  model('claude-haiku-4-5', 'Claude Haiku 4.5', { capabilities: null }),
  model('claude-opus-6', 'Claude Opus 6'),
  model('claude-3-haiku-20240307', 'Claude Haiku 3', { lifecycle: 'retired' })
]
const PAGE_SIZE = 2

/**
 * Speaks Anthropic's models, Messages and Message Batches APIs on loopback, with the 1.x SDK's Bearer auth or the
 * older x-api-key. `batches.autoEnd`: a batch ends, every request answered, at its first retrieve.
 */
export async function startAnthropicStub (options: { goodKeys?: string[], batches?: { autoEnd?: boolean } } = {}): Promise<AnthropicStub> {
  const goodKeys = new Set(options.goodKeys ?? [ANTHROPIC_GOOD_KEY])
  const authorized = (request: RecordedRequest) => {
    const bearer = String(request.headers.authorization ?? '').replace(/^Bearer /, '')
    return goodKeys.has(bearer) || goodKeys.has(String(request.headers['x-api-key'] ?? ''))
  }
  const unauthorized = () => anthropicError(401, 'authentication_error', 'invalid x-api-key')
  let origin = ''
  const batches = anthropicBatchRoutes({
    origin: () => origin,
    authorized,
    unauthorized,
    error: anthropicError,
    message: (text, params) => anthropicMessage(text, { model: params.model }),
    defaultAnswer: ANTHROPIC_STUB_ANSWER,
    autoEnd: options.batches?.autoEnd
  })

  const server = await startStubServer({
    ...batches.routes,
    'GET /v1/models': request => {
      if (!authorized(request)) return unauthorized()
      const afterId = request.query.get('after_id')
      const start = afterId === null ? 0 : ANTHROPIC_STUB_MODELS.findIndex(candidate => candidate.id === afterId) + 1
      const size = Number(request.query.get('limit') ?? PAGE_SIZE) === 1 ? 1 : PAGE_SIZE
      const data = ANTHROPIC_STUB_MODELS.slice(start, start + size)
      return {
        body: { data, has_more: start + size < ANTHROPIC_STUB_MODELS.length, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null }
      }
    },
    'POST /v1/messages': request => authorized(request)
      ? { body: anthropicMessage(ANTHROPIC_STUB_ANSWER, { model: request.json?.model }) }
      : unauthorized()
  })
  origin = server.origin
  return {
    ...server,
    baseUrl: server.origin,
    generations: () => server.requests.filter(request => request.path === '/v1/messages'),
    batches: batches.control
  }
}
