import t, { type Test } from 'tap'
import type { ActionContext } from '../../src/actions/action-context.ts'
import { NO_BUDGET } from '../../src/actions/budgets/budget-guard.ts'
import { resolveCustomLlm } from '../../src/actions/custom-llm/resolve-plan.ts'
import { callProviders, PRIMARY_POLICY_WITH_FALLBACK, type CallLedger, type CallOptions } from '../../src/actions/engine/call.ts'
import { createConnectionSlots, type ConnectionSlots } from '../../src/actions/engine/connection-slots.ts'
import { prepareExecution, type PreparedExecution } from '../../src/actions/engine/prepare.ts'
import { AppError } from '../../plugins/errors.ts'
import { DEFAULT_RETRY_POLICY } from '../../providers/retry.ts'
import { connectedContext } from '../helpers/connected-context.ts'
import type { AnthropicStub } from '../stubs/anthropic-stub.ts'
import { OPENAI_FAILURES, openAIError, openAIResponse, type OpenAIStub } from '../stubs/openai-stub.ts'

// Step "call with one repair": the primary target, one repair round, and the fallback, against loopback providers.

const PORTAL = 626262
const FALLBACK = { fallbackProvider: 'anthropic', fallbackModel: 'claude-sonnet-4-6' }
const QUOTA = openAIError(429, 'You exceeded your current quota', 'insufficient_quota', null, 'insufficient_quota')

interface CallSetup {
  readonly context: ActionContext
  readonly openai: OpenAIStub
  readonly anthropic: AnthropicStub
  readonly slots: ConnectionSlots
  prepare (inputFields: Record<string, string>): Promise<PreparedExecution>
  call (prepared: PreparedExecution, ledger: CallLedger, options?: Partial<CallOptions>): ReturnType<typeof callProviders>
}

/** The real services with OpenAI and Anthropic connected to loopback stubs; each test gets its own. */
async function callSetup (t: Test): Promise<CallSetup> {
  const { context, openai, anthropic } = await connectedContext(t, PORTAL)
  const slots = createConnectionSlots({ concurrency: 2, queueLimit: 5 })
  return {
    context,
    openai,
    anthropic,
    slots,
    prepare: async inputFields => await prepareExecution(context, {
      action: 'custom-llm',
      trigger: 'workflow',
      portalId: PORTAL,
      callbackId: 'call-step',
      inputFields: { provider: 'openai', model: 'gpt-4.1', prompt: 'How many moons has Mars?', ...inputFields }
    }, resolveCustomLlm, undefined),
    call: async (prepared, ledger, options = {}) => {
      const deadline = Date.now() + 20_000
      return await callProviders(context, prepared, ledger, { signal: AbortSignal.timeout(20_000), deadline, retryUntil: deadline, slots, mayRefuse: false, budget: NO_BUDGET, ...options })
    }
  }
}

const emptyLedger = (): CallLedger => ({ results: [], adjustments: [] })

async function failure (promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => undefined, (thrown: unknown) => thrown)
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`)
  return error
}

const messages = (anthropic: AnthropicStub) => anthropic.generations().length

t.test('an answer that fits is returned after one call, and the slot is given back', async t => {
  const setup = await callSetup(t)
  setup.openai.once('POST /v1/responses', { body: openAIResponse('Two.') })
  const prepared = await setup.prepare({})
  const ledger = emptyLedger()
  const parsed = await setup.call(prepared, ledger)
  t.same(parsed, { ok: true, fields: {}, response: 'Two.' })
  t.equal(setup.openai.generations().length, 1)
  t.equal(ledger.results.length, 1)
  t.equal(ledger.target?.provider.id, 'openai')
  t.equal(ledger.target?.modelId, 'gpt-4.1')
  t.equal(ledger.fallbackReason, undefined)
  t.same(setup.slots.load(prepared.plan.connection.id), { running: 0, waiting: 0 })
})

t.test('an answer that does not fit the format gets exactly one repair call', async t => {
  const setup = await callSetup(t)
  setup.openai.once('POST /v1/responses', { body: openAIResponse('Mars has a couple of moons.') }, { body: openAIResponse('{"value": 2}') })
  const prepared = await setup.prepare({ outputFormat: 'number' })
  const ledger = emptyLedger()
  const parsed = await setup.call(prepared, ledger)
  t.same(parsed, { ok: true, fields: { responseNumber: '2' }, response: '2' })
  const generations = setup.openai.generations()
  t.equal(generations.length, 2, 'the first call and one repair')
  t.equal(ledger.results.length, 2, 'both calls are in the ledger, for their tokens')
  const repair = String(generations[1]?.json?.input)
  t.ok(repair.startsWith(prepared.prompt), 'the repair repeats the task')
  t.match(repair, /Your previous answer could not be used: The answer contains no number\./)
  t.match(repair, /Mars has a couple of moons\./, 'and quotes the rejected answer')
  t.equal(generations[1]?.json?.instructions, generations[0]?.json?.instructions, 'with the same instructions')
  t.same(generations[1]?.json?.text, generations[0]?.json?.text, 'and the same structured-output schema')
})

t.test('a repair that does not fit either is not repaired again', async t => {
  const setup = await callSetup(t)
  setup.openai.on('POST /v1/responses', { body: openAIResponse('Several, I think.') })
  const prepared = await setup.prepare({ outputFormat: 'number' })
  const ledger = emptyLedger()
  const parsed = await setup.call(prepared, ledger)
  t.equal(parsed.ok, false)
  t.match(parsed.ok ? '' : parsed.problem, /no number/)
  t.equal(setup.openai.generations().length, 2, 'one call and one repair, no more')
  t.equal(ledger.results.length, 2)
})

t.test('an adjustment made for the target is recorded once, even across the repair', async t => {
  const setup = await callSetup(t)
  setup.openai.once('POST /v1/responses', { body: openAIResponse('no idea') }, { body: openAIResponse('7') })
  const prepared = await setup.prepare({ outputFormat: 'number', reasoningEffort: 'high' })
  const ledger = emptyLedger()
  await setup.call(prepared, ledger)
  t.same(ledger.adjustments, ['Reasoning effort "high" ignored: gpt-4.1 has no reasoning-effort setting.'])
})

t.test('the primary rejects its key (PROVIDER_AUTH): the fallback answers', async t => {
  const setup = await callSetup(t)
  setup.openai.once('POST /v1/responses', OPENAI_FAILURES.unauthorized)
  const prepared = await setup.prepare(FALLBACK)
  const ledger = emptyLedger()
  const parsed = await setup.call(prepared, ledger)
  t.equal(parsed.ok, true)
  t.match(parsed.ok ? parsed.response : '', /Hello from Claude stub/)
  t.equal(setup.openai.generations().length, 1, 'a refused key is not retried')
  t.equal(messages(setup.anthropic), 1)
  t.equal(setup.anthropic.generations()[0]?.json?.model, 'claude-sonnet-4-6')
  t.equal(ledger.target?.provider.id, 'anthropic', 'the ledger names the target that answered')
  t.equal(ledger.target?.modelId, 'claude-sonnet-4-6')
  t.match(ledger.fallbackReason, /^openai\/gpt-4\.1 failed with PROVIDER_AUTH \(.+\); answered by the fallback anthropic\/claude-sonnet-4-6\.$/)
  t.equal(ledger.results.length, 1, 'the failed primary answered nothing')
  t.same(setup.slots.load(prepared.plan.connection.id), { running: 0, waiting: 0 }, 'the primary\'s slot was released')
  t.same(setup.slots.load(ledger.target?.connection.id ?? -1), { running: 0, waiting: 0 }, 'and so was the fallback\'s')
})

t.test('the primary is out of quota (PROVIDER_QUOTA): the fallback answers, the primary asked once', async t => {
  const setup = await callSetup(t)
  setup.openai.once('POST /v1/responses', QUOTA)
  const prepared = await setup.prepare(FALLBACK)
  const ledger = emptyLedger()
  await setup.call(prepared, ledger)
  t.equal(setup.openai.generations().length, 1)
  t.equal(messages(setup.anthropic), 1)
  t.equal(ledger.target?.provider.id, 'anthropic')
  t.match(ledger.fallbackReason, /failed with PROVIDER_QUOTA/)
})

t.test('the primary stays down (PROVIDER_UNAVAILABLE): the short policy\'s attempts, then the fallback', async t => {
  const setup = await callSetup(t)
  setup.openai.on('POST /v1/responses', OPENAI_FAILURES.unavailable)
  const prepared = await setup.prepare(FALLBACK)
  const ledger = emptyLedger()
  const parsed = await setup.call(prepared, ledger)
  t.equal(parsed.ok, true)
  t.equal(setup.openai.generations().length, PRIMARY_POLICY_WITH_FALLBACK.attempts, `${PRIMARY_POLICY_WITH_FALLBACK.attempts} attempts on the primary`)
  t.equal(messages(setup.anthropic), 1)
  t.equal(ledger.target?.provider.id, 'anthropic')
  t.match(ledger.fallbackReason, /failed with PROVIDER_UNAVAILABLE/)
})

t.test('without a fallback the primary gets the default policy\'s attempts and the outage is thrown', async t => {
  const setup = await callSetup(t)
  setup.openai.on('POST /v1/responses', OPENAI_FAILURES.unavailable)
  const prepared = await setup.prepare({})
  const error = await failure(setup.call(prepared, emptyLedger()))
  t.equal(error.code, 'PROVIDER_UNAVAILABLE')
  t.equal(setup.openai.generations().length, DEFAULT_RETRY_POLICY.attempts)
  t.equal(messages(setup.anthropic), 0)
})

t.test('a refused request (PROVIDER_REJECTED) is not sent to the fallback', async t => {
  const setup = await callSetup(t)
  setup.openai.once('POST /v1/responses', openAIError(400, 'Invalid prompt', 'invalid_prompt'))
  const prepared = await setup.prepare(FALLBACK)
  const ledger = emptyLedger()
  const error = await failure(setup.call(prepared, ledger))
  t.equal(error.code, 'PROVIDER_REJECTED')
  t.match(error.message, /OpenAI refused the request \(HTTP 400\)\. OpenAI's error code: invalid_prompt\./)
  t.equal(messages(setup.anthropic), 0, 'the fallback was not called')
  t.equal(ledger.fallbackReason, undefined)
  t.equal(ledger.target?.provider.id, 'openai')
})

t.test('a fallback that cannot be used keeps the primary\'s code, with a message naming the fallback', async t => {
  const setup = await callSetup(t)
  setup.openai.once('POST /v1/responses', OPENAI_FAILURES.unauthorized)
  const prepared = await setup.prepare({ fallbackProvider: 'cohere', fallbackModel: 'command-a' })
  const ledger = emptyLedger()
  const error = await failure(setup.call(prepared, ledger))
  t.equal(error.code, 'PROVIDER_AUTH', 'the primary\'s failure, not the fallback\'s')
  t.match(error.message, /^OpenAI rejected the API key \(HTTP 401\)\. /, 'the primary\'s message first')
  t.match(error.message, /The fallback cohere\/command-a could not be used: Portal 626262 has not connected cohere/)
  t.equal(ledger.fallbackReason, undefined, 'no fallback answered')
  t.equal(ledger.target?.provider.id, 'openai')
})

t.test('a fallback that fails too throws its own error, and the ledger names it', async t => {
  const setup = await callSetup(t)
  setup.openai.once('POST /v1/responses', QUOTA)
  setup.anthropic.once('POST /v1/messages', { status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long' } } })
  const prepared = await setup.prepare(FALLBACK)
  const ledger = emptyLedger()
  const error = await failure(setup.call(prepared, ledger))
  t.equal(error.code, 'PROVIDER_REJECTED')
  t.match(error.message, /^Anthropic \(Claude\) refused the request \(HTTP 400\)\./)
  t.equal(ledger.target?.provider.id, 'anthropic')
  t.match(ledger.fallbackReason, /failed with PROVIDER_QUOTA/)
})

t.test('a full connection line refuses a call HubSpot can still retry, before any provider call', async t => {
  const setup = await callSetup(t)
  const prepared = await setup.prepare({})
  const full = createConnectionSlots({ concurrency: 1, queueLimit: 0 })
  const release = await full.acquire(prepared.plan.connection.id, { mayRefuse: false, signal: new AbortController().signal })
  const error = await failure(setup.call(prepared, emptyLedger(), { slots: full, mayRefuse: true }))
  t.equal(error.code, 'RATE_LIMITED')
  t.equal(setup.openai.generations().length, 0)
  release()
})
