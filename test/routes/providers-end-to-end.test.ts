import t from 'tap'
import type { StubReply, StubServer } from '../helpers/stub-server.ts'
import { buildApp, type TestApp } from '../helpers/build-app.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'
import { ANTHROPIC_FAILURES, ANTHROPIC_GOOD_KEY, startAnthropicStub } from '../stubs/anthropic-stub.ts'
import { COHERE_FAILURES, COHERE_GOOD_KEY, startCohereStub } from '../stubs/cohere-stub.ts'
import { GEMINI_FAILURES, GEMINI_GOOD_KEY, generateRoute, startGeminiStub } from '../stubs/gemini-stub.ts'
import { COMPATIBLE_GOOD_KEY, startCompatibleStub } from '../stubs/openai-compatible-stub.ts'
import { OPENAI_FAILURES, OPENAI_GOOD_KEY, startOpenAIStub } from '../stubs/openai-stub.ts'
import { XAI_FAILURES, XAI_GOOD_KEY, startXaiStub } from '../stubs/xai-stub.ts'

interface Case {
  readonly provider: string
  readonly start: () => Promise<StubServer & { baseUrl: string }>
  /** The setting that points the provider at the stub, or undefined when the connection carries the base URL. */
  readonly setting?: string
  readonly goodKey: string
  readonly model: string
  readonly route: (model: string) => string
  /** The vendor's own bad-key answer at generation time. */
  readonly badKey: StubReply
}

const CASES: readonly Case[] = [
  { provider: 'openai', start: () => startOpenAIStub(), setting: 'OPENAI_BASE_URL', goodKey: OPENAI_GOOD_KEY, model: 'gpt-5.4', route: () => 'POST /v1/responses', badKey: OPENAI_FAILURES.unauthorized },
  { provider: 'anthropic', start: () => startAnthropicStub(), setting: 'ANTHROPIC_BASE_URL', goodKey: ANTHROPIC_GOOD_KEY, model: 'claude-sonnet-4-6', route: () => 'POST /v1/messages', badKey: ANTHROPIC_FAILURES.unauthorized },
  { provider: 'cohere', start: () => startCohereStub(), setting: 'COHERE_BASE_URL', goodKey: COHERE_GOOD_KEY, model: 'command-a-03-2025', route: () => 'POST /v2/chat', badKey: COHERE_FAILURES.unauthorized },
  { provider: 'xai', start: () => startXaiStub(), setting: 'XAI_BASE_URL', goodKey: XAI_GOOD_KEY, model: 'grok-4.3', route: () => 'POST /v1/responses', badKey: XAI_FAILURES.unauthorized },
  { provider: 'gemini', start: () => startGeminiStub(), setting: 'GEMINI_BASE_URL', goodKey: GEMINI_GOOD_KEY, model: 'gemini-2.5-flash', route: generateRoute, badKey: GEMINI_FAILURES.unauthorized },
  { provider: 'openai-compatible', start: () => startCompatibleStub(), goodKey: COMPATIBLE_GOOD_KEY, model: 'llama3.3:70b', route: () => 'POST /v1/chat/completions', badKey: OPENAI_FAILURES.unauthorized }
]

const PATH = '/hubspot/actions/custom-llm'
const CANARY_BAD_KEY = 'k9x2-canary-bad-key-7e4f1a8c3d6b'

async function execute (built: TestApp, fields: Record<string, string>) {
  const payload = JSON.stringify(executionBody(77, fields))
  const response = await built.app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
  return response.json().outputFields as Record<string, string>
}

for (const testCase of CASES) {
  t.test(`${testCase.provider}: connect, execute, and its bad-key answers`, async t => {
    const stub = await testCase.start()
    t.teardown(() => stub.close())
    // host:port: a bare loopback host admits its default port only, never every port on the machine.
    const built = await buildApp(t, testCase.setting === undefined ? { ALLOWED_PROVIDER_HOSTS: new URL(stub.origin).host } : { [testCase.setting]: stub.baseUrl })
    const url = `/api/portals/77/connections/${testCase.provider}`
    const body = (apiKey: string) => ({ apiKey, ...(testCase.setting === undefined ? { baseUrl: stub.baseUrl } : {}) })

    const refused = await built.app.inject({ method: 'PUT', url, headers: built.admin, payload: body(CANARY_BAD_KEY) })
    t.equal(refused.statusCode, 422, 'a bad key at connect')
    t.equal(refused.json().code, 'INVALID_API_KEY')
    t.notMatch(refused.body, 'canary')

    const connected = await built.app.inject({ method: 'PUT', url, headers: built.admin, payload: body(testCase.goodKey) })
    t.equal(connected.statusCode, 201, connected.body)

    const fields = { provider: testCase.provider, model: testCase.model, prompt: 'Greet {{firstname}} in one line.', temperature: '0.3', reasoningEffort: 'low' }
    const success = await execute(built, fields)
    t.equal(success.hs_execution_state, 'SUCCESS', JSON.stringify(success))
    t.ok(success.response !== undefined && success.response.length > 0)
    t.equal(success.provider, testCase.provider)
    t.ok(Number(success.inputTokens) > 0)

    stub.once(testCase.route(testCase.model), testCase.badKey)
    const revoked = await execute(built, fields)
    t.equal(revoked.errorCode, 'PROVIDER_AUTH', `a bad key at execution: ${revoked.errorMessage}`)
    const listed = await built.app.inject({ url: '/api/portals/77/connections', headers: built.admin })
    t.equal(listed.json().items[0].status, 'invalid')

    const recovered = await execute(built, fields)
    t.equal(recovered.hs_execution_state, 'SUCCESS', 'the next good answer clears the invalid mark')
    t.equal((await built.app.inject({ url: '/api/portals/77/connections', headers: built.admin })).json().items[0].status, 'connected')

    const executions = (await built.app.inject({ url: '/api/portals/77/executions', headers: built.admin })).json().items
    t.ok(executions.every((execution: { finishReason: string | null, status: string }) => execution.status !== 'success' || execution.finishReason !== null), 'finish reasons are recorded')
  })
}
