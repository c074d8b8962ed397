import t from 'tap'
import gemini from '../../providers/gemini/index.ts'
import { ProviderError } from '../../providers/errors.ts'
import type { BatchCapability, BatchItemRequest, BatchItemResult, LlmProvider } from '../../providers/contract.ts'
import { GEMINI_GOOD_KEY, startGeminiStub, type GeminiStub } from '../stubs/gemini-stub.ts'
import { buildProvider, captureLogger, signal } from '../helpers/provider-context.ts'

const BAD_KEY = 'AIza-canary-batch-7777777777'
const credentials = { apiKey: GEMINI_GOOD_KEY }
const reference = (batchId: string, apiKey = GEMINI_GOOD_KEY) => ({ apiKey, batchId, signal: signal() })
const schema = { type: 'object', properties: { firstName: { type: 'string' } }, required: ['firstName'], additionalProperties: false }

/** Two items that use every setting the sync path maps. */
const ITEMS: readonly BatchItemRequest[] = [
  { customId: 'first', modelId: 'gemini-3.5-flash', prompt: 'Say hi', instructions: 'Be brief', maxOutputTokens: 512, reasoningEffort: 'low' },
  { customId: 'second', modelId: 'gemini-3.5-flash', prompt: 'Say bye', temperature: 0.3, jsonSchema: schema }
]

/** Every message a refusal carried, for the canary check at the end. */
const thrown: string[] = []
async function refusal (promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught)
  if (!ProviderError.is(error)) throw new Error(`expected a ProviderError, got ${String(error)}`)
  thrown.push(`${error.message} ${JSON.stringify(error)}`)
  return error
}

async function collect (results: AsyncIterable<BatchItemResult>): Promise<BatchItemResult[]> {
  const collected: BatchItemResult[] = []
  for await (const result of results) collected.push(result)
  return collected
}

function batchOf (provider: LlmProvider): BatchCapability {
  if (provider.batch === undefined) throw new Error('the gemini provider has no batch capability')
  return provider.batch
}

async function submit (batch: BatchCapability, label: string, items: readonly BatchItemRequest[] = ITEMS, apiKey = GEMINI_GOOD_KEY): Promise<string> {
  const { batchId } = await batch.submit({ apiKey, modelId: 'gemini-3.5-flash', items, label, signal: signal() })
  return batchId
}

t.test('gemini batch against the loopback stub', async t => {
  const stub: GeminiStub = await startGeminiStub({ maxListPageSize: 2 })
  t.teardown(() => stub.close())
  const log = captureLogger()
  const provider = buildProvider(gemini, { baseUrl: stub.baseUrl, log })
  const batch = batchOf(provider)

  t.test('limits: at most 20 MB inline, with room left for what the SDK adds', async t => {
    t.ok(batch.maxBytes <= 20_000_000 - batch.maxItems * 100, `${batch.maxBytes} bytes for ${batch.maxItems} items`)
    t.ok(batch.maxBytes >= 18_000_000)
    t.equal(batch.supports, undefined)
  })

  t.test('submit, status, succeed: results by custom id, each what the sync path sends and returns', async t => {
    const batchId = await submit(batch, 'economy-1')
    t.match(batchId, /^batches\/[^/]+$/)
    const created = stub.requests.at(-1)
    t.equal(`${created?.method} ${created?.path}`, 'POST /v1beta/models/gemini-3.5-flash:batchGenerateContent')
    t.equal(created?.json.batch.displayName, 'economy-1')
    t.equal(stub.batches.submissions('economy-1'), 1)
    t.same(await batch.status(reference(batchId)), { state: 'running', vendorState: 'JOB_STATE_PENDING' })
    const early = await refusal(collect(batch.results(reference(batchId))))
    t.match(early, { code: 'PROVIDER_UNAVAILABLE', message: /has no results yet: it is JOB_STATE_PENDING/ }, 'transient: asked again later, never an empty result')

    // Each inline request is byte for byte what invoke sends for the same parameters, and so is each answer.
    const synchronous = []
    for (const [index, { customId, ...parameters }] of ITEMS.entries()) {
      synchronous.push(await provider.invoke({ ...credentials, ...parameters, signal: signal() }))
      t.same(stub.batches.get(batchId).requests[index], { request: stub.generations().at(-1)?.json, metadata: { customId } }, customId)
    }

    stub.batches.succeed(batchId)
    t.same(await batch.status(reference(batchId)), { state: 'ended', vendorState: 'JOB_STATE_SUCCEEDED' })
    const results = await collect(batch.results(reference(batchId)))
    t.same(results, [
      { customId: 'first', kind: 'answer', result: synchronous[0] },
      { customId: 'second', kind: 'answer', result: synchronous[1] }
    ])
    t.same(synchronous[0], { text: 'Hello from Gemini stub', finishReason: 'stop', usage: { inputTokens: 6, outputTokens: 45, cachedInputTokens: 2, reasoningTokens: 40 }, model: 'gemini-3.5-flash-001' })
    t.equal(stub.batches.submissions('economy-1'), 1, 'submitted once')
  })

  t.test('answers returned out of order still reach their own items', async t => {
    const batchId = await submit(batch, 'economy-reversed')
    stub.batches.succeed(batchId, { reversed: true, answer: item => `answer to ${item.request.contents[0].parts[0].text}` })
    const results = await collect(batch.results(reference(batchId)))
    t.same(results.map(result => [result.customId, result.kind === 'answer' ? result.result.text : result.message]), [
      ['second', 'answer to Say bye'],
      ['first', 'answer to Say hi']
    ])
  })

  t.test('answers without their metadata get no result, never a neighbour\'s, and are logged', async t => {
    const batchId = await submit(batch, 'economy-anonymous')
    stub.batches.succeed(batchId, { withoutMetadata: true })
    t.same(await collect(batch.results(reference(batchId))), [])
    t.match(log.lines.at(-1), /"unmatched":2.*without their custom id/)
  })

  t.test('partial failure: the failed item carries Google\'s short reason, the rest their answers', async t => {
    const batchId = await submit(batch, 'economy-partial')
    stub.batches.succeed(batchId, { failItems: ['second'] })
    const results = await collect(batch.results(reference(batchId)))
    t.match(results[0], { customId: 'first', kind: 'answer', result: { text: 'Hello from Gemini stub' } })
    t.same(results[1], { customId: 'second', kind: 'error', message: 'Google Gemini could not answer this batch request (code 3): Request contains an invalid argument.' })
  })

  t.test('an item error that repeats the key has it scrubbed', async t => {
    const batchId = await submit(batch, 'economy-echo')
    stub.batches.succeed(batchId, { failItems: ['first'], errorMessage: () => `Bad request from ${GEMINI_GOOD_KEY}` })
    const [first] = await collect(batch.results(reference(batchId)))
    t.match(first, { customId: 'first', kind: 'error', message: /Bad request from \[key\]$/ })
    t.notMatch(JSON.stringify(first), /canary/)
  })

  t.test('expired: the items finished in time have results, the rest none', async t => {
    const batchId = await submit(batch, 'economy-expired')
    stub.batches.expire(batchId, { answered: ['first'] })
    t.same(await batch.status(reference(batchId)), { state: 'expired', vendorState: 'JOB_STATE_EXPIRED' })
    t.same((await collect(batch.results(reference(batchId)))).map(result => result.customId), ['first'])
  })

  t.test('failed: the batch as a whole, no results', async t => {
    const batchId = await submit(batch, 'economy-failed')
    stub.batches.fail(batchId, 'Batch quota exceeded.')
    // The SDK keeps a Developer API batch's error for Vertex AI only, so no reason reaches us.
    t.same(await batch.status(reference(batchId)), { state: 'failed', vendorState: 'JOB_STATE_FAILED' })
    t.same(await collect(batch.results(reference(batchId))), [])
  })

  t.test('cancel stops a running batch; cancelling a finished one does nothing', async t => {
    const batchId = await submit(batch, 'economy-cancelled')
    await batch.cancel(reference(batchId))
    t.equal(`${stub.requests.at(-1)?.method} ${stub.requests.at(-1)?.path}`, `POST /v1beta/${batchId}:cancel`)
    t.same(await batch.status(reference(batchId)), { state: 'cancelled', vendorState: 'JOB_STATE_CANCELLED' })
    t.same(await collect(batch.results(reference(batchId))), [])
    const before = stub.requests.length
    await batch.cancel(reference(batchId))
    t.same(stub.requests.slice(before).map(request => request.method), ['POST', 'GET'], 'refused by Google, then judged by the state')
    t.match(await refusal(batch.cancel(reference(batchId, BAD_KEY))), { code: 'PROVIDER_AUTH' })
  })

  t.test('find: the batch with a display name, through every list page; undefined for none', async t => {
    const batchId = await submit(batch, 'economy-find-me')
    for (const label of ['economy-later-1', 'economy-later-2', 'economy-later-3', 'economy-later-4', 'economy-later-5']) await submit(batch, label)
    const before = stub.requests.length
    t.equal(await batch.find?.({ ...credentials, signal: signal() }, 'economy-find-me'), batchId)
    t.same(stub.requests.slice(before).map(request => request.query.get('pageToken')), [null, '2', '4'], 'newest first, two a page: the third page holds it, and listing stops there')
    t.equal(await batch.find?.({ ...credentials, signal: signal() }, 'economy-never-sent'), undefined)
    t.equal(stub.batches.submissions('economy-find-me'), 1)
  })

  t.test('Google\'s refusals are ProviderErrors that say why', async t => {
    const unknownModel = await refusal(batch.submit({ ...credentials, modelId: 'gemini-9', items: ITEMS.map(item => ({ ...item, modelId: 'gemini-9' })), label: 'economy-unknown', signal: signal() }))
    t.match(unknownModel, { code: 'PROVIDER_REJECTED', status: 404, message: /models\/gemini-9 is not found/ })

    const unnamed = await refusal(submit(batch, ''))
    t.match(unnamed, { code: 'PROVIDER_REJECTED', status: 400, message: /display_name is required/ })

    const unknownBatch = await refusal(batch.status(reference('batches/never-created')))
    t.match(unknownBatch, { code: 'PROVIDER_REJECTED', status: 404, message: /not found/ })
    t.equal(stub.batches.submissions('economy-unknown') + stub.batches.submissions(''), 0)
  })

  t.test('requests Google would refuse are refused before anything is sent', async t => {
    const before = stub.requests.length
    const cases: Array<[string, Promise<unknown>, RegExp]> = [
      ['too large', submit(batch, 'economy-huge', [{ customId: 'huge', modelId: 'gemini-3.5-flash', prompt: 'x'.repeat(batch.maxBytes) }]), /over the \d+ one Gemini batch takes inline/],
      ['too many', submit(batch, 'economy-many', Array.from({ length: batch.maxItems + 1 }, (_item, index) => ({ customId: `item-${index}`, modelId: 'gemini-3.5-flash', prompt: 'x' }))), /at most 5000 requests/],
      ['empty', submit(batch, 'economy-empty', []), /at least one request/],
      ['twice the same id', submit(batch, 'economy-twice', [ITEMS[0] as BatchItemRequest, ITEMS[0] as BatchItemRequest]), /first appears twice/],
      ['another model', submit(batch, 'economy-mixed', [{ ...ITEMS[0] as BatchItemRequest, modelId: 'gemini-2.5-flash' }]), /is for gemini-2.5-flash, not the batch's model/],
      ['another vendor\'s id', batch.status(reference('msgbatch_013')), /Not a Gemini batch id/]
    ]
    for (const [name, promise, message] of cases) t.match(await refusal(promise), { code: 'PROVIDER_REJECTED', message }, name)
    t.equal(stub.requests.length, before, 'no request left')
  })

  t.test('a bad key is PROVIDER_AUTH at every call, with our own sentence', async t => {
    const batchId = stub.batches.list()[0]?.name ?? ''
    // Each call starts when its turn comes: one refused before it is awaited would be an unhandled rejection.
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['submit', async () => await submit(batch, 'economy-bad-key', ITEMS, BAD_KEY)],
      ['status', async () => await batch.status(reference(batchId, BAD_KEY))],
      ['results', async () => await collect(batch.results(reference(batchId, BAD_KEY)))],
      ['find', async () => await batch.find?.({ apiKey: BAD_KEY, signal: signal() }, 'economy-1')]
    ]
    for (const [name, call] of calls) {
      t.match(await refusal(call()), { code: 'PROVIDER_AUTH', message: 'Google Gemini rejected the API key (HTTP 400).', vendorCode: 'API_KEY_INVALID' }, name)
    }
    t.equal(stub.batches.submissions('economy-bad-key'), 0)
  })

  t.test('canary: no thrown message repeats a key, and the key only ever travelled in its header', async t => {
    t.ok(thrown.length >= 12, `${thrown.length} refusals seen`)
    for (const message of thrown) t.notMatch(message, /canary|7777/)
    for (const request of stub.requests) {
      t.notMatch(request.url, /canary|key=/i, `${request.method} ${request.url}`)
      t.equal(typeof request.headers['x-goog-api-key'], 'string')
    }
  })
})

t.test('a finished batch whose inline answers pass one answer\'s 8 MiB limit is read whole, status and results alike', async t => {
  const stub = await startGeminiStub()
  t.teardown(() => stub.close())
  // A 14 MB read on a busy machine may take longer than the usual test timeout.
  const batch = batchOf(buildProvider(gemini, { baseUrl: stub.baseUrl, timeoutMs: 30_000 }))
  const items = Array.from({ length: 3000 }, (_item, index) => ({ customId: `item-${index}`, modelId: 'gemini-3.5-flash', prompt: `Question ${index}` }))
  const batchId = await submit(batch, 'economy-large-answers', items)
  stub.batches.succeed(batchId, { answer: item => `${String(item.metadata?.customId)} `.padEnd(4096, 'x') })
  const large = { ...reference(batchId), signal: signal(30_000) }
  t.same(await batch.status(large), { state: 'ended', vendorState: 'JOB_STATE_SUCCEEDED' }, 'about 14 MB, where the status is read too')
  const results = await collect(batch.results(large))
  t.equal(results.length, 3000)
  t.ok(results.every(result => result.kind === 'answer' && result.result.text.startsWith(`${result.customId} `) && result.result.text.length === 4096))
})

t.test('the stub refuses what Google refuses', async t => {
  const stub = await startGeminiStub({ maxInlineBytes: 2_000 })
  t.teardown(() => stub.close())
  const batch = batchOf(buildProvider(gemini, { baseUrl: stub.baseUrl }))

  const oversize = await refusal(submit(batch, 'economy-oversize', [{ customId: 'long', modelId: 'gemini-3.5-flash', prompt: 'x'.repeat(3_000) }]))
  t.match(oversize, { code: 'PROVIDER_REJECTED', status: 400, message: /Request payload size exceeds the limit: 2000 bytes/ })
  t.equal(stub.batches.submissions(), 0)

  const post = async (path: string, body: unknown, apiKey = GEMINI_GOOD_KEY) => await fetch(`${stub.baseUrl}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': apiKey }, body: JSON.stringify(body)
  })
  const malformed: Array<[unknown, RegExp]> = [
    [{}, /Missing required field "batch"/],
    [{ batch: { displayName: 'x', inputConfig: { requests: { requests: [] } } } }, /inline requests or a file name/],
    [{ batch: { displayName: 'x', inputConfig: { requests: { requests: [{ request: {} }] } } } }, /requests\[0\]\.request\.contents is required/],
    [{ batch: { displayName: 'x', inputConfig: { requests: { requests: [{ request: { contents: [{ parts: [] }] }, metadata: { id: 1 } }] } } } }, /metadata.*map of strings/]
  ]
  for (const [body, message] of malformed) {
    const response = await post('/v1beta/models/gemini-3.5-flash:batchGenerateContent', body)
    t.equal(response.status, 400)
    t.match(await response.json(), { error: { code: 400, status: 'INVALID_ARGUMENT', message } })
  }
  const badKey = await post('/v1beta/models/gemini-3.5-flash:batchGenerateContent', {}, BAD_KEY)
  t.match(await badKey.json(), { error: { details: [{ reason: 'API_KEY_INVALID' }] } })
  const otherMethod = await post('/v1beta/models/gemini-9:generateContent', {})
  t.equal(otherMethod.status, 404, 'routes other than the batch ones are as before')
  t.equal(stub.batches.submissions(), 0)
})

t.test('autoSucceed: a large batch ends at its first look, every item answered once', async t => {
  const stub = await startGeminiStub({ autoSucceed: true })
  t.teardown(() => stub.close())
  const batch = batchOf(buildProvider(gemini, { baseUrl: stub.baseUrl }))
  const items = Array.from({ length: 500 }, (_item, index) => ({ customId: `item-${index}`, modelId: 'gemini-2.5-flash', prompt: `Question ${index}` }))
  const { batchId } = await batch.submit({ ...credentials, modelId: 'gemini-2.5-flash', items, label: 'economy-large', signal: signal() })
  t.same(await batch.status(reference(batchId)), { state: 'ended', vendorState: 'JOB_STATE_SUCCEEDED' })
  const results = await collect(batch.results(reference(batchId)))
  t.same(results.map(result => result.customId), items.map(item => item.customId))
  t.ok(results.every(result => result.kind === 'answer' && result.result.text === 'Hello from Gemini stub'))
  t.equal(stub.batches.submissions(), 1)
  // What the SDK adds on the wire beyond our JSON of the items, which `maxBytes` leaves room for.
  const sent = stub.requests.find(request => request.path.endsWith(':batchGenerateContent'))
  const perItem = ((sent?.text.length ?? 0) - JSON.stringify(items.map(({ customId, modelId, ...rest }) => ({ contents: rest.prompt, config: {}, metadata: { customId } }))).length) / items.length
  t.ok(perItem > 0 && perItem < 200, `about ${Math.round(perItem)} bytes an item`)
})
