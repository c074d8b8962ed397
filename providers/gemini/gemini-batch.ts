import type { GoogleGenAI, InlinedRequest, JobError } from '@google/genai'
import type { BatchCapability, BatchReference, BatchSubmitRequest, CallOptions, ProviderCredentials, ProviderLogger } from '../contract.ts'
import { resultsTooLarge, withAnswerLimit } from '../answer-limit.ts'
import { ProviderError } from '../errors.ts'
import { geminiBatchState } from './gemini-batch-state.ts'
import { geminiGeneration } from './gemini-request.ts'
import { geminiResult } from './gemini-result.ts'
import { loadGeminiSdk } from './gemini-sdk.ts'

export interface GeminiBatchOptions {
  readonly clientFor: (credentials: ProviderCredentials) => Promise<GoogleGenAI>
  /** Clients built with `geminiInlineResultsFetch`, for every read of a batch (`batches.get`). */
  readonly resultsClientFor: (credentials: ProviderCredentials) => Promise<GoogleGenAI>
  readonly mapError: (error: unknown, signal: AbortSignal) => ProviderError
  readonly log: ProviderLogger
}

/** Google's limit for a batch sent inline: "20MB" for the whole request, read as 20,000,000 bytes (the stricter reading). */
const INLINE_LIMIT_BYTES = 20_000_000
/** Google documents no count for inline batches; ours keeps the wire allowance below small. */
const MAX_ITEMS = 5_000
/**
 * What the SDK adds to an item on its way to the wire, beyond our JSON of it: the prompt wrapped in a user turn, the
 * system instruction in a Content, the `request` envelope (measured with @google/genai 2.32: about 60 bytes for a bare
 * prompt, 95 with every setting).
 */
const WIRE_BYTES_PER_ITEM = 200
/** The batch's own envelope: model, display name, wrappers. */
const ENVELOPE_BYTES = 10_000
const MAX_BYTES = INLINE_LIMIT_BYTES - MAX_ITEMS * WIRE_BYTES_PER_ITEM - ENVELOPE_BYTES
/**
 * Most bytes of one batch read back. A finished batch carries all its answers inline in one JSON document, read whole:
 * Google limits the requests to 20 MB but not the responses, so 5,000 answers of a few kilobytes are past one
 * answer's limit (8 MiB). This allows about 50 KB an answer on average and keeps the document well inside what one
 * string can hold.
 */
const INLINE_RESULTS_MAX_BYTES = 256 * 1024 * 1024

/** The metadata key each inline request carries its custom id under; Google hands metadata back with the response. */
const CUSTOM_ID_KEY = 'customId'
const LIST_PAGE_SIZE = 100

/**
 * Gemini's Batch API (Developer API, inline requests) at half the standard price. A batch's id is its resource name,
 * `batches/<id>`, and its label is its display name.
 *
 * Results are matched to items by the custom id in each request's `metadata`, never by position: Google documents
 * inline responses "in the same order as the input requests", but that order has been reported broken for large
 * batches (googleapis/python-genai#1909), and `results` is not given the items to count against anyway. A response
 * without our metadata (reported of the live API in googleapis/js-genai#1191) is logged and left without a result,
 * so its item runs as a standard call rather than ever receiving another item's answer.
 */
export function createGeminiBatch (options: GeminiBatchOptions): BatchCapability {
  const { clientFor, resultsClientFor, mapError, log } = options
  /** Runs one SDK call on a client of `clients`; every failure of it leaves as a ProviderError. */
  const call = async <Result>(
    target: ProviderCredentials & CallOptions,
    run: (client: GoogleGenAI) => Promise<Result>,
    clients: GeminiBatchOptions['clientFor'] = clientFor
  ): Promise<Result> => {
    try {
      return await run(await clients(target))
    } catch (error) {
      throw mapError(error, target.signal)
    }
  }
  /** A batch and its state, through the results clients: a finished batch comes with every inline response. */
  const read = async (reference: BatchReference) => {
    const name = batchName(reference.batchId)
    const job = await call(reference, async client => await client.batches.get({ name, config: { abortSignal: reference.signal } }), resultsClientFor)
    const vendorState = job.state ?? 'JOB_STATE_UNSPECIFIED'
    return { job, vendorState, state: geminiBatchState(vendorState) }
  }

  const capability: BatchCapability = {
    maxItems: MAX_ITEMS,
    maxBytes: MAX_BYTES,

    async submit (request) {
      const src = inlineRequests(request)
      const job = await call(request, async client => await client.batches.create({
        model: request.modelId,
        src,
        config: { displayName: request.label, abortSignal: request.signal }
      }))
      if (job.name === undefined) throw new ProviderError('PROVIDER_UNAVAILABLE', 'Google Gemini created a batch without giving its name.')
      return { batchId: job.name }
    },

    async status (reference) {
      const { job, vendorState, state } = await read(reference)
      // @google/genai 2.32 keeps a batch's `error` for Vertex AI only (batchJobFromMldev drops it): here it stays absent.
      const reason = state === 'failed' ? job.error?.message : undefined
      return { state, vendorState, ...(reason === undefined || reason === '' ? {} : { reason: truncate(reason) }) }
    },

    async * results (reference) {
      const { job, vendorState, state } = await read(reference)
      if (state === 'running') {
        // No responses yet: an empty result now would send every item to a standard call while the batch runs on.
        throw new ProviderError('PROVIDER_UNAVAILABLE', `Google Gemini batch ${reference.batchId} has no results yet: it is ${vendorState}.`)
      }
      const { GenerateContentResponse } = await loadGeminiSdk()
      let unmatched = 0
      for (const inlined of job.dest?.inlinedResponses ?? []) {
        const customId = inlined.metadata?.[CUSTOM_ID_KEY]
        if (typeof customId !== 'string') {
          unmatched++
          continue
        }
        // The SDK hands inline answers over as plain objects; `generateContent` wraps its answer the same way.
        yield inlined.response === undefined
          ? { customId, kind: 'error', message: itemFailure(inlined.error, reference.apiKey) }
          : { customId, kind: 'answer', result: geminiResult(Object.assign(new GenerateContentResponse(), inlined.response)) }
      }
      if (unmatched > 0) log.warn({ batchId: reference.batchId, unmatched }, 'Gemini batch responses came back without their custom id; their items get no batch result')
    },

    async cancel (reference) {
      const name = batchName(reference.batchId)
      try {
        await call(reference, async client => { await client.batches.cancel({ name, config: { abortSignal: reference.signal } }) })
      } catch (error) {
        // Cancelling a finished batch is refused; the contract makes it a no-op, so a refusal is judged by the state.
        const finished = await capability.status(reference).then(status => status.state !== 'running', () => false)
        if (!finished) throw error
      }
    },

    async find (credentials, label) {
      return await call(credentials, async client => {
        const pager = await client.batches.list({ config: { pageSize: LIST_PAGE_SIZE, abortSignal: credentials.signal } })
        // The pager fetches the following pages itself, with the same config. Labels are unique per service batch.
        for await (const job of pager) {
          if (job.displayName === label && job.name !== undefined) return job.name
        }
        return undefined
      })
    }
  }
  return capability
}

/**
 * The fetch for reading batches, from the context's `resultsFetch`: that one limits each line, which bounds one answer
 * in Google's indented JSON, and this one the document as a whole, which is parsed whole.
 */
export function geminiInlineResultsFetch (resultsFetch: typeof globalThis.fetch): typeof globalThis.fetch {
  return withAnswerLimit(resultsFetch, INLINE_RESULTS_MAX_BYTES, () => resultsTooLarge(INLINE_RESULTS_MAX_BYTES))
}

/** The inline requests, each exactly what `invoke` sends for the same item, refused here rather than by Google. */
function inlineRequests (request: BatchSubmitRequest): InlinedRequest[] {
  if (request.items.length === 0) throw rejected('A Gemini batch needs at least one request.')
  if (request.items.length > MAX_ITEMS) throw rejected(`A Gemini batch takes at most ${MAX_ITEMS} requests; this one has ${request.items.length}.`)
  const seen = new Set<string>()
  const src = request.items.map(item => {
    if (item.modelId !== request.modelId) throw rejected(`Batch item ${item.customId} is for ${item.modelId}, not the batch's model ${request.modelId}.`)
    if (seen.has(item.customId)) throw rejected(`Batch item id ${item.customId} appears twice.`)
    seen.add(item.customId)
    return { ...geminiGeneration(item), metadata: { [CUSTOM_ID_KEY]: item.customId } }
  })
  const bytes = Buffer.byteLength(JSON.stringify(src))
  if (bytes > MAX_BYTES) throw rejected(`The batch's requests take ${bytes} bytes, over the ${MAX_BYTES} one Gemini batch takes inline.`)
  return src
}

/** The SDK accepts `batches/<id>` and throws a plain Error for anything else; a stored id of another vendor lands here. */
function batchName (batchId: string): string {
  if (!/^batches\/[^/]+$/.test(batchId)) throw rejected(`Not a Gemini batch id: ${JSON.stringify(truncate(batchId))}.`)
  return batchId
}

/** One item's failure, short. Google's explanation is kept (it says what to fix), the key scrubbed should it appear. */
function itemFailure (error: JobError | undefined, apiKey: string): string {
  const detail = error?.message === undefined || error.message === '' ? 'no reason given' : error.message
  const message = `Google Gemini could not answer this batch request${error?.code === undefined ? '' : ` (code ${error.code})`}: ${detail}`
  return truncate(apiKey === '' ? message : message.replaceAll(apiKey, '[key]'))
}

function rejected (message: string): ProviderError {
  return new ProviderError('PROVIDER_REJECTED', message)
}

function truncate (text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text
}
