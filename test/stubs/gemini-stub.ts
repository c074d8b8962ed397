import { startStubServer, type RecordedRequest, type StubReply, type StubServer } from '../helpers/stub-server.ts'

/** The key the stub accepts. It holds a canary word, so tests can check that no error or URL ever repeats it. */
export const GEMINI_GOOD_KEY = 'AIza-test-canary-good-key-3333333333333'

/** Models the stub answers generateContent for (its routes are exact paths, so each id needs one). */
export const GEMINI_STUB_MODELS = ['gemini-3.5-flash', 'gemini-3-pro-preview', 'gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.0-flash', 'gemma-3-27b-it'] as const

export interface GeminiStub extends StubServer {
  /** The origin the SDK takes as `httpOptions.baseUrl` (it appends `v1beta/…` itself). */
  readonly baseUrl: string
  /** Requests to any model's generateContent, parsed. */
  readonly generations: () => RecordedRequest[]
}

/** The stub route of one model's generateContent, for `on` and `once`. */
export function generateRoute (modelId: string): string {
  return `POST /v1beta/models/${modelId}:generateContent`
}

export function geminiResponse (text: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    candidates: [{
      content: { role: 'model', parts: [{ text: 'The user wants a greeting.', thought: true }, { text }] },
      finishReason: 'STOP',
      index: 0
    }],
    usageMetadata: { promptTokenCount: 6, candidatesTokenCount: 5, thoughtsTokenCount: 40, cachedContentTokenCount: 2, totalTokenCount: 51 },
    modelVersion: 'gemini-3.5-flash-001',
    responseId: 'abc',
    ...overrides
  }
}

/** Google's error body, always JSON: `{"error": {"code", "message", "status", "details"}}`. */
export function geminiError (status: number, rpcStatus: string, message: string, details: unknown[] = []): StubReply {
  return { status, body: { error: { code: status, message, status: rpcStatus, ...(details.length === 0 ? {} : { details }) } } }
}

/** What Gemini answers a key it does not know: 400, not 401. */
export const BAD_KEY_REPLY = geminiError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [{
  '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
  reason: 'API_KEY_INVALID',
  domain: 'googleapis.com',
  metadata: { service: 'generativelanguage.googleapis.com' }
}])

/**
 * The failures the conformance kit asks for (test/providers/conformance.test.ts), as Gemini answers them. Its
 * Retry-After is the body's RetryInfo: the SDK exposes no headers.
 */
export const GEMINI_FAILURES = {
  unauthorized: BAD_KEY_REPLY,
  'rate-limited': geminiError(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).', [
    { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2s' }
  ]),
  unavailable: geminiError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.')
} as const satisfies Record<string, StubReply>

function model (id: string, displayName: string, methods: string[], thinking?: boolean): Record<string, unknown> {
  return {
    name: `models/${id}`,
    version: '001',
    displayName,
    description: displayName,
    inputTokenLimit: 1048576,
    outputTokenLimit: 65536,
    supportedGenerationMethods: methods,
    temperature: 1,
    maxTemperature: 2,
    ...(thinking === undefined ? {} : { thinking })
  }
}

const PAGES: Record<string, { models: unknown[], nextPageToken?: string }> = {
  '': {
    models: [
      model('gemini-2.5-flash', 'Gemini 2.5 Flash', ['generateContent', 'countTokens', 'createCachedContent'], true),
      model('gemini-2.0-flash', 'Gemini 2.0 Flash', ['generateContent', 'countTokens'], false),
      model('gemini-embedding-001', 'Gemini Embedding 001', ['embedContent', 'countTextTokens'])
    ],
    nextPageToken: 'page-2'
  },
  'page-2': {
    models: [
      model('gemini-3.5-flash', 'Gemini 3.5 Flash', ['generateContent', 'countTokens'], true),
      model('gemini-2.5-flash-preview-tts', 'Gemini 2.5 Flash Preview TTS', ['generateContent', 'countTokens']),
      model('gemma-3-27b-it', 'Gemma 3 27B', ['generateContent', 'countTokens']),
      model('imagen-4.0-generate-001', 'Imagen 4', ['predict'])
    ]
  }
}

/**
 * Speaks the Gemini Developer API (v1beta models list and generateContent) on loopback. `answer` decides each
 * generation's text (default: "Hello from Gemini stub").
 */
export async function startGeminiStub (options: { answer?: (request: RecordedRequest) => string } = {}): Promise<GeminiStub> {
  const authorized = (request: RecordedRequest) => request.headers['x-goog-api-key'] === GEMINI_GOOD_KEY
  const routes: Record<string, (request: RecordedRequest) => StubReply> = {
    'GET /v1beta/models': request => {
      if (!authorized(request)) return BAD_KEY_REPLY
      const page = PAGES[request.query.get('pageToken') ?? '']
      return page === undefined ? geminiError(400, 'INVALID_ARGUMENT', 'Invalid page token.') : { body: page }
    }
  }
  for (const id of GEMINI_STUB_MODELS) {
    routes[generateRoute(id)] = request => authorized(request)
      ? { body: geminiResponse(options.answer?.(request) ?? 'Hello from Gemini stub') }
      : BAD_KEY_REPLY
  }
  const server = await startStubServer(routes)
  return {
    ...server,
    baseUrl: server.origin,
    generations: () => server.requests.filter(request => request.path.endsWith(':generateContent'))
  }
}
