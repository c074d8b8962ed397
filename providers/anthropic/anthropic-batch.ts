import type Anthropic from '@anthropic-ai/sdk'
import type { BatchCapability, BatchItemResult, BatchReference, CallOptions, ProviderCredentials } from '../contract.ts'
import { ProviderError } from '../errors.ts'
import { anthropicBatchItemResult } from './anthropic-batch-result.ts'
import { anthropicBatchStatus } from './anthropic-batch-status.ts'
import { anthropicMessageBody } from './anthropic-message-body.ts'
import type { AnthropicModelProfile } from './anthropic-models.ts'

/** Most requests in one batch (Anthropic's documented `maxItems`). */
export const ANTHROPIC_BATCH_MAX_ITEMS = 100_000
/**
 * Most bytes of one batch: Anthropic documents "256 MB" of create request. [UNCONFIRMED] whether decimal or binary
 * megabytes: the decimal reading is the smaller, so a batch under it is never refused for its size.
 */
export const ANTHROPIC_BATCH_MAX_BYTES = 256_000_000

export interface AnthropicBatchOptions {
  /** The provider's client cache: the same client, timeout and fetch as `invoke`. */
  readonly clientFor: (credentials: ProviderCredentials) => Promise<Anthropic>
  /** Clients built with `ProviderContext.resultsFetch`, for downloading results alone. */
  readonly resultsClientFor: (credentials: ProviderCredentials) => Promise<Anthropic>
  /** The same profile `invoke` would use for the model, so a batch item's params are its body exactly. */
  readonly profileFor: (modelId: string) => AnthropicModelProfile
  readonly mapError: (error: unknown, signal: AbortSignal) => ProviderError
}

/**
 * The Message Batches API (`client.messages.batches`). Each item's `params` is the body `invoke` sends for the same
 * request. A request that is refused inside the batch (reasoning settings a model does not take, say) comes back as
 * an item error, and the service's standard call then retries it the way `invoke` does.
 *
 * No `find`: an Anthropic batch holds nothing of ours to search by (the create body takes `requests` only, with no
 * metadata or name, and neither the batch nor its list shows custom_ids), so the submit's `label` is not sent.
 */
export function createAnthropicBatch (options: AnthropicBatchOptions): BatchCapability {
  const { clientFor, profileFor, mapError } = options
  const call = async <T>(reference: ProviderCredentials & CallOptions, run: (client: Anthropic) => Promise<T>): Promise<T> => {
    try {
      return await run(await clientFor(reference))
    } catch (error) {
      throw mapError(error, reference.signal)
    }
  }
  const retrieve = async (reference: BatchReference) =>
    await call(reference, async client => await client.messages.batches.retrieve(reference.batchId, {}, { signal: reference.signal }))

  return {
    maxItems: ANTHROPIC_BATCH_MAX_ITEMS,
    maxBytes: ANTHROPIC_BATCH_MAX_BYTES,

    submit: async request => await call(request, async client => {
      const requests = request.items.map(item => ({
        custom_id: item.customId,
        params: anthropicMessageBody(item, profileFor(item.modelId).reasoning).body
      }))
      const batch = await client.messages.batches.create({ requests }, { signal: request.signal })
      return { batchId: batch.id }
    }),

    status: async reference => anthropicBatchStatus(await retrieve(reference)),

    results: reference => readResults(reference, options),

    async cancel (reference) {
      try {
        await call(reference, async client => await client.messages.batches.cancel(reference.batchId, {}, { signal: reference.signal }))
      } catch (error) {
        const refused = error as ProviderError // call() throws nothing else
        if (refused.code !== 'PROVIDER_REJECTED') throw refused
        // A batch that has ended cannot be cancelled, which is the "nothing happens" of the contract. [UNCONFIRMED]
        // how Anthropic words that refusal, so the batch's own state decides.
        if ((await retrieve(reference)).processing_status !== 'ended') throw refused
      }
    }
  }
}

/**
 * Reads the JSONL results as the SDK streams them, one item per line, through a client whose fetch limits each line
 * rather than the whole file. The batch is read first: the SDK follows its `results_url` with the key, which must stay
 * with the origin the connection was checked for.
 */
async function * readResults (reference: BatchReference, options: AnthropicBatchOptions): AsyncGenerator<BatchItemResult> {
  const { signal, batchId } = reference
  let lines: AsyncIterable<Anthropic.Messages.MessageBatchIndividualResponse>
  try {
    const client = await options.clientFor(reference)
    checkResultsUrl(await client.messages.batches.retrieve(batchId, {}, { signal }), batchId, client.baseURL)
    lines = await (await options.resultsClientFor(reference)).messages.batches.results(batchId, {}, { signal })
  } catch (error) {
    throw options.mapError(error, signal)
  }
  try {
    for await (const line of lines) yield anthropicBatchItemResult(line)
  } catch (error) {
    throw options.mapError(error, signal)
  }
}

function checkResultsUrl (batch: Anthropic.Messages.MessageBatch, batchId: string, baseUrl: string): void {
  if (batch.results_url == null) {
    // Not ended yet: asking again later works. Ended without results: they are gone (archived after 29 days).
    if (batch.processing_status !== 'ended') {
      throw new ProviderError('PROVIDER_UNAVAILABLE', `Anthropic batch ${batchId} has no results yet: it is ${String(batch.processing_status)}.`)
    }
    throw new ProviderError('PROVIDER_REJECTED', `Anthropic no longer keeps the results of batch ${batchId}.`)
  }
  if (!sameOrigin(batch.results_url, baseUrl)) {
    throw new ProviderError('PROVIDER_REJECTED', `Anthropic placed the results of batch ${batchId} at another origin than the connection's base URL; the key is never sent there.`)
  }
}

function sameOrigin (url: string, baseUrl: string): boolean {
  try {
    // A relative URL is joined to the base URL by the SDK, so it stays on the base URL's origin.
    return new URL(url, baseUrl).origin === new URL(baseUrl).origin
  } catch {
    return false
  }
}
