import OpenAI, { toFile } from 'openai'
import t from 'tap'
import type { BatchCapability, BatchItemRequest, BatchItemResult, LlmProvider } from '../../providers/contract.ts'
import { isAnswerTooLarge, MAX_ANSWER_BYTES } from '../../providers/answer-limit.ts'
import { ProviderError } from '../../providers/errors.ts'
import openai from '../../providers/openai/index.ts'
import { mapOpenAIError } from '../../providers/openai/openai-errors.ts'
import { loadOpenAISdk } from '../../providers/openai/openai-sdk.ts'
import xai from '../../providers/xai/index.ts'
import { buildProvider, captureLogger, signal } from '../helpers/provider-context.ts'
import { OPENAI_GOOD_KEY, openAIResponse, startOpenAIStub, type OpenAIStub } from '../stubs/openai-stub.ts'

const credentials = { apiKey: OPENAI_GOOD_KEY }
const CANARY_KEY = 'sk-canary-batch-ZXCVBNM-4242424242'

function batchOf (provider: LlmProvider): BatchCapability {
  if (provider.batch === undefined) throw new Error(`${provider.id} has no batch capability`)
  return provider.batch
}

function item (customId: string, prompt: string, settings: Partial<BatchItemRequest> = {}): BatchItemRequest {
  return { customId, modelId: 'gpt-5.4', prompt, ...settings }
}

async function collect (results: AsyncIterable<BatchItemResult>): Promise<Record<string, BatchItemResult>> {
  const all: Record<string, BatchItemResult> = {}
  for await (const result of results) all[result.customId] = result
  return all
}

async function failure (promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(() => undefined, (thrown: unknown) => thrown)
  if (!ProviderError.is(error)) throw new Error(`expected a ProviderError, got ${String(error)}`)
  return error
}

/** The `openai` SDK straight at the stub, for what the provider itself never sends. */
function rawClient (stub: OpenAIStub, apiKey = OPENAI_GOOD_KEY): OpenAI {
  return new OpenAI({ apiKey, baseURL: stub.baseUrl, maxRetries: 0, organization: null, project: null })
}

t.test('openai batch capability against the loopback stub', async t => {
  const stub = await startOpenAIStub()
  t.teardown(() => stub.close())
  const logger = captureLogger()
  const provider = buildProvider(openai, { baseUrl: stub.baseUrl, log: logger })
  const batch = batchOf(provider)
  const at = (batchId: string) => ({ ...credentials, batchId, signal: signal() })
  const submit = async (label: string, items: BatchItemRequest[]) =>
    (await batch.submit({ ...credentials, modelId: 'gpt-5.4', label, items, signal: signal() })).batchId

  t.test('declares OpenAI\'s limits; xAI keeps no batch capability', async t => {
    t.equal(batch.maxItems, 50_000)
    t.equal(batch.maxBytes, 209_715_200)
    t.equal(buildProvider(xai).batch, undefined)
  })

  t.test('submit, status, complete, results: each line is invoke\'s body, each answer invoke\'s result', async t => {
    const items = [
      item('a', 'First prompt', { instructions: 'Be brief', reasoningEffort: 'low', maxOutputTokens: 256 }),
      item('b', 'Second prompt', { jsonSchema: { type: 'object', properties: { value: { type: 'number' } }, required: ['value'], additionalProperties: false } }),
      item('c', 'Third prompt', { temperature: 0.3 })
    ]
    const submissions = stub.batches.submissions()
    const batchId = await submit('economy-1', items)
    t.equal(stub.batches.submissions(), submissions + 1)
    t.match(stub.batches.get(batchId), { endpoint: '/v1/responses', completion_window: '24h', metadata: { label: 'economy-1' }, status: 'validating' })
    t.match(stub.requests.findLast(request => request.path === '/v1/files')?.text, /name="purpose"\r\n\r\nbatch\r\n/)

    const lines = stub.batches.input(batchId)
    t.same(lines.map(line => [line.custom_id, line.method, line.url]), [['a', 'POST', '/v1/responses'], ['b', 'POST', '/v1/responses'], ['c', 'POST', '/v1/responses']])
    for (const [index, each] of items.entries()) {
      await provider.invoke({ ...credentials, ...each, signal: signal() })
      t.same(lines[index]?.body, stub.generations().at(-1)?.json, `line ${each.customId} is the body invoke sends`)
    }

    t.same(await batch.status(at(batchId)), { state: 'running', vendorState: 'in_progress' })
    t.match(await failure(collect(batch.results(at(batchId)))), { code: 'PROVIDER_UNAVAILABLE', message: /still in_progress/ }, 'transient: asked again later')

    stub.batches.complete(batchId, { answer: line => `Answer for ${line.custom_id}` })
    t.same(await batch.status(at(batchId)), { state: 'ended', vendorState: 'completed' })
    const results = await collect(batch.results(at(batchId)))
    t.same(Object.keys(results).sort(), ['a', 'b', 'c'])
    stub.once('POST /v1/responses', { body: openAIResponse('Answer for a', { model: 'gpt-5.4' }) })
    const sync = await provider.invoke({ ...credentials, ...items[0]!, signal: signal() })
    t.same(results.a, { customId: 'a', kind: 'answer', result: sync })
    t.same(sync, { text: 'Answer for a', finishReason: 'stop', usage: { inputTokens: 12, outputTokens: 20, cachedInputTokens: 2, reasoningTokens: 8 }, model: 'gpt-5.4' })
  })

  t.test('every OpenAI status maps to the contract\'s state; cancelling still counts as running', async t => {
    const batchId = await submit('statuses', [item('a', 'x')])
    const expected = {
      validating: 'running', in_progress: 'running', finalizing: 'running', cancelling: 'running',
      completed: 'ended', expired: 'expired', failed: 'failed', cancelled: 'cancelled', some_new_status: 'running'
    }
    await batch.status(at(batchId))
    for (const [status, state] of Object.entries(expected)) {
      Object.assign(stub.batches.get(batchId) ?? {}, { status })
      t.match(await batch.status(at(batchId)), { state, vendorState: status }, status)
    }
  })

  t.test('partial failure: refused items are errors with the vendor\'s reason, the rest answers', async t => {
    const batchId = await submit('partial', [item('ok-1', 'x'), item('bad', 'y'), item('ok-2', 'z')])
    stub.batches.complete(batchId, { failItems: ['bad'] })
    const results = await collect(batch.results(at(batchId)))
    t.match(results, {
      'ok-1': { kind: 'answer', result: { text: 'Answer to x' } },
      'ok-2': { kind: 'answer', result: { text: 'Answer to z' } },
      bad: { kind: 'error', message: /^OpenAI answered HTTP 400 for this request: This model's maximum context length/ }
    })
  })

  t.test('expired: the finished items have answers, the others errors', async t => {
    const batchId = await submit('expiring', [item('first', 'x'), item('second', 'y'), item('third', 'z')])
    await batch.status(at(batchId))
    stub.batches.expire(batchId, { completed: 2 })
    t.same(await batch.status(at(batchId)), { state: 'expired', vendorState: 'expired' })
    const results = await collect(batch.results(at(batchId)))
    t.same(Object.values(results).map(result => result.kind).sort(), ['answer', 'answer', 'error'])
    t.match(results.third, { kind: 'error', message: /did not run this request \(batch_expired\)/ })
  })

  t.test('a failed batch gives the vendor\'s reason and no results', async t => {
    const batchId = await submit('failing', [item('a', 'x')])
    stub.batches.fail(batchId, 'Enqueued token limit reached for gpt-5.4 in organization org-stub.', 'token_limit_exceeded')
    t.same(await batch.status(at(batchId)), {
      state: 'failed', vendorState: 'failed', reason: 'OpenAI failed the batch: Enqueued token limit reached for gpt-5.4 in organization org-stub. (token_limit_exceeded)'
    })
    t.same(await collect(batch.results(at(batchId))), {})
  })

  t.test('cancel: cancelling is running until cancelled; cancelling again or after the end does nothing', async t => {
    const batchId = await submit('cancelled', [item('done', 'x'), item('dropped', 'y')])
    await batch.status(at(batchId))
    await batch.cancel(at(batchId))
    t.same(await batch.status(at(batchId)), { state: 'running', vendorState: 'cancelling' })
    await batch.cancel(at(batchId))
    stub.batches.finishCancelling(batchId, { completed: 1 })
    t.same(await batch.status(at(batchId)), { state: 'cancelled', vendorState: 'cancelled' })
    await batch.cancel(at(batchId))
    t.match(await collect(batch.results(at(batchId))), { done: { kind: 'answer' }, dropped: { kind: 'error', message: /batch_cancelled/ } })
    t.match(await failure(batch.cancel(at('batch_nope'))), { code: 'PROVIDER_REJECTED', message: /No batch found with id 'batch_nope'/ })
  })

  t.test('find: the batch submitted with a label, through every page of the list', async t => {
    const oldest = await submit('find-me', [item('a', 'x')])
    for (let index = 0; index < 100; index++) await submit(`filler-${index}`, [item('a', 'x')])
    const newest = await submit('find-me-too', [item('a', 'x')])
    const find = async (label: string) => await batch.find?.({ ...credentials, signal: signal() }, label)
    t.equal(await find('find-me'), oldest)
    t.equal(await find('find-me-too'), newest)
    t.equal(await find('never-submitted'), undefined)
    t.ok(stub.requests.some(request => request.path === '/v1/batches' && request.query.get('after') !== null), 'walked to a second page')
  })

  t.test('a create whose answer is lost: find recovers the batch, which was submitted once', async t => {
    const submissions = stub.batches.submissions()
    stub.batches.loseNextCreateAnswer()
    t.match(await failure(submit('lost-answer', [item('a', 'x')])), { code: 'PROVIDER_UNAVAILABLE' })
    const found = await batch.find?.({ ...credentials, signal: signal() }, 'lost-answer')
    t.equal(found, stub.batches.list().at(-1)?.id)
    t.equal(stub.batches.submissions(), submissions + 1)
  })

  t.test('submit refuses what OpenAI would fail the batch for, before sending anything', async t => {
    const many = Array.from({ length: 50_001 }, (_unused, index) => item(`item-${index}`, 'x'))
    const cases: Array<[string, BatchItemRequest[], RegExp, string?]> = [
      ['no items', [], /at least one request/],
      ['too many items', many, /at most 50000 requests; this one has 50001/],
      ['a repeated id', [item('twice', 'x'), item('twice', 'y')], /"twice" appears twice/],
      ['a malformed id', [item('not ok!', 'x')], /"not ok!" is not 1 to 64/],
      ['a second model', [item('a', 'x'), item('b', 'y', { modelId: 'gpt-4.1' })], /one model: item "b" asks for gpt-4.1/],
      ['a label past 512 characters', [item('a', 'x')], /label takes at most 512/, 'l'.repeat(513)]
    ]
    const uploads = () => stub.requests.filter(request => request.path === '/v1/files').length
    const before = uploads()
    for (const [name, items, message, label] of cases) {
      const error = await failure(batch.submit({ ...credentials, modelId: 'gpt-5.4', label: label ?? name, items, signal: signal() }))
      t.match(error, { code: 'PROVIDER_REJECTED', message }, name)
    }
    t.equal(uploads(), before, 'nothing was uploaded')
  })

  t.test('a bad input file fails the batch line by line, as OpenAI does; the provider reports why', async t => {
    await loadOpenAISdk()
    const client = rawClient(stub)
    const line = (customId: string, url = '/v1/responses', model = 'gpt-5.4') => JSON.stringify({ custom_id: customId, method: 'POST', url, body: { model, input: 'x' } })
    const cases: Array<[string, string, RegExp]> = [
      ['invalid JSON', `${line('a')}\n{"custom_id":\n`, /line 2: This line is not parseable as valid JSON\. \(invalid_json_line\)/],
      ['another endpoint', `${line('a')}\n${line('b', '/v1/chat/completions')}\n`, /line 2: .*does not match the batch endpoint.*\(url_mismatch\)/],
      ['a repeated custom_id', `${line('a')}\n${line('a')}\n`, /line 2: .*custom_id 'a'.*\(duplicate_custom_id\)/],
      ['a second model', `${line('a')}\n${line('b', '/v1/responses', 'gpt-4.1')}\n`, /line 2: .*same model.*\(model_mismatch\)/],
      ['more than 50,000 lines', `${Array.from({ length: 50_001 }, (_unused, index) => line(`r${index}`)).join('\n')}\n`, /50001 requests; the limit is 50000\. \(too_many_tasks\)/],
      ['an empty file', '\n', /empty\. \(empty_file\)/]
    ]
    for (const [name, content, reason] of cases) {
      const file = await client.files.create({ file: await toFile(Buffer.from(content), 'input.jsonl'), purpose: 'batch' })
      const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/responses', completion_window: '24h' })
      t.match(await batch.status(at(created.id)), { state: 'failed', reason }, name)
      t.same(await collect(batch.results(at(created.id))), {}, `${name}: no results`)
    }
  })

  t.test('every refusal of a call is a ProviderError with the vendor\'s reason and no key', async t => {
    await loadOpenAISdk()
    const client = rawClient(stub)
    const jsonl = await toFile(Buffer.from(`${JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/responses', body: { model: 'gpt-5.4', input: 'x' } })}\n`), 'input.jsonl')
    const { id: fileId } = await client.files.create({ file: jsonl, purpose: 'batch' })
    const create = (overrides: Record<string, unknown>) => client.batches.create({ input_file_id: fileId, endpoint: '/v1/responses', completion_window: '24h', ...overrides } as OpenAI.Batches.BatchCreateParams)
    const cases: Array<[string, () => Promise<unknown>, RegExp]> = [
      ['a file not named .jsonl', async () => await client.files.create({ file: await toFile(Buffer.from('{}\n'), 'notes.txt'), purpose: 'batch' }), /HTTP 400: Invalid file format for Batch API\. Must be \.jsonl/],
      ['another purpose', async () => await client.files.create({ file: await toFile(Buffer.from('{}\n'), 'input.jsonl'), purpose: 'fine-tune' }), /HTTP 400: Invalid value for 'purpose'/],
      ['an unknown endpoint', async () => await create({ endpoint: '/v1/unknown' }), /HTTP 400: Invalid value: '\/v1\/unknown'/],
      ['another completion window', async () => await create({ completion_window: '48h' }), /HTTP 400: Invalid value: '48h'/],
      ['an unknown file', async () => await create({ input_file_id: 'file-nope' }), /HTTP 404: No such File object: file-nope/],
      ['metadata too long', async () => await create({ metadata: { label: 'l'.repeat(513) } }), /HTTP 400: Invalid metadata 'label'/],
      ['an unknown batch', async () => await batch.status(at('batch_nope')), /HTTP 404: No batch found/],
      ['results of an unknown batch', async () => await collect(batch.results(at('batch_nope'))), /HTTP 404: No batch found/],
      ['an unknown file\'s content', async () => await client.files.content('file-nope'), /HTTP 404: No such File object: file-nope/]
    ]
    for (const [name, run, message] of cases) {
      const error = await run().then(() => undefined, (thrown: unknown) => mapOpenAIError(thrown, signal(), { vendor: 'OpenAI' }))
      t.match(error, { code: 'PROVIDER_REJECTED', message }, name)
      t.notMatch(error?.message, OPENAI_GOOD_KEY, `${name}: no key`)
    }
  })

  t.test('canary: the API key appears in no thrown message, no item error and no log line', async t => {
    const bad = { apiKey: CANARY_KEY, signal: signal() }
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['submit', async () => await batch.submit({ ...bad, modelId: 'gpt-5.4', label: 'canary', items: [item('a', 'x')] })],
      ['status', async () => await batch.status({ ...bad, batchId: 'batch_stub1' })],
      ['results', async () => await collect(batch.results({ ...bad, batchId: 'batch_stub1' }))],
      ['cancel', async () => await batch.cancel({ ...bad, batchId: 'batch_stub1' })],
      ['find', async () => await batch.find?.(bad, 'canary')]
    ]
    for (const [name, run] of calls) {
      const error = await failure(run())
      t.equal(error.code, 'PROVIDER_AUTH', name)
      t.notMatch(`${error.message} ${JSON.stringify(error)}`, /canary|ZXCVBNM|4242/i, `${name}: no part of the key`)
      t.equal(stub.requests.at(-1)?.headers.authorization, `Bearer ${CANARY_KEY}`, `${name}: the key was sent`)
    }

    const batchId = await submit('canary-items', [item('echoes-key', 'x'), item('quotes-key', 'y')])
    stub.batches.complete(batchId, { failItems: ['echoes-key'], failure: { status: 401, error: { message: `Incorrect API key provided: ${OPENAI_GOOD_KEY}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } } })
    const echoed = await collect(batch.results(at(batchId)))
    t.match(echoed['echoes-key'], { kind: 'error', message: 'OpenAI rejected the API key for this request (HTTP 401).' })
    const quotedId = await submit('canary-quoted', [item('quotes-key', 'y')])
    stub.batches.complete(quotedId, { failItems: ['quotes-key'], failure: { status: 400, error: { message: `Bad request for key ${OPENAI_GOOD_KEY}`, type: 'invalid_request_error', param: null, code: null } } })
    const quoted = await collect(batch.results(at(quotedId)))
    t.match(quoted['quotes-key'], { kind: 'error', message: 'OpenAI answered HTTP 400 for this request: Bad request for key [API key]' })
    t.notMatch(logger.lines.join('\n'), new RegExp(`${CANARY_KEY}|${OPENAI_GOOD_KEY}`))
  })
})

t.test('a batch of 5,000 items: every result arrives, matched by its custom_id', async t => {
  const stub = await startOpenAIStub({ batches: { autoComplete: true } })
  t.teardown(() => stub.close())
  const batch = batchOf(buildProvider(openai, { baseUrl: stub.baseUrl }))
  const items = Array.from({ length: 5000 }, (_unused, index) => item(`item-${index}`, `prompt ${index}`))
  const { batchId } = await batch.submit({ ...credentials, modelId: 'gpt-5.4', label: 'large', items, signal: signal() })
  const reference = { ...credentials, batchId, signal: signal() }
  t.same(await batch.status(reference), { state: 'ended', vendorState: 'completed' })
  const results = await collect(batch.results(reference))
  t.equal(Object.keys(results).length, 5000)
  t.ok(items.every((each, index) => results[each.customId]?.kind === 'answer' && (results[each.customId] as { result: { text: string } }).result.text === `Answer to prompt ${index}`))
})

t.test('an output file past one answer\'s 8 MiB limit is read line by line; only a line past it fails', async t => {
  const stub = await startOpenAIStub()
  t.teardown(() => stub.close())
  // A 14 MB read on a busy machine may take longer than the usual test timeout.
  const batch = batchOf(buildProvider(openai, { baseUrl: stub.baseUrl, timeoutMs: 30_000 }))
  const reference = (batchId: string) => ({ ...credentials, batchId, signal: signal(30_000) })
  const submit = async (label: string, count: number) =>
    (await batch.submit({ ...credentials, modelId: 'gpt-5.4', label, items: Array.from({ length: count }, (_unused, index) => item(`item-${index}`, 'x')), signal: signal() })).batchId

  const large = await submit('large-output', 3000)
  stub.batches.complete(large, { answer: line => `${line.custom_id} `.padEnd(4096, 'x') })
  const results = await collect(batch.results(reference(large)))
  t.equal(Object.keys(results).length, 3000, 'every answer of a file of about 14 MB')
  t.ok(Object.entries(results).every(([customId, result]) => result.kind === 'answer' && result.result.text.startsWith(`${customId} `) && result.result.text.length === 4096))

  const huge = await submit('huge-line', 3)
  stub.batches.complete(huge, { answer: line => line.custom_id === 'item-1' ? 'x'.repeat(MAX_ANSWER_BYTES) : 'small' })
  const read: string[] = []
  const error = await failure((async () => { for await (const result of batch.results(reference(huge))) read.push(result.customId) })())
  t.same(read, ['item-0'], 'the lines before it were read')
  t.match(error, { code: 'PROVIDER_REJECTED', message: /^A line of the provider's batch results was larger than 8 MiB/ })
  t.ok(isAnswerTooLarge(error), 'the limit\'s own refusal, shown as it is')
})

t.test('the 8 MiB limit still holds for every other call', async t => {
  const stub = await startOpenAIStub()
  t.teardown(() => stub.close())
  const batch = batchOf(buildProvider(openai, { baseUrl: stub.baseUrl }))
  const { batchId } = await batch.submit({ ...credentials, modelId: 'gpt-5.4', label: 'limit', items: [item('a', 'x')], signal: signal() })
  stub.once('GET /v1/batches/:batchId', { body: { ...stub.batches.get(batchId), metadata: { padding: 'x'.repeat(MAX_ANSWER_BYTES) } } })
  t.match(await failure(batch.status({ ...credentials, batchId, signal: signal() })), { code: 'PROVIDER_REJECTED', message: /answer was larger than 8 MiB/ })
})
