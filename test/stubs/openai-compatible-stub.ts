import type { RecordedRequest } from '../helpers/stub-server.ts'
import { startOpenAIStub, type OpenAIStub } from './openai-stub.ts'

/** A LiteLLM-style master key; keyless servers are started with `goodKeys: ['']`. */
export const COMPATIBLE_GOOD_KEY = 'sk-litellm-master-key-00000000000000000'

export interface CompatibleStub extends OpenAIStub {
  /** Requests to /v1/chat/completions, parsed. */
  readonly chats: () => RecordedRequest[]
}

export function chatCompletion (text: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'chatcmpl-123',
    object: 'chat.completion',
    created: 1764000000,
    model: 'llama3.3:70b',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 14, completion_tokens: 5, total_tokens: 19 },
    ...overrides
  }
}

const OLLAMA_MODELS = [
  { id: 'llama3.3:70b', object: 'model', created: 1764000000, owned_by: 'library' },
  { id: 'nomic-embed-text:latest', object: 'model', created: 1763000000, owned_by: 'library' },
  { id: 'qwen3:8b', object: 'model', created: 1765000000, owned_by: 'library' },
  { id: 'bge-reranker-v2-m3', object: 'model', created: 1762000000, owned_by: 'library' }
]

/**
 * An OpenAI-compatible server (Ollama's model list, OpenAI's error envelope) that speaks Chat Completions.
 * Its Responses route stays the OpenAI stub's, so a test can prove it is never called.
 */
export async function startCompatibleStub (options: { goodKeys?: readonly string[], answer?: (request: RecordedRequest) => string } = {}): Promise<CompatibleStub> {
  const stub = await startOpenAIStub({ goodKeys: options.goodKeys ?? [COMPATIBLE_GOOD_KEY], models: OLLAMA_MODELS })
  stub.on('POST /v1/chat/completions', stub.guarded(request => ({
    body: chatCompletion(options.answer?.(request) ?? 'Hello from stub', { model: request.json?.model })
  })))
  return { ...stub, chats: () => stub.requests.filter(request => request.path === '/v1/chat/completions') }
}
