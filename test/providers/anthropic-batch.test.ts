import Anthropic from '@anthropic-ai/sdk'
import t, { type Test } from 'tap'
import { isAnswerTooLarge, MAX_ANSWER_BYTES } from '../../providers/answer-limit.ts'
import { anthropicBatchStatus } from '../../providers/anthropic/anthropic-batch-status.ts'
import { mapAnthropicError } from '../../providers/anthropic/anthropic-errors.ts'
import { loadAnthropicSdk } from '../../providers/anthropic/anthropic-sdk.ts'
import anthropic from '../../providers/anthropic/index.ts'
import type { BatchCapability, BatchItemRequest, BatchItemResult, InvokeResult, LlmProvider } from '../../providers/contract.ts'
import { ProviderError } from '../../providers/errors.ts'
import { buildProvider, signal } from '../helpers/provider-context.ts'
import { ANTHROPIC_GOOD_KEY, anthropicMessage, startAnthropicStub, type AnthropicStub } from '../stubs/anthropic-stub.ts'

const CANARY_KEY = 'sk-ant-api03-canary-key-4444444444444444'
const BAD_CANARY_KEY = 'sk-ant-api03-canary-bad-6666666666666666'
const credentials = { apiKey: ANTHROPIC_GOOD_KEY }
const SCHEMA = { type: 'object', properties: { value: { type: 'number' } }, required: ['value'], additionalProperties: false }

async function setup (t: Test, options: Parameters<typeof startAnthropicStub>[0] = {}, timeoutMs = 5000): Promise<{ stub: AnthropicStub, provider: LlmProvider, batch: BatchCapability }> {
  const stub = await startAnthropicStub(options)
  t.teardown(() => stub.close())
  const provider = buildProvider(anthropic, { baseUrl: stub.baseUrl, timeoutMs })
  if (provider.batch === undefined) throw new Error('the anthropic provider offers no batch capability')
  return { stub, provider, batch: provider.batch }
}

const item = (customId: string, fields: Partial<BatchItemRequest> = {}): BatchItemRequest =>
  ({ customId, modelId: 'claude-sonnet-5-5', prompt: `prompt of ${customId}`, ...fields })

const submit = async (batch: BatchCapability, items: readonly BatchItemRequest[], apiKey = ANTHROPIC_GOOD_KEY) =>
  (await batch.submit({ apiKey, modelId: items[0]?.modelId ?? 'claude-sonnet-5-5', items, label: 'economy-test', signal: signal() })).batchId

const reference = (batchId: string, apiKey = ANTHROPIC_GOOD_KEY) => ({ apiKey, batchId, signal: signal() })

async function collect (results: AsyncIterable<BatchItemResult>): Promise<Map<string, BatchItemResult>> {
  const byId = new Map<string, BatchItemResult>()
  for await (const result of results) {
    if (byId.has(result.customId)) throw new Error(`${result.customId} came back twice`)
    byId.set(result.customId, result)
  }
  return byId
}

const failure = async (promise: Promise<unknown>): Promise<ProviderError> =>
  await promise.then(() => { throw new Error('expected a failure') }, (thrown: unknown) => {
    if (!ProviderError.is(thrown)) throw thrown
    return thrown
  })

const answerOf = (result: BatchItemResult | undefined): InvokeResult | undefined => result?.kind === 'answer' ? result.result : undefined
const messageOf = (result: BatchItemResult | undefined): string | undefined => result?.kind === 'error' ? result.message : undefined
const echo = (params: Record<string, any>) => `echo: ${String(params.messages?.[0]?.content)}`

t.test('the capability declares Anthropic\'s limits and no find', async t => {
  const { batch } = await setup(t)
  t.equal(batch.maxItems, 100_000)
  t.equal(batch.maxBytes, 256_000_000)
  t.equal(batch.find, undefined, 'an Anthropic batch carries no label of ours to find it by')
  t.equal(batch.supports, undefined, 'every active model takes batches')
})

t.test('submit, status, end, results: every item is the body invoke sends and answers as invoke does', async t => {
  const { stub, provider, batch } = await setup(t)
  // The sync route echoes too, so each answer names its request and a result matched to the wrong item shows.
  stub.on('POST /v1/messages', request => ({ body: anthropicMessage(echo(request.json), { model: request.json.model }) }))
  const items = [
    item('plain'),
    item('brief', { instructions: 'Be brief', maxOutputTokens: 300 }),
    item('reasoned', { reasoningEffort: 'low', jsonSchema: SCHEMA }),
    item('thoughtful', { reasoningEffort: 'high', maxOutputTokens: 20000 })
  ]
  const batchId = await submit(batch, items)
  t.equal(stub.batches.submissions(), 1)
  const submitted = stub.batches.get(batchId)?.requests ?? []
  t.same(submitted.map(request => request.custom_id), items.map(each => each.customId))

  const sync = new Map<string, InvokeResult>()
  for (const [index, each] of items.entries()) {
    const { customId, ...request } = each
    sync.set(customId, await provider.invoke({ ...credentials, ...request, signal: signal() }))
    t.same(submitted[index]?.params, stub.generations().at(-1)?.json, `${customId}: params are the body invoke sent`)
  }
  t.match(submitted[2]?.params, { output_config: { effort: 'low', format: { type: 'json_schema', schema: SCHEMA } }, thinking: { type: 'adaptive' } })

  t.same(await batch.status(reference(batchId)), { state: 'running', vendorState: 'in_progress' })
  const early = await failure(collect(batch.results(reference(batchId))))
  t.match(early, { code: 'PROVIDER_UNAVAILABLE', message: /has no results yet: it is in_progress/ })

  stub.batches.end(batchId, { answer: echo })
  t.same(await batch.status(reference(batchId)), { state: 'ended', vendorState: 'ended' })
  const results = await collect(batch.results(reference(batchId)))
  t.equal(results.size, items.length)
  t.notSame([...results.keys()], items.map(each => each.customId), 'the file lists results out of submission order')
  for (const { customId } of items) {
    t.same(answerOf(results.get(customId)), sync.get(customId), `${customId}: the same InvokeResult as the sync path`)
  }
  t.equal(answerOf(results.get('brief'))?.text, 'echo: prompt of brief again')
  t.same(answerOf(results.get('plain'))?.usage, { inputTokens: 15, outputTokens: 25, cachedInputTokens: 2, reasoningTokens: 9 })
  t.equal(stub.batches.submissions(), 1, 'the batch was submitted once')
})

t.test('a manual-thinking model: the batch params carry the same budget and raised cap as invoke', async t => {
  const { stub, provider, batch } = await setup(t)
  const items = (['low', 'medium', 'high'] as const).map(effort => item(effort, { modelId: 'claude-haiku-4-5', reasoningEffort: effort }))
  const batchId = await submit(batch, items)
  const submitted = stub.batches.get(batchId)?.requests ?? []
  for (const [index, { customId, ...request }] of items.entries()) {
    await provider.invoke({ ...credentials, ...request, signal: signal() })
    t.same(submitted[index]?.params, stub.generations().at(-1)?.json, customId)
  }
  t.match(submitted[2]?.params, { max_tokens: 17408, thinking: { type: 'enabled', budget_tokens: 16384 } })
})

t.test('a partial failure: answers for the items that ran, a short error for the one refused', async t => {
  const { stub, batch } = await setup(t)
  const batchId = await submit(batch, [item('first'), item('refused'), item('third')])
  stub.batches.end(batchId, { failItems: ['refused'], answer: echo })
  t.same(await batch.status(reference(batchId)), { state: 'ended', vendorState: 'ended' })
  const results = await collect(batch.results(reference(batchId)))
  t.equal(answerOf(results.get('first'))?.text, 'echo: prompt of first again')
  t.equal(answerOf(results.get('third'))?.text, 'echo: prompt of third again')
  t.equal(messageOf(results.get('refused')), 'Anthropic refused this request in the batch (invalid_request_error).')
})

t.test('an expired batch: the items done are answered, the rest come back as errors', async t => {
  const { stub, batch } = await setup(t)
  const batchId = await submit(batch, [item('a'), item('b'), item('c'), item('d')])
  stub.batches.expire(batchId, { completed: 2, answer: echo })
  t.same(await batch.status(reference(batchId)), { state: 'expired', vendorState: 'ended' })
  const results = await collect(batch.results(reference(batchId)))
  t.equal(answerOf(results.get('a'))?.text, 'echo: prompt of a again')
  t.equal(answerOf(results.get('b'))?.text, 'echo: prompt of b again')
  for (const customId of ['c', 'd']) t.match(messageOf(results.get(customId)), /did not run this request within the batch's 24-hour window/, customId)
})

t.test('cancel: canceling reads running, the end reads cancelled, and cancelling an ended batch does nothing', async t => {
  const { stub, batch } = await setup(t)
  const batchId = await submit(batch, [item('a'), item('b'), item('c')])
  await batch.cancel(reference(batchId))
  t.equal(stub.batches.get(batchId)?.wire.processing_status, 'canceling')
  t.same(await batch.status(reference(batchId)), { state: 'running', vendorState: 'canceling' })
  stub.batches.end(batchId, { completed: 1 })
  t.same(await batch.status(reference(batchId)), { state: 'cancelled', vendorState: 'ended' })
  const results = await collect(batch.results(reference(batchId)))
  t.equal(answerOf(results.get('a'))?.text, 'Hello from Claude stub again')
  for (const customId of ['b', 'c']) t.match(messageOf(results.get(customId)), /cancelled this request before it ran/, customId)

  const cancels = () => stub.requests.filter(request => request.path === `/v1/messages/batches/${batchId}/cancel`).length
  await batch.cancel(reference(batchId))
  t.equal(cancels(), 2, 'the second cancel reached Anthropic, which refused it, and the batch had ended')

  const late = await submit(batch, [item('a'), item('b')])
  await batch.cancel(reference(late))
  stub.batches.end(late, { completed: 2 })
  t.same(await batch.status(reference(late)), { state: 'ended', vendorState: 'ended' }, 'a cancel that stopped nothing leaves a plain end')
})

t.test('every refusal of the stub surfaces as a ProviderError that says what was wrong', async t => {
  const { stub, batch } = await setup(t)
  const cases: Array<[string, BatchItemRequest[], RegExp]> = [
    ['no items', [], /requests: List should have at least 1 item/],
    ['a repeated custom_id', [item('same'), item('other'), item('same')], /requests\.2\.custom_id: Duplicate custom_id/],
    ['a custom_id with a space', [item('a b')], /requests\.0\.custom_id: String should match pattern/],
    ['a custom_id of 65 characters', [item('x'.repeat(65))], /requests\.0\.custom_id: String should have at most 64 characters/],
    ['100,001 requests', Array.from({ length: 100_001 }, (_, index) => item(`i${index}`, { prompt: 'x' })), /requests: List should have at most 100000 items/]
  ]
  for (const [name, items, message] of cases) {
    const before = stub.batches.submissions()
    const error = await failure(batch.submit({ ...credentials, modelId: 'claude-sonnet-5-5', items, label: 'refused', signal: signal(20_000) }))
    t.match(error, { code: 'PROVIDER_REJECTED', status: 400, message }, name)
    t.match(error.message, /^Anthropic answered HTTP 400: /, `${name}: the vendor named, then its words`)
    t.equal(stub.batches.submissions() - before, 1, `${name}: one attempt`)
  }
  t.equal(stub.batches.list().length, 0, 'no refused batch was created')

  for (const [name, call] of [
    ['status', async () => await batch.status(reference('msgbatch_unknown'))],
    ['results', async () => await collect(batch.results(reference('msgbatch_unknown')))],
    ['cancel', async () => await batch.cancel(reference('msgbatch_unknown'))]
  ] as const) {
    t.match(await failure(call()), { code: 'PROVIDER_REJECTED', status: 404, message: /Anthropic answered HTTP 404: No message batch found/ }, `${name} of an unknown batch`)
  }
})

t.test('params the provider never leaves out are refused too, through the same SDK and error mapper', async t => {
  const { stub } = await setup(t)
  const sdk = await loadAnthropicSdk()
  t.equal(sdk.Anthropic, Anthropic, 'the provider\'s SDK is the one imported here')
  const client = new Anthropic({ apiKey: ANTHROPIC_GOOD_KEY, baseURL: stub.baseUrl, maxRetries: 0 })
  const full = { model: 'claude-sonnet-5-5', max_tokens: 16, messages: [{ role: 'user' as const, content: 'x' }] }
  for (const field of ['model', 'max_tokens', 'messages'] as const) {
    const { [field]: _left, ...params } = full
    const abort = signal()
    const error = await client.messages.batches.create({ requests: [{ custom_id: 'ok', params: params as typeof full }] }, { signal: abort })
      .then(() => undefined, (thrown: unknown) => mapAnthropicError(thrown, abort))
    t.match(error, { code: 'PROVIDER_REJECTED', status: 400, message: `Anthropic answered HTTP 400: requests.0.params.${field}: Field required` }, field)
  }
  t.equal(stub.batches.list().length, 0)
})

t.test('canary: no key reaches a thrown message or an item\'s error', async t => {
  const { stub, batch } = await setup(t, { goodKeys: [CANARY_KEY] })
  const leaks = (value: unknown) => /canary|4444|6666/.test(`${String(value)} ${JSON.stringify(value)} ${messageOf(value as BatchItemResult) ?? ''}`)
  const batchId = await submit(batch, [item('echoed'), item('typed'), item('fine')], CANARY_KEY)

  for (const [name, call] of [
    ['submit', async () => await submit(batch, [item('a')], BAD_CANARY_KEY)],
    ['status', async () => await batch.status(reference(batchId, BAD_CANARY_KEY))],
    ['results', async () => await collect(batch.results(reference(batchId, BAD_CANARY_KEY)))],
    ['cancel', async () => await batch.cancel(reference(batchId, BAD_CANARY_KEY))]
  ] as const) {
    const error = await failure(call())
    t.match(error, { code: 'PROVIDER_AUTH', status: 401, message: 'Anthropic rejected the API key (HTTP 401).' }, name)
    t.notOk(leaks(error), `${name}: no key in the error`)
  }

  stub.batches.end(batchId, { failItems: ['echoed'], error: { type: 'authentication_error', message: `x-api-key ${CANARY_KEY} is invalid` } })
  const echoed = await collect(batch.results(reference(batchId, CANARY_KEY)))
  t.equal(messageOf(echoed.get('echoed')), 'Anthropic refused this request in the batch (authentication_error).')
  t.notOk(leaks(echoed.get('echoed')))

  const other = await submit(batch, [item('typed')], CANARY_KEY)
  stub.batches.end(other, { failItems: ['typed'], error: { type: CANARY_KEY, message: CANARY_KEY } })
  const typed = await collect(batch.results(reference(other, CANARY_KEY)))
  t.equal(messageOf(typed.get('typed')), 'Anthropic refused this request in the batch.', 'an unknown error type is not quoted')
  t.notOk(leaks(typed.get('typed')))
})

t.test('results are read only from the base URL\'s origin, and a bad results file fails as a ProviderError', async t => {
  const { stub, batch } = await setup(t)
  const batchId = await submit(batch, [item('a'), item('b')])
  stub.batches.end(batchId)
  const wire = stub.batches.get(batchId)?.wire ?? {}
  const resultsReads = () => stub.requests.filter(request => request.path.endsWith('/results')).length

  stub.once('GET /v1/messages/batches/:id', { body: { ...wire, results_url: 'http://127.0.0.1:9/v1/messages/batches/x/results' } })
  t.match(await failure(collect(batch.results(reference(batchId)))), { code: 'PROVIDER_REJECTED', message: /another origin than the connection's base URL/ })
  stub.once('GET /v1/messages/batches/:id', { body: { ...wire, results_url: null } })
  t.match(await failure(collect(batch.results(reference(batchId)))), { code: 'PROVIDER_REJECTED', message: /no longer keeps the results/ })
  t.equal(resultsReads(), 0, 'neither was followed')

  const lines = '{"custom_id":"a","result":{"type":"mystery"}}\nnot json\n'
  stub.once('GET /v1/messages/batches/:id/results', { headers: { 'content-type': 'application/binary' }, body: lines })
  const seen: BatchItemResult[] = []
  const broken = await failure((async () => { for await (const result of batch.results(reference(batchId))) seen.push(result) })())
  t.same(seen, [{ customId: 'a', kind: 'error', message: 'Anthropic answered this request with a result of a kind this service does not know.' }])
  t.match(broken, { code: 'PROVIDER_UNAVAILABLE' }, 'a line that is not JSON ends the reading as a ProviderError')
  t.equal(resultsReads(), 1)
})

t.test('a large batch, ended at its first retrieve: every item once, one submission', async t => {
  const { stub, batch } = await setup(t, { batches: { autoEnd: true } })
  const items = Array.from({ length: 3000 }, (_, index) => item(`item-${index}`))
  const batchId = await submit(batch, items)
  t.same(await batch.status(reference(batchId)), { state: 'ended', vendorState: 'ended' })
  const results = await collect(batch.results(reference(batchId)))
  t.equal(results.size, items.length)
  t.ok(items.every(({ customId }) => answerOf(results.get(customId))?.text === 'Hello from Claude stub again'))
  t.equal(stub.batches.submissions(), 1)
})

t.test('a results file past one answer\'s 8 MiB limit is read line by line; only a line past it fails', async t => {
  // A 14 MB read on a busy machine may take longer than the usual test timeout.
  const { stub, batch } = await setup(t, {}, 30_000)
  const large = await submit(batch, Array.from({ length: 3000 }, (_, index) => item(`item-${index}`, { prompt: 'x' })))
  stub.batches.end(large, { answer: () => 'y'.repeat(4096) })
  const results = await collect(batch.results({ ...reference(large), signal: signal(30_000) }))
  t.equal(results.size, 3000, 'every answer of a file of about 14 MB')
  t.ok([...results.values()].every(result => answerOf(result)?.text.startsWith('y'.repeat(4096))))

  const huge = await submit(batch, [item('before'), item('huge'), item('after')])
  stub.batches.end(huge, { answer: params => params.messages?.[0]?.content === 'prompt of huge' ? 'z'.repeat(MAX_ANSWER_BYTES) : 'small' })
  const read: string[] = []
  const error = await failure((async () => { for await (const result of batch.results({ ...reference(huge), signal: signal(30_000) })) read.push(result.customId) })())
  t.same(read, ['after'], 'the line before it was read (the file lists results in reverse)')
  t.match(error, { code: 'PROVIDER_REJECTED', message: /^A line of the provider's batch results was larger than 8 MiB/ })
  t.ok(isAnswerTooLarge(error), 'the limit\'s own refusal, shown as it is')
})

t.test('the state of an ended batch needs its counts and its timestamps to agree', async t => {
  const ended = {
    id: 'msgbatch_1', type: 'message_batch', processing_status: 'ended', archived_at: null, results_url: null,
    created_at: '2026-12-01T00:00:00Z', expires_at: '2026-12-02T00:00:00Z', ended_at: '2026-12-01T01:00:00Z', cancel_initiated_at: null,
    request_counts: { processing: 0, succeeded: 3, errored: 1, canceled: 0, expired: 0 }
  } as const
  const state = (changes: Record<string, unknown>) => anthropicBatchStatus({ ...ended, ...changes } as unknown as Anthropic.Messages.MessageBatch).state
  const counts = (changes: Record<string, number>) => ({ request_counts: { ...ended.request_counts, ...changes } })
  t.equal(state({}), 'ended')
  t.equal(state({ processing_status: 'in_progress', ended_at: null }), 'running')
  t.equal(state({ processing_status: 'canceling' }), 'running')
  t.equal(state({ processing_status: 'archiving' }), 'running', 'a word Anthropic may add reads as running')
  t.equal(state({ ...counts({ expired: 2 }), ended_at: '2026-12-02T00:00:01Z' }), 'expired')
  t.equal(state({ ...counts({ expired: 2 }) }), 'ended', 'expired requests, yet processing ended inside the window')
  t.equal(state({ ended_at: '2026-12-02T00:00:01Z' }), 'ended', 'past the window with nothing expired')
  t.equal(state({ ...counts({ canceled: 2 }), cancel_initiated_at: '2026-12-01T00:30:00Z' }), 'cancelled')
  t.equal(state({ ...counts({ canceled: 2 }) }), 'ended', 'canceled requests without a cancellation')
  t.equal(state({ cancel_initiated_at: '2026-12-01T00:30:00Z' }), 'ended', 'a cancel that stopped nothing')
  t.equal(state({ ...counts({ canceled: 1, expired: 1 }), cancel_initiated_at: '2026-12-01T23:59:00Z', ended_at: '2026-12-02T00:00:01Z' }), 'cancelled')
})
