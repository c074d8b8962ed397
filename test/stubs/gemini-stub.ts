import { startStubServer, type RecordedRequest, type StubReply, type StubServer } from '../helpers/stub-server.ts'
import { geminiBatchRoutes, type GeminiBatchControl, type GeminiBatchStubOptions } from './gemini-batch-stub.ts'
import { BAD_KEY_REPLY, GEMINI_GOOD_KEY, geminiError, geminiResponse } from './gemini-wire.ts'

export { BAD_KEY_REPLY, GEMINI_GOOD_KEY, geminiError, geminiResponse } from './gemini-wire.ts'

/** Models the stub answers generateContent for (its routes are exact paths, so each id needs one). */
export const GEMINI_STUB_MODELS = ['gemini-3.5-flash', 'gemini-3-pro-preview', 'gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.0-flash', 'gemma-3-27b-it'] as const

export interface GeminiStub extends StubServer {
  /** The origin the SDK takes as `httpOptions.baseUrl` (it appends `v1beta/…` itself). */
  readonly baseUrl: string
  /** Requests to any model's generateContent, parsed. */
  readonly generations: () => RecordedRequest[]
  /** The Batch API's batches, and the test's hand on their states (see gemini-batch-stub.ts). */
  readonly batches: GeminiBatchControl
}

/** The stub route of one model's generateContent, for `on` and `once`. */
export function generateRoute (modelId: string): string {
  return `POST /v1beta/models/${modelId}:generateContent`
}

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

export interface GeminiStubOptions extends Pick<GeminiBatchStubOptions, 'autoSucceed' | 'maxInlineBytes' | 'maxListPageSize'> {
  /** Each generation's text (default: "Hello from Gemini stub"). */
  readonly answer?: (request: RecordedRequest) => string
}

/**
 * Speaks the Gemini Developer API (v1beta models list, generateContent and the Batch API) on loopback.
 */
export async function startGeminiStub (options: GeminiStubOptions = {}): Promise<GeminiStub> {
  const authorized = (request: RecordedRequest) => request.headers['x-goog-api-key'] === GEMINI_GOOD_KEY
  const batches = geminiBatchRoutes({ ...options, models: GEMINI_STUB_MODELS, authorized })
  const routes: Record<string, (request: RecordedRequest) => StubReply> = {
    ...batches.routes,
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
    generations: () => server.requests.filter(request => request.path.endsWith(':generateContent')),
    batches: batches.control
  }
}
