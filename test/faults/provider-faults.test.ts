import t, { type Test } from 'tap'
import { durableSetup, eventually, PORTAL, type DurableSetup, type InjectResponse } from '../helpers/durable-setup.ts'
import { openAIError, openAIResponse } from '../stubs/openai-stub.ts'
import { startMisbehavingOpenAI, type Misbehaviour } from './misbehaving-openai.ts'

// Provider faults, each with the answer HubSpot must get and the proof that no execution is lost: it ends with
// exactly one answer (a 200 outcome, a BLOCK completed once, or a 429/503 HubSpot retries) and its row agrees.

const row = async (setup: DurableSetup) => (await setup.app.repositories.executions.recent(PORTAL, 1))[0]

/** The answer is one HubSpot understands, and the row is consistent with it. */
async function settled (t: Test, setup: DurableSetup, answer: InjectResponse): Promise<void> {
  if (answer.statusCode === 429 || answer.statusCode === 503) {
    t.ok(Number(answer.headers['retry-after']) >= 1, `${answer.statusCode} carries Retry-After`)
    return
  }
  t.equal(answer.statusCode, 200, answer.body)
  const state = answer.json().outputFields.hs_execution_state
  if (state === 'BLOCK') {
    await eventually('the completion', () => setup.hubspot.state.completedCallbacks.length > 0, 15_000)
    await new Promise(resolve => setTimeout(resolve, 300))
    t.equal(setup.hubspot.state.completedCallbacks.length, 1, 'completed exactly once')
    return
  }
  t.ok(['SUCCESS', 'FAIL_CONTINUE'].includes(state), `a final state (${String(state)})`)
  t.not((await row(setup))?.status, 'running', 'the row is finished')
}

for (const [mode, expected] of [['stall-mid-body', 'PROVIDER_TIMEOUT'], ['reset-mid-body', undefined], ['malformed-json', undefined]] as Array<[Misbehaviour, string | undefined]>) {
  t.test(`a provider that does ${mode}: a coded failure or a retry, never a hang or a lost execution`, async t => {
    const stub = await startMisbehavingOpenAI(mode)
    t.teardown(() => stub.close())
    // The timeout also bounds connecting the key (its first call loads the SDK): 2.5 s was too tight under the whole suite.
    const setup = await durableSetup(t, { OPENAI_BASE_URL: stub.baseUrl, PROVIDER_TIMEOUT_MS: '4000', SYNC_BUDGET_MS: '5000' })
    const started = Date.now()
    const answer = await setup.execute(setup.body())
    t.ok(Date.now() - started < 9000, 'answered near the sync budget (slack for a loaded machine)')
    t.comment(`${mode}: ${answer.statusCode} ${answer.body.slice(0, 200)} after ${stub.calls} calls`)
    await settled(t, setup, answer)
    if (expected !== undefined) t.equal(answer.json().outputFields.errorCode, expected)
    t.ok(stub.calls >= 1 && stub.calls <= 3, `at most the retry policy's attempts (${stub.calls})`)
  })
}

t.test('a 429 storm: HubSpot gets 429 with Retry-After and the provider is not hammered', async t => {
  const setup = await durableSetup(t, { SYNC_BUDGET_MS: '3000' })
  setup.openai.on('POST /v1/responses', { ...openAIError(429, 'Rate limit reached', 'rate_limit_exceeded'), headers: { 'retry-after': '1' } })
  const answers = await Promise.all(Array.from({ length: 5 }, async () => await setup.execute(setup.body())))
  for (const answer of answers) {
    t.equal(answer.statusCode, 429, answer.body)
    t.ok(Number(answer.headers['retry-after']) >= 1, 'Retry-After for HubSpot')
  }
  const calls = setup.openai.generations().length
  t.ok(calls <= 15, `at most three attempts per execution (${calls} calls for 5)`)
  const rows = (await setup.app.repositories.executions.recent(PORTAL, 10))
  t.equal(rows.length, 5)
  t.ok(rows.every(each => each.status !== 'running'), `no row left running (${rows.map(each => each.status).join(',')})`)
})

t.test('a burst of 500s then recovery: retried within the budget, SUCCESS, calls counted', async t => {
  const setup = await durableSetup(t, { SYNC_BUDGET_MS: '5000' })
  const failure = openAIError(500, 'The server had an error', null, null, 'server_error')
  setup.openai.once('POST /v1/responses', failure, failure)
  setup.openai.on('POST /v1/responses', setup.openai.guarded(request => ({ body: openAIResponse('recovered', { model: request.json?.model }) })))
  const answer = await setup.execute(setup.body())
  t.equal(answer.statusCode, 200, answer.body)
  t.equal(answer.json().outputFields.hs_execution_state, 'SUCCESS')
  t.equal(answer.json().outputFields.response, 'recovered')
  t.equal(setup.openai.generations().length, 3, 'two failures, one success')
  t.equal((await row(setup))?.status, 'success')
})

t.test('an 80 MB answer: FAIL_CONTINUE with PROVIDER_REJECTED, asked once, and the rest never read', async t => {
  const stub = await startMisbehavingOpenAI('oversize-body')
  t.teardown(() => stub.close())
  const setup = await durableSetup(t, { OPENAI_BASE_URL: stub.baseUrl, PROVIDER_TIMEOUT_MS: '20000', SYNC_BUDGET_MS: '20000' })
  const answer = await setup.execute(setup.body())
  t.equal(answer.statusCode, 200, answer.body.slice(0, 300))
  t.match(answer.json().outputFields, { hs_execution_state: 'FAIL_CONTINUE', errorCode: 'PROVIDER_REJECTED', errorMessage: /answer was larger than 8 MiB/ })
  t.equal(stub.calls, 1, 'a permanent failure: not retried')
  t.ok(stub.sent < 24 * 1024 * 1024, `${(stub.sent / 1024 / 1024).toFixed(1)} MiB of 80 sent before the service hung up`)
  t.equal((await row(setup))?.status, 'failed')
})
