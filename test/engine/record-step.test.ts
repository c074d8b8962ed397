import t, { type Test } from 'tap'
import type { ActionContext } from '../../src/actions/action-context.ts'
import { resolveCustomLlm } from '../../src/actions/custom-llm/resolve-plan.ts'
import type { CallLedger } from '../../src/actions/engine/call.ts'
import { prepareExecution, type PreparedExecution } from '../../src/actions/engine/prepare.ts'
import { asFinalFailure, recordAnswer, recordFailure, RETRY_STATUS, storedOutcome } from '../../src/actions/engine/record.ts'
import { typedOutputs } from '../../src/actions/engine/typed-outputs.ts'
import { parseAnswer } from '../../src/actions/output-format.ts'
import { callTarget } from '../../src/actions/plan-parts.ts'
import { AppError } from '../../plugins/errors.ts'
import type { InvokeResult } from '../../providers/contract.ts'
import { connectedContext } from '../helpers/connected-context.ts'

// Step "record": an answer or a failure as HubSpot's outputs and as the row that records it. No provider is called.

const PORTAL = 737373
const EXECUTION_ID = 41
const TIMES = { storePrompts: false, startedAt: 1_800_000_000_000, finishedAt: 1_800_000_001_250 }

async function recordContext (t: Test): Promise<ActionContext> {
  return (await connectedContext(t, PORTAL)).context
}

// Recording writes nothing, so one set of services serves every test in this file.
const context = await recordContext(t)

async function prepared (inputFields: Record<string, string> = {}): Promise<PreparedExecution> {
  return await prepareExecution(context, {
    action: 'custom-llm',
    trigger: 'workflow',
    portalId: PORTAL,
    callbackId: 'record-step',
    inputFields: { provider: 'openai', model: 'gpt-4.1', prompt: 'Count the moons of Mars.', ...inputFields }
  }, resolveCustomLlm, undefined)
}

function result (text: string, usage: InvokeResult['usage'], finishReason: InvokeResult['finishReason'] = 'stop'): InvokeResult {
  return { text, finishReason, usage }
}

/** A first answer that did not fit, then a repair by the fallback. */
async function ledgerWithFallback (): Promise<CallLedger> {
  return {
    results: [
      result('a couple', { inputTokens: 12, outputTokens: 20, cachedInputTokens: 2, reasoningTokens: 8 }, 'length'),
      result('2', { inputTokens: 10, outputTokens: 25, reasoningTokens: 9 })
    ],
    adjustments: ['Temperature 0.3 ignored: claude-sonnet-4-6 does not accept a temperature.'],
    target: await callTarget(context, PORTAL, 'anthropic', 'claude-sonnet-4-6'),
    fallbackReason: 'openai/gpt-4.1 failed with PROVIDER_AUTH (bad key); answered by the fallback anthropic/claude-sonnet-4-6.',
    // What the call step charged, each call at its own model's price.
    costUsd: 0.0005125
  }
}

t.test('an answer becomes the outputs: response, typed field, the target that answered, tokens of every call', async t => {
  const execution = await prepared({ outputFormat: 'number' })
  const ledger = await ledgerWithFallback()
  const recorded = recordAnswer(EXECUTION_ID, execution, ledger, parseAnswer('number', '2'), TIMES)
  t.same(recorded.outcome, {
    kind: 'finished',
    state: 'SUCCESS',
    executionId: EXECUTION_ID,
    adjustments: ledger.adjustments,
    outputFields: {
      response: '2',
      responseNumber: '2',
      provider: 'anthropic',
      model: 'claude-sonnet-4-6',
      inputTokens: '22',
      outputTokens: '45',
      costUsd: '0.000513',
      hs_execution_state: 'SUCCESS'
    },
    summary: { provider: 'anthropic', model: 'claude-sonnet-4-6', inputTokens: 22, outputTokens: 45, costUsd: 0.0005125, latencyMs: 1250 }
  })
  t.not(recorded.outcome.kind === 'finished' ? recorded.outcome.adjustments : undefined, ledger.adjustments, 'the outcome holds its own copy of the adjustments')
})

t.test('the cost: written additively with the unknown flag; no costUsd output when a call was unpriced', async t => {
  const execution = await prepared()
  const priced = recordAnswer(EXECUTION_ID, execution, await ledgerWithFallback(), parseAnswer('text', 'Two'), TIMES)
  t.match(priced.finish, { costUsd: 0.0005125, costUnknown: false })
  const unpriced = recordAnswer(EXECUTION_ID, execution, { ...(await ledgerWithFallback()), costUnknown: true }, parseAnswer('text', 'Two'), TIMES)
  t.match(unpriced.finish, { costUsd: 0.0005125, costUnknown: true })
  t.equal(unpriced.outcome.kind === 'finished' ? unpriced.outcome.outputFields.costUsd : 'none', undefined)
  const nothingCalled = recordFailure(EXECUTION_ID, undefined, { results: [], adjustments: [] }, new AppError('TEMPLATE_UNRESOLVED', 'no value'), TIMES)
  t.match(nothingCalled.finish, { costUsd: 0, costUnknown: false }, 'no call, no cost, and that is known')
})

t.test('the row of an answer: provider, model, summed usage, the last finish reason, the fallback reason, latency', async t => {
  const execution = await prepared({ outputFormat: 'number' })
  const recorded = recordAnswer(EXECUTION_ID, execution, await ledgerWithFallback(), parseAnswer('number', '2'), TIMES)
  const finish = recorded.finish
  t.equal(finish.status, 'success')
  t.equal(finish.provider, 'anthropic')
  t.equal(finish.model, 'claude-sonnet-4-6')
  t.equal(finish.inputTokens, 22)
  t.equal(finish.outputTokens, 45)
  t.equal(finish.cachedInputTokens, 2, 'summed over the results that report it')
  t.equal(finish.reasoningTokens, 17)
  t.equal(finish.finishReason, 'stop', 'the last call\'s')
  t.match(finish.fallbackReason, /answered by the fallback/)
  t.same(finish.outputFields, recorded.outcome.kind === 'finished' ? recorded.outcome.outputFields : undefined)
  t.equal(finish.finishedAt, TIMES.finishedAt)
  t.equal(finish.latencyMs, 1250)
  t.notOk('prompt' in finish, 'prompts are not kept unless STORE_PROMPTS says so')
  t.notOk('response' in finish)
})

t.test('with STORE_PROMPTS the row keeps the prompt and the response', async t => {
  const execution = await prepared()
  const recorded = recordAnswer(EXECUTION_ID, execution, { results: [result('Two', { inputTokens: 1, outputTokens: 1 })], adjustments: [] }, parseAnswer('text', 'Two'), { ...TIMES, storePrompts: true })
  t.equal(recorded.finish.prompt, 'Count the moons of Mars.')
  t.equal(recorded.finish.response, 'Two')
})

t.test('without a target in the ledger the plan\'s provider and model are recorded', async t => {
  const execution = await prepared()
  const recorded = recordAnswer(EXECUTION_ID, execution, { results: [result('Two', { inputTokens: 5, outputTokens: 6 })], adjustments: [] }, parseAnswer('text', 'Two'), TIMES)
  const fields = recorded.outcome.kind === 'finished' ? recorded.outcome.outputFields : {}
  t.equal(fields.provider, 'openai')
  t.equal(fields.model, 'gpt-4.1')
  t.equal(fields.inputTokens, '5')
  t.equal(fields.outputTokens, '6')
  t.notOk('cachedInputTokens' in recorded.finish, 'usage no result reported is left out')
  t.notOk('fallbackReason' in recorded.finish)
})

t.test('an answer that still does not fit is a permanent OUTPUT_FORMAT failure, with its tokens', async t => {
  const execution = await prepared({ outputFormat: 'number' })
  const ledger: CallLedger = { results: [result('many', { inputTokens: 3, outputTokens: 4 }), result('lots', { inputTokens: 5, outputTokens: 6 })], adjustments: [] }
  const recorded = recordAnswer(EXECUTION_ID, execution, ledger, parseAnswer('number', 'lots'), TIMES)
  t.equal(recorded.outcome.kind, 'finished')
  t.equal(recorded.outcome.kind === 'finished' ? recorded.outcome.state : undefined, 'FAIL_CONTINUE')
  t.equal(recorded.finish.status, 'failed')
  t.equal(recorded.finish.errorCode, 'OUTPUT_FORMAT')
  t.match(recorded.finish.errorMessage, /even after one repair attempt: The answer contains no number/)
  t.equal(recorded.finish.inputTokens, 8)
  t.equal(recorded.finish.outputTokens, 10)
})

t.test('a transient failure is handed back to HubSpot with the status RETRY_STATUS names', async t => {
  const execution = await prepared()
  for (const code of ['PROVIDER_RATE_LIMITED', 'PROVIDER_UNAVAILABLE', 'RATE_LIMITED', 'STORAGE_UNAVAILABLE', 'SHUTTING_DOWN', 'INTERNAL'] as const) {
    const recorded = recordFailure(EXECUTION_ID, execution, { results: [], adjustments: [] }, new AppError(code, `failed with ${code}`, { retryAfterSeconds: 7 }), TIMES)
    t.same(recorded.outcome, { kind: 'retry', statusCode: RETRY_STATUS[code], retryAfterSeconds: 7, code, message: `failed with ${code}` }, code)
    t.equal(recorded.finish.status, 'retry')
    t.equal(recorded.finish.errorCode, code)
    t.notOk('outputFields' in recorded.finish, 'nothing for a redelivery to replay')
  }
  t.equal(RETRY_STATUS.PROVIDER_RATE_LIMITED, 429)
  t.equal(RETRY_STATUS.PROVIDER_UNAVAILABLE, 503)
})

t.test('a transient failure without Retry-After asks HubSpot to wait 30 seconds', async t => {
  const recorded = recordFailure(EXECUTION_ID, await prepared(), { results: [], adjustments: [] }, new AppError('PROVIDER_UNAVAILABLE', 'down'), TIMES)
  t.equal(recorded.outcome.kind === 'retry' ? recorded.outcome.retryAfterSeconds : undefined, 30)
})

t.test('a permanent failure is FAIL_CONTINUE with errorCode and errorMessage', async t => {
  const execution = await prepared()
  const recorded = recordFailure(EXECUTION_ID, execution, { results: [], adjustments: [] }, new AppError('PROVIDER_REJECTED', 'The prompt was refused.'), TIMES)
  const fields = { errorCode: 'PROVIDER_REJECTED', errorMessage: 'The prompt was refused.', hs_execution_state: 'FAIL_CONTINUE' }
  t.same(recorded.outcome, {
    kind: 'finished',
    state: 'FAIL_CONTINUE',
    outputFields: fields,
    executionId: EXECUTION_ID,
    adjustments: [],
    summary: { provider: 'openai', model: 'gpt-4.1', errorCode: 'PROVIDER_REJECTED', costUsd: 0, latencyMs: 1250 }
  })
  t.equal(recorded.finish.status, 'failed')
  t.same(recorded.finish.outputFields, fields)
  t.equal(recorded.finish.provider, 'openai', 'the plan\'s target')
  t.equal(recorded.finish.model, 'gpt-4.1')
  t.equal(recorded.finish.latencyMs, 1250)
  t.notOk('inputTokens' in recorded.finish, 'no call answered, so no token columns')
})

t.test('a failure records the tokens, adjustments and fallback reason spent before it', async t => {
  const ledger = await ledgerWithFallback()
  const recorded = recordFailure(EXECUTION_ID, await prepared(), ledger, new AppError('PROVIDER_QUOTA', 'out of credit'), { ...TIMES, storePrompts: true })
  t.equal(recorded.finish.inputTokens, 22)
  t.equal(recorded.finish.outputTokens, 45)
  t.equal(recorded.finish.reasoningTokens, 17)
  t.equal(recorded.finish.provider, 'anthropic', 'the target that failed last')
  t.same(recorded.finish.adjustments, ledger.adjustments)
  t.equal(recorded.finish.fallbackReason, ledger.fallbackReason)
  t.equal(recorded.finish.prompt, 'Count the moons of Mars.')
})

t.test('a failure before any plan (prepare failed) records no provider', async t => {
  const recorded = recordFailure(EXECUTION_ID, undefined, { results: [], adjustments: [] }, new AppError('TEMPLATE_UNRESOLVED', 'no value'), { ...TIMES, storePrompts: true })
  t.notOk('provider' in recorded.finish)
  t.notOk('model' in recorded.finish)
  t.notOk('prompt' in recorded.finish)
  t.equal(recorded.finish.status, 'failed')
})

t.test('asFinalFailure turns a retry into FAIL_CONTINUE, for work HubSpot was told BLOCK about', async t => {
  const retry = recordFailure(EXECUTION_ID, await prepared(), await ledgerWithFallback(), new AppError('PROVIDER_UNAVAILABLE', 'still down', { retryAfterSeconds: 5 }), TIMES)
  const final = asFinalFailure(retry)
  const fields = { errorCode: 'PROVIDER_UNAVAILABLE', errorMessage: 'still down', hs_execution_state: 'FAIL_CONTINUE' }
  t.equal(final.outcome.kind, 'finished')
  t.same(final.outcome.kind === 'finished' ? final.outcome.outputFields : undefined, fields)
  t.equal(final.outcome.kind === 'finished' ? final.outcome.state : undefined, 'FAIL_CONTINUE')
  t.equal(final.finish.status, 'failed')
  t.same(final.finish.outputFields, fields, 'the row gets outputs, so its completion can be delivered')
  t.equal(final.finish.inputTokens, 22, 'the tokens stay recorded')
  t.equal(final.finish.errorCode, 'PROVIDER_UNAVAILABLE')
})

t.test('asFinalFailure leaves a finished outcome as it is', async t => {
  const finished = recordFailure(EXECUTION_ID, await prepared(), { results: [], adjustments: [] }, new AppError('PROVIDER_REJECTED', 'no'), TIMES)
  t.equal(asFinalFailure(finished), finished)
})

t.test('storedOutcome replays a stored answer to a redelivery', async t => {
  const success = { response: 'Two', inputTokens: '3', hs_execution_state: 'SUCCESS' }
  t.same(storedOutcome(JSON.stringify(success), 9), { kind: 'finished', state: 'SUCCESS', outputFields: success, executionId: 9, adjustments: [] })
  const failed = { errorCode: 'PROVIDER_REJECTED', errorMessage: 'no', hs_execution_state: 'FAIL_CONTINUE' }
  t.same(storedOutcome(JSON.stringify(failed), 10), { kind: 'finished', state: 'FAIL_CONTINUE', outputFields: failed, executionId: 10, adjustments: [] })
})

t.test('typedOutputs: numbers as numbers, booleans as booleans, JSON parsed, hs_ fields left out', async t => {
  t.same(typedOutputs({
    response: '42',
    responseNumber: '-12.5',
    inputTokens: '12',
    outputTokens: '20',
    costUsd: '0.0031',
    provider: 'openai',
    model: 'gpt-4.1',
    hs_execution_state: 'SUCCESS',
    hs_expiration_duration: 'PT60S'
  }), {
    response: '42',
    responseNumber: -12.5,
    inputTokens: 12,
    outputTokens: 20,
    costUsd: 0.0031,
    provider: 'openai',
    model: 'gpt-4.1'
  })
  t.same(typedOutputs({ responseBoolean: 'true' }), { responseBoolean: true })
  t.same(typedOutputs({ responseBoolean: 'false' }), { responseBoolean: false })
  t.same(typedOutputs({ responseJson: '{"score":7,"tags":["a"]}' }), { responseJson: { score: 7, tags: ['a'] } })
  t.same(typedOutputs({ responseChoice: 'Hot' }), { responseChoice: 'Hot' }, 'a choice stays text')
})

t.test('typedOutputs keeps text it cannot convert rather than losing it', async t => {
  t.same(typedOutputs({ responseJson: '{not json', inputTokens: 'many' }), { responseJson: '{not json', inputTokens: 'many' })
  t.same(typedOutputs({ errorCode: 'PROVIDER_REJECTED', errorMessage: '42', hs_execution_state: 'FAIL_CONTINUE' }), { errorCode: 'PROVIDER_REJECTED', errorMessage: '42' }, 'other fields stay text, even when they look like numbers')
})
