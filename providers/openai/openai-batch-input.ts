import type { BatchSubmitRequest } from '../contract.ts'
import { ProviderError } from '../errors.ts'
import { responsesBody } from './openai-responses.ts'

/** The endpoint every line of our batches calls: the one `invoke` uses. */
export const OPENAI_BATCH_ENDPOINT = '/v1/responses'
/** Requests one batch file takes (`BatchCreateParams.input_file_id` in openai-node: "up to 50,000 requests"). */
export const OPENAI_BATCH_MAX_ITEMS = 50_000
/** Bytes one batch file takes: "up to 200 MB" in openai-node; OpenAI's refusal names 209715200, so MiB. */
export const OPENAI_BATCH_MAX_BYTES = 200 * 1024 * 1024

const CUSTOM_ID = /^[A-Za-z0-9_-]{1,64}$/

/**
 * The JSONL input file of a batch: one `{custom_id, method, url, body}` line per item, each body built by
 * `responsesBody` exactly as `invoke` builds it ([UNCONFIRMED] that a batch line takes `store: false` as the
 * synchronous API does; OpenAI documents the line's body as the endpoint's own request body). OpenAI checks a file only once the batch is created, and reports
 * a bad one hours later as a failed batch; so what it would refuse (no items, too many or too large, a repeated or
 * malformed custom_id, a second model) is refused here, as PROVIDER_REJECTED, before anything is sent.
 */
export function batchInputFile (request: BatchSubmitRequest): string {
  const { items } = request
  if (items.length === 0) throw refused('A batch needs at least one request.')
  if (items.length > OPENAI_BATCH_MAX_ITEMS) throw refused(`A batch takes at most ${OPENAI_BATCH_MAX_ITEMS} requests; this one has ${items.length}.`)
  const seen = new Set<string>()
  const lines: string[] = []
  let bytes = 0
  for (const item of items) {
    if (!CUSTOM_ID.test(item.customId)) throw refused(`The batch item id "${item.customId.slice(0, 80)}" is not 1 to 64 letters, digits, "_" or "-".`)
    if (seen.has(item.customId)) throw refused(`The batch item id "${item.customId}" appears twice.`)
    if (item.modelId !== request.modelId) throw refused(`A batch runs one model: item "${item.customId}" asks for ${item.modelId}, the batch for ${request.modelId}.`)
    seen.add(item.customId)
    const line = JSON.stringify({ custom_id: item.customId, method: 'POST', url: OPENAI_BATCH_ENDPOINT, body: responsesBody(item) })
    bytes += Buffer.byteLength(line) + 1
    if (bytes > OPENAI_BATCH_MAX_BYTES) throw refused(`A batch file takes at most ${OPENAI_BATCH_MAX_BYTES} bytes; this one is larger by item "${item.customId}".`)
    lines.push(line)
  }
  return `${lines.join('\n')}\n`
}

function refused (message: string): ProviderError {
  return new ProviderError('PROVIDER_REJECTED', message)
}
