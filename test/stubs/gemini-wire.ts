import type { StubReply } from '../helpers/stub-server.ts'

/** The key the stub accepts. It holds a canary word, so tests can check that no error or URL ever repeats it. */
export const GEMINI_GOOD_KEY = 'AIza-test-canary-good-key-3333333333333'

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

/**
 * A body as Google sends it: indented JSON, one field a line (the `prettyPrint` system parameter defaults to true).
 * The provider counts on it to read a batch of thousands of inline answers, each line held to one answer's limit.
 */
export function googleJson (body: unknown): StubReply {
  return { headers: { 'content-type': 'application/json; charset=UTF-8' }, body: JSON.stringify(body, null, 2) }
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
