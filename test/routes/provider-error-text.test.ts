import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../helpers/build-app.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'
import { openAIError, startOpenAIStub } from '../stubs/openai-stub.ts'

const PORTAL = 5151
const PATH = '/hubspot/actions/custom-llm'
// Not shaped like any vendor's key, so only knowing the key (never a prefix rule) can hide it.
const KEY = 'good-kQ7wZ3nV8rT2mX5pL9bY4hD6fJ1-xyz'

/** The ways vendors and proxies have been seen to echo a key. */
const ECHOES: Readonly<Record<string, string>> = {
  'upper case': KEY.toUpperCase(),
  base64: Buffer.from(KEY).toString('base64'),
  'first ten characters': KEY.slice(0, 10),
  'last eight characters': KEY.slice(-8),
  masked: `${KEY.slice(0, 6)}***${KEY.slice(-4)}`
}

t.test('no echo of the key, in any form, reaches errorMessage, a response or the database', async t => {
  const stub = await startOpenAIStub({ goodKeys: [KEY] })
  t.teardown(() => stub.close())
  // A generous budget: a first call also loads the OpenAI SDK, which on a loaded machine can take a few hundred ms.
  const built = await buildApp(t, { OPENAI_BASE_URL: stub.baseUrl, SYNC_BUDGET_MS: '10000' })
  const connect = await built.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai`, headers: built.admin, payload: { apiKey: KEY } })
  t.equal(connect.statusCode, 201)

  const bodies: string[] = []
  const execute = async () => {
    const payload = JSON.stringify(executionBody(PORTAL, { provider: 'openai', model: 'gpt-4.1', prompt: 'Say hi' }))
    const response = await built.app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
    bodies.push(response.body)
    return response.json().outputFields as Record<string, string>
  }
  const failures = [
    (echo: string) => openAIError(400, `Invalid value for the key ${echo}`, 'invalid_value', 'input'),
    (echo: string) => openAIError(429, `Quota exceeded for ${echo}`, 'insufficient_quota', null, 'insufficient_quota'),
    (echo: string) => openAIError(401, `Incorrect API key provided: ${echo}`, 'invalid_api_key'),
    // A vendor code that is itself a fragment of the key is no longer a safe token.
    () => openAIError(400, 'Bad request', KEY.slice(0, 12).toLowerCase())
  ]
  for (const [name, echo] of Object.entries(ECHOES)) {
    for (const failure of failures) {
      stub.once('POST /v1/responses', failure(echo))
      const fields = await execute()
      t.ok(fields.errorCode !== undefined, `${name}: ${fields.errorMessage}`)
      t.notOk(fields.errorMessage?.includes(echo), `${name} is not in errorMessage: ${fields.errorMessage}`)
    }
  }
  await built.app.close()

  const everything = [...bodies, ...built.logs].join('\n')
  for (const [name, echo] of Object.entries({ key: KEY, ...ECHOES })) {
    t.notOk(everything.includes(echo), `${name} is in no response and no log line`)
    for (const file of readdirSync(built.dataDir)) {
      t.notOk(readFileSync(join(built.dataDir, file)).includes(Buffer.from(echo)), `${name} is not in ${file}`)
    }
  }
})

t.test('errorMessage is our own sentence per code, with the vendor\'s code and parameter when they are safe tokens', async t => {
  const stub = await startOpenAIStub()
  t.teardown(() => stub.close())
  const built = await buildApp(t, { OPENAI_BASE_URL: stub.baseUrl, SYNC_BUDGET_MS: '200' })
  await built.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai`, headers: built.admin, payload: { apiKey: 'sk-test-openai-good-key-0000000000000000' } })
  const execute = async () => {
    const payload = JSON.stringify(executionBody(PORTAL, { provider: 'openai', model: 'gpt-4.1', prompt: 'Say hi' }))
    const response = await built.app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
    return response.json() as { outputFields?: Record<string, string>, message?: string, code?: string }
  }
  const cases: Array<[string, ReturnType<typeof openAIError>, string, RegExp]> = [
    ['rejected', openAIError(400, 'Unsupported value: max_output_tokens must be at least 16. See https://x.example/?a=b', 'integer_below_min_value', 'max_output_tokens'), 'PROVIDER_REJECTED',
      /^OpenAI refused the request \(HTTP 400\)\. It named the parameter max_output_tokens\. OpenAI's error code: integer_below_min_value\.$/],
    ['quota', openAIError(429, 'You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', null, 'insufficient_quota'), 'PROVIDER_QUOTA',
      /^OpenAI refused the call: the account is out of quota or credit \(HTTP 429\)\..* OpenAI's error code: insufficient_quota\.$/],
    ['auth', openAIError(401, 'Incorrect API key provided: sk-tes***0000.', 'invalid_api_key'), 'PROVIDER_AUTH',
      /^OpenAI rejected the API key \(HTTP 401\)\./],
    ['free text code', openAIError(400, 'nope', 'Your key sk-test is wrong'), 'PROVIDER_REJECTED', /^OpenAI refused the request \(HTTP 400\)\.$/]
  ]
  for (const [name, reply, code, wording] of cases) {
    stub.once('POST /v1/responses', reply)
    const { outputFields } = await execute()
    t.equal(outputFields?.errorCode, code, name)
    t.match(outputFields?.errorMessage, wording, `${name}: ${outputFields?.errorMessage}`)
    t.notMatch(outputFields?.errorMessage, /exceeded your current|see https|Incorrect API key|nope/i, `${name}: no vendor free text`)
  }
  stub.once('POST /v1/responses', openAIError(503, 'upstream node gpu-7 at 10.0.0.7 is down'), openAIError(503, 'upstream node gpu-7 at 10.0.0.7 is down'))
  const unavailable = await execute()
  t.equal(unavailable.code, 'PROVIDER_UNAVAILABLE')
  t.match(unavailable.message, /^OpenAI is unavailable \(HTTP 503\)/)
  t.notMatch(unavailable.message, /10\.0\.0\.7/)
})
