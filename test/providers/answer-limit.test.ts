import t from 'tap'
import { isAnswerTooLarge, MAX_ANSWER_BYTES, withResultsLimit } from '../../providers/answer-limit.ts'
import { BUILTIN_PROVIDERS } from '../../providers/builtin.ts'
import { ProviderError } from '../../providers/errors.ts'
import { buildProvider, signal } from '../helpers/provider-context.ts'
import { OVERSIZE_BYTES, startOversizeStub, type OversizeFraming } from '../stubs/oversize-stub.ts'

/** The form each SDK takes its base URL in: with the API version segment, or the bare origin. */
const BASE_PATH: Readonly<Record<string, string>> = { openai: '/v1', xai: '/v1', 'openai-compatible': '/v1', anthropic: '', cohere: '', gemini: '' }

/**
 * What the sender got out before the client hung up: the limit plus what the loopback socket buffers hold. Reading
 * the whole answer sends all of it.
 */
const MOST_SENT = MAX_ANSWER_BYTES + 16 * 1024 * 1024

const FETCHES = {
  'the lean fetch': undefined,
  'the platform fetch': globalThis.fetch
} as const

for (const framing of ['chunked', 'declared'] as OversizeFraming[]) {
  for (const [fetchName, fetch] of Object.entries(FETCHES)) {
    t.test(`an 80 MB answer (${framing}) through ${fetchName}: every provider fails PROVIDER_REJECTED and stops reading`, async t => {
      const stub = await startOversizeStub(framing)
      t.teardown(() => stub.close())
      for (const definition of BUILTIN_PROVIDERS) {
        const baseUrl = `${stub.origin}${BASE_PATH[definition.id] ?? ''}`
        const provider = buildProvider(definition, { baseUrl, ...(fetch === undefined ? {} : { fetch }) })
        stub.sent = 0
        const error = await provider.invoke({ apiKey: 'sk-oversize-test-key-000000000000', baseUrl, modelId: provider.models[0]?.id ?? 'model', prompt: 'x', signal: signal(30_000) })
          .then(() => undefined, (thrown: unknown) => thrown)
        t.match(error, { code: 'PROVIDER_REJECTED', message: /answer was larger than 8 MiB/ }, `${definition.id}: refused`)
        t.ok(ProviderError.is(error) && isAnswerTooLarge(error), `${definition.id}: the limit's own error, not the SDK's`)
        t.ok(stub.sent < MOST_SENT, `${definition.id}: ${(stub.sent / 1024 / 1024).toFixed(1)} MiB of ${OVERSIZE_BYTES / 1024 / 1024} sent before the client hung up`)
      }
    })
  }
}

t.test('a gzip answer of small declared length that decodes to 80 MB is counted as it decodes', async t => {
  const stub = await startOversizeStub('gzip')
  t.teardown(() => stub.close())
  for (const definition of BUILTIN_PROVIDERS.filter(each => each.id === 'openai-compatible' || each.id === 'anthropic')) {
    const baseUrl = `${stub.origin}${BASE_PATH[definition.id] ?? ''}`
    // The platform fetch decodes what it is sent; the lean fetch never asks for compression.
    const provider = buildProvider(definition, { baseUrl, fetch: globalThis.fetch })
    const error = await provider.invoke({ apiKey: 'sk-oversize-test-key-000000000000', baseUrl, modelId: provider.models[0]?.id ?? 'model', prompt: 'x', signal: signal(30_000) })
      .then(() => undefined, (thrown: unknown) => thrown)
    t.match(error, { code: 'PROVIDER_REJECTED', message: /answer was larger than 8 MiB/ }, `${definition.id}: refused`)
  }
})

t.test('the results fetch holds each line to the limit, not the whole body, however the chunks fall', async t => {
  const encoder = new TextEncoder()
  const answering = (chunks: readonly string[]): typeof globalThis.fetch => async () => new Response(new ReadableStream<Uint8Array>({
    start (controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk))
      controller.close()
    }
  }))
  const read = async (chunks: readonly string[]) => await (await withResultsLimit(answering(chunks), 4)('http://results.invalid/')).text()
  const refusal = { code: 'PROVIDER_REJECTED', message: /^A line of the provider's batch results was larger than 4 bytes/ }

  t.equal(await read(['abcd\nab', 'cd\nabcd', '\n']), 'abcd\nabcd\nabcd\n', 'lines of exactly the limit, split across chunks')
  t.equal((await read(['ab\ncd\n'.repeat(1000)])).length, 6000, 'a body far past the limit in short lines')
  await t.rejects(read(['ab', 'cde\n']), refusal, 'a line past the limit across chunks')
  await t.rejects(read(['a\nabcde\nb']), refusal, 'a line past the limit inside one chunk')
  await t.rejects(read(['abc', 'de']), refusal, 'a last line without its newline')
})
