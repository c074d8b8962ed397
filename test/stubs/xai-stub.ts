import type { StubReply } from '../helpers/stub-server.ts'
import type { StubFailures } from '../helpers/conformance-scenarios.ts'
import { bearerKey, startOpenAIStub, type OpenAIStub } from './openai-stub.ts'

export const XAI_GOOD_KEY = 'xai-test-good-key-0000000000000000000000'
/** A key xAI knows but reports as blocked at GET /v1/api-key. */
export const XAI_BLOCKED_KEY = 'xai-test-blocked-key-00000000000000000000'

/** xAI's error body: not OpenAI's envelope but `{code, error}`, with a gRPC-style code. */
export function xaiError (status: number, message: string, code = 'Client specified an invalid argument'): StubReply {
  return { status, body: { code, error: message } }
}

/** xAI's answer to a bad key: HTTP 400 (not 401), echoing the key's first and last two characters. */
export function xaiBadKey (key: string): StubReply {
  return xaiError(400, `Incorrect API key provided: ${key.slice(0, 2)}***${key.slice(-2)}. You can obtain an API key from https://console.x.ai.`)
}

export const XAI_FAILURES: StubFailures = {
  unauthorized: xaiBadKey('xai-revoked-key-0000'),
  'rate-limited': { ...xaiError(429, 'Too many requests: rate limit for this model exceeded.', 'Too many requests'), headers: { 'retry-after': '2' } },
  unavailable: xaiError(503, 'The service is currently unavailable.', 'Service unavailable')
}

const XAI_STUB_MODELS = [
  { id: 'grok-4.3', object: 'model', created: 1743724800, owned_by: 'xai' },
  { id: 'grok-4.5', object: 'model', created: 1783000000, owned_by: 'xai' },
  { id: 'grok-4.20-non-reasoning', object: 'model', created: 1760000000, owned_by: 'xai' },
  { id: 'grok-3-mini', object: 'model', created: 1713000000, owned_by: 'xai' },
  { id: 'grok-imagine-image', object: 'model', created: 1770000000, owned_by: 'xai' },
  { id: 'grok-2-image-1212', object: 'model', created: 1733000000, owned_by: 'xai' }
]

/** xAI on loopback: the OpenAI stub with Grok models, xAI's 400 bad-key answer and GET /v1/api-key. */
export async function startXaiStub (): Promise<OpenAIStub> {
  const stub = await startOpenAIStub({ goodKeys: [XAI_GOOD_KEY, XAI_BLOCKED_KEY], models: XAI_STUB_MODELS, unauthorized: xaiBadKey })
  stub.on('GET /v1/api-key', stub.guarded(request => {
    const blocked = bearerKey(request) === XAI_BLOCKED_KEY
    return {
      body: {
        redacted_api_key: 'xai-...0000',
        user_id: 'user-1',
        name: 'test key',
        team_id: 'team-1',
        acls: ['api-key:model:*', 'api-key:endpoint:*'],
        api_key_id: 'key-1',
        team_blocked: false,
        api_key_blocked: blocked,
        api_key_disabled: false
      }
    }
  }))
  return stub
}
