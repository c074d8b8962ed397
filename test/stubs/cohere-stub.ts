import { startStubServer, type RecordedRequest, type StubReply, type StubServer } from '../helpers/stub-server.ts'

/** The key the stub accepts. It holds a canary word, so tests can check that no error ever repeats it. */
export const COHERE_GOOD_KEY = 'co-test-canary-good-key-1111111111111111'

export interface CohereStub extends StubServer {
  /** The origin the SDK takes as `environment` (it appends `v1/…`, `v2/…` itself). */
  readonly baseUrl: string
  /** Requests to /v2/chat, parsed. */
  readonly chats: () => RecordedRequest[]
}

export function cohereChatResponse (text: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'c-1',
    finish_reason: 'COMPLETE',
    message: {
      role: 'assistant',
      content: [{ type: 'thinking', thinking: 'The user wants a greeting.' }, { type: 'text', text }]
    },
    usage: { billed_units: { input_tokens: 5, output_tokens: 7 }, tokens: { input_tokens: 70, output_tokens: 9 }, cached_tokens: 3 },
    ...overrides
  }
}

/** Cohere's error body: `{"id": "…", "message": "…"}`, always JSON. */
export function cohereError (status: number, message: string, headers: Record<string, string> = {}): StubReply {
  return { status, headers, body: { id: 'err-1', message } }
}

/** The failures the conformance kit asks for (test/providers/conformance.test.ts), as Cohere answers them. */
export const COHERE_FAILURES = {
  unauthorized: cohereError(401, 'invalid api token'),
  'rate-limited': cohereError(429, 'You are past the per minute request limit, please wait and try again later.', { 'retry-after': '2' }),
  unavailable: cohereError(503, 'service unavailable')
} as const satisfies Record<string, StubReply>

const PAGES: Record<string, { models: unknown[], next_page_token?: string }> = {
  '': {
    models: [
      { name: 'command-a-03-2025', endpoints: ['chat', 'generate'], finetuned: false, context_length: 256000, default_endpoints: [], features: ['json_schema', 'tools'], is_deprecated: false },
      { name: 'command-r-03-2024', endpoints: ['chat'], finetuned: false, context_length: 128000, default_endpoints: [], features: [], is_deprecated: true }
    ],
    next_page_token: 'page-2'
  },
  'page-2': {
    models: [
      { name: 'command-a-reasoning-08-2025', endpoints: ['chat'], finetuned: false, context_length: 256000, default_endpoints: [], features: ['reasoning'], is_deprecated: false },
      { name: 'c4ai-aya-expanse-32b', endpoints: ['chat'], finetuned: false, context_length: 128000, default_endpoints: [], features: [], is_deprecated: false }
    ],
    next_page_token: ''
  }
}

/**
 * Speaks Cohere's models (v1) and chat (v2) APIs on loopback. `answer` decides each generation's text (default:
 * "Hello from Cohere stub").
 */
export async function startCohereStub (options: { answer?: (request: RecordedRequest) => string } = {}): Promise<CohereStub> {
  const authorized = (request: RecordedRequest) => request.headers.authorization === `Bearer ${COHERE_GOOD_KEY}`
  const unauthorized = cohereError(401, 'invalid api token')
  const server = await startStubServer({
    'GET /v1/models': request => {
      if (!authorized(request)) return unauthorized
      const page = PAGES[request.query.get('page_token') ?? '']
      return page === undefined ? cohereError(400, 'invalid page token') : { body: page }
    },
    'POST /v2/chat': request => authorized(request)
      ? { body: cohereChatResponse(options.answer?.(request) ?? 'Hello from Cohere stub') }
      : unauthorized
  })
  return {
    ...server,
    baseUrl: server.origin,
    chats: () => server.requests.filter(request => request.path === '/v2/chat')
  }
}
