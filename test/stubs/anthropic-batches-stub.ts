import type { RecordedRequest, StubHandler, StubReply } from '../helpers/stub-server.ts'

/**
 * Anthropic's Message Batches API on the loopback stub, shaped as `@anthropic-ai/sdk` 1.14 types it
 * (`src/resources/messages/batches.ts`). A batch moves only when the test says so (`end`, `expire`), or at its first
 * retrieve with `autoEnd`; nothing depends on real time.
 */

/** Anthropic's `requests` bounds and `custom_id` pattern (the API reference: minItems 1, maxItems 100000). */
export const ANTHROPIC_BATCH_LIMIT = 100_000
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/
const WINDOW_MS = 24 * 60 * 60 * 1000

export interface StubBatchRequest {
  readonly custom_id: string
  readonly params: Record<string, any>
}

export interface StubBatch {
  readonly id: string
  readonly requests: readonly StubBatchRequest[]
  /** The batch as GET /v1/messages/batches/:id answers it now. */
  readonly wire: Record<string, any>
  /** The result lines, in the order the results file lists them; undefined until the batch ends. */
  readonly results?: ReadonlyArray<Record<string, any>>
}

export interface EndOptions {
  /** These requests come back `errored`, with `error` (default: an invalid_request_error). */
  readonly failItems?: readonly string[]
  readonly error?: { readonly type: string, readonly message: string }
  /** The answer text of a succeeded request (default: the sync route's). */
  readonly answer?: (params: Record<string, any>) => string
  /**
   * How many requests, in submission order, ran before the batch stopped: by `end` after a cancel (the rest
   * `canceled`; default 0), by `expire` (the rest `expired`; default 0). A plain `end` runs them all.
   */
  readonly completed?: number
}

export interface AnthropicBatchesControl {
  /** Every batch accepted, oldest first. */
  list (): readonly StubBatch[]
  get (id: string): StubBatch | undefined
  /** POST /v1/messages/batches calls received, refused ones included. */
  submissions (): number
  /** Ends processing (after a cancel, the requests past `completed` are canceled). Throws on a batch already ended. */
  end (id: string, options?: EndOptions): void
  /** The 24-hour window passes: processing ends at `expires_at`, the requests past `completed` expire. */
  expire (id: string, options?: EndOptions): void
}

export interface BatchRoutesOptions {
  /** The stub's origin, for `results_url`; read when a batch ends. */
  readonly origin: () => string
  readonly authorized: (request: RecordedRequest) => boolean
  readonly unauthorized: () => StubReply
  readonly error: (status: number, type: string, message: string) => StubReply
  /** A Message object answering `params` with `text`, as the sync route answers. */
  readonly message: (text: string, params: Record<string, any>) => Record<string, unknown>
  readonly defaultAnswer: string
  /** A batch ends, every request answered, at its first retrieve. */
  readonly autoEnd?: boolean
}

interface MutableBatch {
  id: string
  requests: StubBatchRequest[]
  wire: Record<string, any>
  results?: Array<Record<string, any>>
  retrieved: number
}

export function anthropicBatchRoutes (options: BatchRoutesOptions): { routes: Record<string, StubHandler>, control: AnthropicBatchesControl } {
  const batches = new Map<string, MutableBatch>()
  let submissions = 0
  const invalid = (message: string) => options.error(400, 'invalid_request_error', message)
  const notFound = (id: string) => options.error(404, 'not_found_error', `No message batch found with id ${id}`) // [UNCONFIRMED] wording

  function finish (batch: MutableBatch, stop: 'canceled' | 'expired' | undefined, endOptions: EndOptions, endedAt: string): void {
    if (batch.wire.processing_status === 'ended') throw new Error(`stub batch ${batch.id} has already ended`)
    const completed = stop === undefined ? batch.requests.length : (endOptions.completed ?? 0)
    const failing = new Set(endOptions.failItems ?? [])
    const error = endOptions.error ?? { type: 'invalid_request_error', message: 'The stub refused this request.' }
    const lines = batch.requests.map((request, index): Record<string, any> => {
      const custom_id = request.custom_id
      if (index >= completed) return { custom_id, result: { type: stop } }
      if (failing.has(custom_id)) return { custom_id, result: { type: 'errored', error: { type: 'error', error, request_id: `req_${custom_id}` } } }
      const text = (endOptions.answer ?? (() => options.defaultAnswer))(request.params)
      return { custom_id, result: { type: 'succeeded', message: options.message(text, request.params) } }
    })
    const count = (type: string) => lines.filter(line => line.result.type === type).length
    // Anthropic does not promise the submission order; the reverse of it makes a reader that assumed it fail.
    batch.results = lines.reverse()
    batch.wire = {
      ...batch.wire,
      processing_status: 'ended',
      ended_at: endedAt,
      request_counts: { processing: 0, succeeded: count('succeeded'), errored: count('errored'), canceled: count('canceled'), expired: count('expired') },
      results_url: `${options.origin()}/v1/messages/batches/${batch.id}/results`
    }
  }

  const find = (id: string): MutableBatch => {
    const batch = batches.get(id)
    if (batch === undefined) throw new Error(`no stub batch ${id}`)
    return batch
  }
  const view = (batch: MutableBatch): StubBatch => ({ id: batch.id, requests: batch.requests, wire: batch.wire, ...(batch.results === undefined ? {} : { results: batch.results }) })
  const control: AnthropicBatchesControl = {
    list: () => [...batches.values()].map(view),
    get: id => { const batch = batches.get(id); return batch === undefined ? undefined : view(batch) },
    submissions: () => submissions,
    end (id, endOptions = {}) {
      const batch = find(id)
      finish(batch, batch.wire.cancel_initiated_at === null ? undefined : 'canceled', endOptions, new Date().toISOString())
    },
    expire (id, endOptions = {}) {
      const batch = find(id)
      finish(batch, 'expired', endOptions, new Date(Date.parse(batch.wire.expires_at) + 1000).toISOString())
    }
  }

  /** The checks Anthropic makes before it accepts a batch, in its (pydantic-style) wording where known. */
  function refusal (body: any): string | undefined {
    const requests = body?.requests
    if (!Array.isArray(requests)) return 'requests: Field required'
    // [UNCONFIRMED] wording of both bounds; the bounds themselves are documented.
    if (requests.length === 0) return 'requests: List should have at least 1 item after validation, not 0'
    if (requests.length > ANTHROPIC_BATCH_LIMIT) return `requests: List should have at most ${ANTHROPIC_BATCH_LIMIT} items after validation, not ${requests.length}`
    const seen = new Set<string>()
    for (const [index, request] of requests.entries()) {
      const id = request?.custom_id
      if (typeof id !== 'string') return `requests.${index}.custom_id: Field required`
      // Wording seen in anthropics/anthropic-sdk-python#984 for the length; the pattern's is [UNCONFIRMED].
      if (id.length > 64) return `requests.${index}.custom_id: String should have at most 64 characters`
      if (!CUSTOM_ID.test(id)) return `requests.${index}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`
      // [UNCONFIRMED] wording: Anthropic documents only that custom_ids must be unique within a batch.
      if (seen.has(id)) return `requests.${index}.custom_id: Duplicate custom_id; each must be unique within the batch`
      seen.add(id)
      const params = request.params
      for (const field of ['model', 'max_tokens', 'messages']) {
        if (params?.[field] === undefined) return `requests.${index}.params.${field}: Field required`
      }
    }
    return undefined
  }

  const routes: Record<string, StubHandler> = {
    'POST /v1/messages/batches': request => {
      submissions += 1
      if (!options.authorized(request)) return options.unauthorized()
      const refused = refusal(request.json)
      if (refused !== undefined) return invalid(refused)
      const id = `msgbatch_stub${String(batches.size + 1).padStart(4, '0')}`
      const created = Date.now()
      const requests = (request.json.requests as StubBatchRequest[]).map(({ custom_id, params }) => ({ custom_id, params }))
      const wire = {
        id,
        type: 'message_batch',
        processing_status: 'in_progress',
        request_counts: { processing: requests.length, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
        created_at: new Date(created).toISOString(),
        expires_at: new Date(created + WINDOW_MS).toISOString(),
        ended_at: null,
        cancel_initiated_at: null,
        archived_at: null,
        results_url: null
      }
      batches.set(id, { id, requests, wire, retrieved: 0 })
      return { body: wire }
    },
    'GET /v1/messages/batches/:id': request => {
      if (!options.authorized(request)) return options.unauthorized()
      const batch = batches.get(request.params.id ?? '')
      if (batch === undefined) return notFound(request.params.id ?? '')
      batch.retrieved += 1
      if (options.autoEnd === true && batch.retrieved === 1 && batch.wire.processing_status !== 'ended') control.end(batch.id)
      return { body: batch.wire }
    },
    'POST /v1/messages/batches/:id/cancel': request => {
      if (!options.authorized(request)) return options.unauthorized()
      const batch = batches.get(request.params.id ?? '')
      if (batch === undefined) return notFound(request.params.id ?? '')
      // [UNCONFIRMED] what Anthropic answers for an ended batch ("may be canceled any time before processing ends").
      if (batch.wire.processing_status === 'ended') return invalid(`Batch ${batch.id} has already ended and cannot be canceled.`)
      if (batch.wire.processing_status === 'in_progress') {
        batch.wire = { ...batch.wire, processing_status: 'canceling', cancel_initiated_at: new Date().toISOString() }
      }
      return { body: batch.wire }
    },
    'GET /v1/messages/batches/:id/results': request => {
      if (!options.authorized(request)) return options.unauthorized()
      const batch = batches.get(request.params.id ?? '')
      if (batch === undefined) return notFound(request.params.id ?? '')
      // [UNCONFIRMED] Anthropic's answer before the end; the SDK never asks then (no results_url yet).
      if (batch.results === undefined) return invalid(`Batch ${batch.id} has not ended; its results are not available yet.`)
      // [UNCONFIRMED] content type; the SDK reads the body as bytes whatever it says.
      return { headers: { 'content-type': 'application/binary' }, body: batch.results.map(line => `${JSON.stringify(line)}\n`).join('') }
    }
  }
  return { routes, control }
}
