import { startStubServer, type RecordedRequest, type StubServer } from '../helpers/stub-server.ts'

/** Keys the stub accepts; anything else gets OpenAI's 401 body (which echoes part of the key, as OpenAI does). */
export const OPENAI_GOOD_KEY = 'sk-test-openai-good-key-0000000000000000'

export interface OpenAIStub extends StubServer {
  /** The base URL the `openai` SDK takes (with /v1). */
  readonly baseUrl: string
  /** Requests to /v1/responses, parsed. */
  readonly generations: () => RecordedRequest[]
}

export function openAIResponse (text: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'resp_123',
    object: 'response',
    created_at: 1764000000,
    status: 'completed',
    model: 'gpt-5.4-2026-03-05',
    output: [
      { type: 'reasoning', id: 'rs_1', summary: [] },
      { type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] }
    ],
    incomplete_details: null,
    error: null,
    usage: { input_tokens: 12, input_tokens_details: { cached_tokens: 2 }, output_tokens: 20, output_tokens_details: { reasoning_tokens: 8 }, total_tokens: 32 },
    ...overrides
  }
}

export function openAIError (status: number, message: string, code: string | null = null, param: string | null = null, type = 'invalid_request_error') {
  return { status, body: { error: { message, type, param, code } } }
}

/**
 * Speaks OpenAI's models and Responses APIs on loopback. `answer` decides each generation's text (default:
 * "Hello from stub").
 */
export async function startOpenAIStub (options: { answer?: (request: RecordedRequest) => string, goodKeys?: string[] } = {}): Promise<OpenAIStub> {
  const goodKeys = new Set(options.goodKeys ?? [OPENAI_GOOD_KEY])
  const authorized = (request: RecordedRequest) => goodKeys.has(String(request.headers.authorization ?? '').replace(/^Bearer /, ''))
  const unauthorized = (request: RecordedRequest) => {
    const key = String(request.headers.authorization ?? '').replace(/^Bearer /, '')
    return openAIError(401, `Incorrect API key provided: ${key.slice(0, 6)}***${key.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_api_key')
  }
  const server = await startStubServer({
    'GET /v1/models': request => authorized(request)
      ? {
          body: {
            object: 'list',
            data: [
              { id: 'gpt-5.4', object: 'model', created: 1772668800, owned_by: 'system' },
              { id: 'gpt-4.1', object: 'model', created: 1744316542, owned_by: 'system' },
              { id: 'text-embedding-3-large', object: 'model', created: 1705953180, owned_by: 'system' },
              { id: 'gpt-4o-realtime-preview', object: 'model', created: 1727659998, owned_by: 'system' },
              { id: 'gpt-7-preview', object: 'model', created: 1790000000, owned_by: 'system' }
            ]
          }
        }
      : unauthorized(request),
    'POST /v1/responses': request => authorized(request)
      ? { body: openAIResponse(options.answer?.(request) ?? 'Hello from stub', { model: request.json?.model }) }
      : unauthorized(request)
  })
  return {
    ...server,
    on: server.on,
    once: server.once,
    close: server.close,
    requests: server.requests,
    origin: server.origin,
    baseUrl: `${server.origin}/v1`,
    generations: () => server.requests.filter(request => request.path === '/v1/responses')
  }
}
