import t from 'tap'
import { buildApp } from '../helpers/build-app.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'
import type { StubReply } from '../helpers/stub-server.ts'
import { COMPATIBLE_GOOD_KEY, chatCompletion, startCompatibleStub } from '../stubs/openai-compatible-stub.ts'
import { OPENAI_GOOD_KEY, openAIResponse } from '../stubs/openai-stub.ts'

const PATH = '/hubspot/actions/custom-llm'
/** What a captive portal or a misconfigured gateway answers in place of the API. */
const HTML_PAGE: StubReply = { status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>Welcome</h1></body></html>' }

const CASES = [
  { provider: 'openai-compatible', model: 'llama3.3:70b', key: COMPATIBLE_GOOD_KEY, route: 'POST /v1/chat/completions', answer: () => chatCompletion('Hello Ada') },
  { provider: 'openai', model: 'gpt-4.1', key: OPENAI_GOOD_KEY, route: 'POST /v1/responses', answer: () => openAIResponse('Hello Ada') }
] as const

for (const testCase of CASES) {
  t.test(`${testCase.provider}: an HTTP 200 with an HTML body is PROVIDER_UNAVAILABLE, and a redelivery asks again`, async t => {
    const stub = await startCompatibleStub({ goodKeys: [testCase.key] })
    t.teardown(() => stub.close())
    let answerWithHtml = true
    stub.on(testCase.route, () => answerWithHtml ? HTML_PAGE : { body: testCase.answer() })
    const openai = testCase.provider === 'openai'
    const built = await buildApp(t, { ...(openai ? { OPENAI_BASE_URL: stub.baseUrl } : { ALLOWED_PROVIDER_HOSTS: new URL(stub.origin).host }), SYNC_BUDGET_MS: '300' })
    const connect = await built.app.inject({ method: 'PUT', url: `/api/portals/77/connections/${testCase.provider}`, headers: built.admin, payload: { apiKey: testCase.key, ...(openai ? {} : { baseUrl: stub.baseUrl }) } })
    t.equal(connect.statusCode, 201, connect.body)

    const payload = JSON.stringify(executionBody(77, { provider: testCase.provider, model: testCase.model, prompt: 'Say hi' }))
    const deliver = () => built.app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
    const first = await deliver()
    t.not(first.json().outputFields?.hs_execution_state, 'SUCCESS', `not a success: ${first.body}`)
    t.equal(first.json().code ?? first.json().outputFields?.errorCode, 'PROVIDER_UNAVAILABLE')
    t.equal(first.statusCode, 503, 'transient: HubSpot retries')

    answerWithHtml = false
    const second = await deliver()
    t.match(second.json(), { outputFields: { hs_execution_state: 'SUCCESS', response: 'Hello Ada' } }, `the redelivery is answered anew: ${second.body}`)
  })
}

t.test('a deliberate empty answer (a refusal) is not mistaken for an unreadable one', async t => {
  const stub = await startCompatibleStub()
  t.teardown(() => stub.close())
  stub.on('POST /v1/chat/completions', { body: chatCompletion('', { choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: 'I cannot help with that.' }, finish_reason: 'stop' }] }) })
  const built = await buildApp(t, { ALLOWED_PROVIDER_HOSTS: new URL(stub.origin).host, SYNC_BUDGET_MS: '300' })
  await built.app.inject({ method: 'PUT', url: '/api/portals/77/connections/openai-compatible', headers: built.admin, payload: { apiKey: COMPATIBLE_GOOD_KEY, baseUrl: stub.baseUrl } })
  const payload = JSON.stringify(executionBody(77, { provider: 'openai-compatible', model: 'llama3.3:70b', prompt: 'Say hi' }))
  const response = await built.app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
  t.not(response.json().code ?? response.json().outputFields?.errorCode, 'PROVIDER_UNAVAILABLE', response.body)
  t.equal(stub.chats().length, 1, 'not retried')
})
