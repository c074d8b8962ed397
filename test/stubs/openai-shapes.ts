/**
 * OpenAI's wire shapes as the stubs send them: a Responses API object and the error envelope. Shared by the
 * synchronous routes and the batch routes, whose output lines carry the same objects.
 */

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
