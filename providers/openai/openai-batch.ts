import type OpenAI from 'openai'
import type { BatchCapability, BatchItemResult, BatchReference, BatchState, BatchStatus, ProviderCredentials, ProviderLogger } from '../contract.ts'
import { ProviderError } from '../errors.ts'
import { jsonlLines } from './jsonl-lines.ts'
import { OPENAI_BATCH_ENDPOINT, OPENAI_BATCH_MAX_BYTES, OPENAI_BATCH_MAX_ITEMS, batchInputFile } from './openai-batch-input.ts'
import { batchItemResult } from './openai-batch-output.ts'
import { loadOpenAISdk } from './openai-sdk.ts'

type Batch = OpenAI.Batches.Batch

export interface OpenAIBatchOptions {
  readonly clientFor: (credentials: ProviderCredentials) => Promise<OpenAI>
  /** Clients built with `ProviderContext.resultsFetch`, for downloading output and error files alone. */
  readonly resultsClientFor: (credentials: ProviderCredentials) => Promise<OpenAI>
  readonly mapError: (error: unknown, signal: AbortSignal) => ProviderError
  readonly log: ProviderLogger
}

/** Where each of OpenAI's batch statuses (openai-node `Batch.status`) leaves the service. */
const STATES: Readonly<Record<Batch['status'], BatchState>> = {
  validating: 'running',
  in_progress: 'running',
  finalizing: 'running',
  // Until OpenAI reports `cancelled`, the items finished so far are not all in the output file yet.
  cancelling: 'running',
  completed: 'ended',
  expired: 'expired',
  failed: 'failed',
  cancelled: 'cancelled'
}
/** The statuses a cancel can still change. */
const CANCELLABLE: ReadonlySet<string> = new Set(['validating', 'in_progress', 'finalizing'])
/** A vendor metadata value holds at most 512 characters (openai-node `Shared.Metadata`). */
const MAX_LABEL_LENGTH = 512
const MAX_REASONS = 3

/**
 * OpenAI's Batch API for economy executions, at half the standard price: the items go up as one JSONL file
 * (`purpose: batch`), become one batch on `/v1/responses` within a 24-hour window, and the service's label rides in
 * the batch's metadata so `find` can recover a batch whose id was lost. Every call failure goes through the
 * provider's `mapError`, as `invoke`'s do.
 */
export function openAIBatch (options: OpenAIBatchOptions): BatchCapability {
  const { clientFor, resultsClientFor, mapError } = options

  /** One SDK call, its failure as a ProviderError. */
  async function call<Result> (signal: AbortSignal, run: () => Promise<Result>): Promise<Result> {
    try {
      return await run()
    } catch (error) {
      throw mapError(error, signal)
    }
  }

  const retrieve = async (reference: BatchReference): Promise<Batch> =>
    await call(reference.signal, async () => await (await clientFor(reference)).batches.retrieve(reference.batchId, { signal: reference.signal }))

  return {
    maxItems: OPENAI_BATCH_MAX_ITEMS,
    maxBytes: OPENAI_BATCH_MAX_BYTES,

    async submit (request) {
      if (request.label.length > MAX_LABEL_LENGTH) throw new ProviderError('PROVIDER_REJECTED', `A batch label takes at most ${MAX_LABEL_LENGTH} characters.`)
      const jsonl = batchInputFile(request)
      const { signal } = request
      const client = await clientFor(request)
      const { toFile } = await loadOpenAISdk()
      // OpenAI refuses a batch file whose name does not end in .jsonl ("Invalid file format for Batch API").
      const file = await toFile(Buffer.from(jsonl), `${request.label.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100) || 'batch'}.jsonl`)
      const uploaded = await call(signal, async () => await client.files.create({ file, purpose: 'batch' }, { signal }))
      const batch = await call(signal, async () => await client.batches.create({
        input_file_id: uploaded.id,
        endpoint: OPENAI_BATCH_ENDPOINT,
        completion_window: '24h',
        metadata: { label: request.label }
      }, { signal }))
      return { batchId: batch.id }
    },

    status: async reference => batchStatus(await retrieve(reference), reference.apiKey),

    async * results (reference): AsyncGenerator<BatchItemResult> {
      const batch = await retrieve(reference)
      if (batchStatus(batch, reference.apiKey).state === 'running') {
        // Reading now would find no files yet, and the service would run every item a second time.
        throw new ProviderError('PROVIDER_UNAVAILABLE', `The batch is still ${batch.status}; its results can be read once it ends.`)
      }
      const client = await resultsClientFor(reference)
      const { signal } = reference
      for (const fileId of [batch.output_file_id, batch.error_file_id]) {
        if (fileId === undefined || fileId === null || fileId === '') continue
        const content = await call(signal, async () => await client.files.content(fileId, { signal }))
        if (content.body === null) continue
        try {
          for await (const line of jsonlLines(content.body)) {
            const result = batchItemResult(line, reference.apiKey)
            if (result === undefined) options.log.warn({ batchId: batch.id, fileId }, 'a batch result line names no item; skipped')
            else yield result
          }
        } catch (error) {
          throw mapError(error, signal)
        }
      }
    },

    async cancel (reference) {
      try {
        await call(reference.signal, async () => await (await clientFor(reference)).batches.cancel(reference.batchId, { signal: reference.signal }))
      } catch (error) {
        // A batch that has already ended, or is being cancelled, is refused by the API; [UNCONFIRMED] with which
        // status, so any refusal is checked against the batch itself. A key or network failure is not hidden.
        if (!ProviderError.is(error) || error.code === 'PROVIDER_AUTH') throw error
        const batch = await retrieve(reference).catch(() => undefined)
        if (batch === undefined || CANCELLABLE.has(batch.status)) throw error
      }
    },

    async find (credentials, label) {
      const { signal } = credentials
      const client = await clientFor(credentials)
      // The list has no metadata filter, so it is walked page by page (100 a page, the most it gives), newest first
      // [UNCONFIRMED: the order is not documented], until the label turns up; the call's signal bounds the walk.
      return await call(signal, async () => {
        for await (const batch of client.batches.list({ limit: 100 }, { signal })) {
          if (batch.metadata?.label === label) return batch.id
        }
        return undefined
      })
    }
  }
}

/** A batch's state for the service; a status OpenAI adds later reads as running, so nothing is read too early. */
function batchStatus (batch: Batch, apiKey: string): BatchStatus {
  const state = STATES[batch.status] ?? 'running'
  return { state, vendorState: batch.status, ...(state === 'failed' ? { reason: failureReason(batch, apiKey) } : {}) }
}

/** The first few of the vendor's reasons, each with its line in the input file when it names one. */
function failureReason (batch: Batch, apiKey: string): string {
  const reasons = (batch.errors?.data ?? []).slice(0, MAX_REASONS).map(error => [
    typeof error.line === 'number' ? `line ${error.line}: ` : '',
    error.message ?? error.code ?? 'no reason given',
    error.code !== undefined && error.message !== undefined ? ` (${error.code})` : ''
  ].join(''))
  const more = (batch.errors?.data?.length ?? 0) - MAX_REASONS
  const reason = reasons.length === 0
    ? 'OpenAI failed the batch without giving a reason.'
    : `OpenAI failed the batch: ${reasons.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`
  return apiKey === '' ? reason : reason.replaceAll(apiKey, '[API key]')
}
