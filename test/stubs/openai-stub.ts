import { startStubServer, type RecordedRequest, type StubHandler, type StubReply, type StubServer } from '../helpers/stub-server.ts'
import { addOpenAIBatchRoutes, type OpenAIBatchControl, type OpenAIBatchStubOptions } from './openai-batch-stub.ts'
import { openAIError, openAIResponse } from './openai-shapes.ts'

export { openAIError, openAIResponse }

/** Keys the stub accepts; anything else gets OpenAI's 401 body (which echoes part of the key, as OpenAI does). */
export const OPENAI_GOOD_KEY = 'sk-test-openai-good-key-0000000000000000'

export interface OpenAIStub extends StubServer {
  /** The base URL the `openai` SDK takes (with /v1). */
  readonly baseUrl: string
  /** Requests to /v1/responses, parsed. */
  readonly generations: () => RecordedRequest[]
  /** Wraps a route handler so it answers only for a good key, and with the `unauthorized` reply otherwise. */
  readonly guarded: (handler: StubHandler) => StubHandler
  /** The Files and Batches endpoints' state, moved by the test (see openai-batch-stub.ts). */
  readonly batches: OpenAIBatchControl
}

export interface OpenAIStubOptions {
  /** Decides each generation's text (default: "Hello from stub"). */
  readonly answer?: (request: RecordedRequest) => string
  /** Keys the stub accepts. The empty string stands for a request without an Authorization header. */
  readonly goodKeys?: readonly string[]
  /** What GET /v1/models lists (default: OpenAI text models mixed with embedding and realtime ones). */
  readonly models?: ReadonlyArray<Readonly<Record<string, unknown>>>
  /** The reply to any other key (default: OpenAI's 401, which echoes part of the key as OpenAI does). */
  readonly unauthorized?: (key: string) => StubReply
  readonly batches?: OpenAIBatchStubOptions
}

const OPENAI_STUB_MODELS = [
  { id: 'gpt-5.4', object: 'model', created: 1772668800, owned_by: 'system' },
  { id: 'gpt-4.1', object: 'model', created: 1744316542, owned_by: 'system' },
  { id: 'text-embedding-3-large', object: 'model', created: 1705953180, owned_by: 'system' },
  { id: 'gpt-4o-realtime-preview', object: 'model', created: 1727659998, owned_by: 'system' },
  { id: 'gpt-7-preview', object: 'model', created: 1790000000, owned_by: 'system' }
]

/** OpenAI's 401 for a bad key, echoing its first six and last four characters as OpenAI does. */
export function openAIUnauthorized (key: string): StubReply {
  return openAIError(401, `Incorrect API key provided: ${key.slice(0, 6)}***${key.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_api_key')
}

/** The failures the conformance kit asks for, in OpenAI's error envelope (OpenAI-compatible servers use it too). */
export const OPENAI_FAILURES = {
  unauthorized: openAIUnauthorized('sk-revoked-key-0000000000'),
  'rate-limited': { ...openAIError(429, 'Rate limit reached for requests', 'rate_limit_exceeded'), headers: { 'retry-after': '2' } },
  unavailable: openAIError(503, 'The server is overloaded or not ready yet.', 'server_is_overloaded', null, 'server_error')
} as const satisfies Record<string, StubReply>

/** The key a request carries, without the `Bearer ` prefix; empty when it has none. */
export function bearerKey (request: RecordedRequest): string {
  return String(request.headers.authorization ?? '').replace(/^Bearer /, '')
}

/**
 * Speaks OpenAI's models, Responses, Files and Batches APIs on loopback. Other OpenAI-shaped vendors (xAI,
 * compatible servers) start it with their own models and bad-key reply, and add routes with `on(route, guarded(handler))`.
 */
export async function startOpenAIStub (options: OpenAIStubOptions = {}): Promise<OpenAIStub> {
  const goodKeys = new Set(options.goodKeys ?? [OPENAI_GOOD_KEY])
  const unauthorized = options.unauthorized ?? openAIUnauthorized
  const guarded = (handler: StubHandler): StubHandler => request => goodKeys.has(bearerKey(request)) ? handler(request) : unauthorized(bearerKey(request))
  const server = await startStubServer({
    'GET /v1/models': guarded(() => ({ body: { object: 'list', data: options.models ?? OPENAI_STUB_MODELS } })),
    'POST /v1/responses': guarded(request => ({ body: openAIResponse(options.answer?.(request) ?? 'Hello from stub', { model: request.json?.model }) }))
  })
  const batches = addOpenAIBatchRoutes(server, guarded, options.batches)
  return {
    ...server,
    on: server.on,
    once: server.once,
    close: server.close,
    requests: server.requests,
    origin: server.origin,
    baseUrl: `${server.origin}/v1`,
    generations: () => server.requests.filter(request => request.path === '/v1/responses'),
    guarded,
    batches
  }
}
