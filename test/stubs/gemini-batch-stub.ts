import type { RecordedRequest, StubReply } from '../helpers/stub-server.ts'
import { BAD_KEY_REPLY, geminiError, geminiResponse, googleJson } from './gemini-wire.ts'

/** One inline request as the stub received it: Google's GenerateContentRequest and the caller's metadata. */
export interface StubBatchRequest {
  readonly request: Record<string, any>
  readonly metadata?: Readonly<Record<string, string>>
}

export interface StubBatch {
  /** `batches/<id>`, the name the SDK is given back. */
  readonly name: string
  /** `models/<id>` */
  readonly model: string
  readonly displayName: string
  readonly requests: readonly StubBatchRequest[]
  /** Google's word: `BATCH_STATE_PENDING`, `…_SUCCEEDED`, `…_FAILED`, `…_CANCELLED`, `…_EXPIRED`. */
  readonly state: string
  /** The inline responses (`{response | error, metadata}`), once some exist. */
  readonly responses?: readonly unknown[]
  /** The operation's error (a google.rpc.Status), when the batch failed. */
  readonly error?: { readonly code: number, readonly message: string }
}

export interface SucceedOptions {
  /** Items answered with an error instead, each named by a value of its metadata (the provider's custom id). */
  readonly failItems?: readonly string[]
  /** Each failed item's explanation; by default Google's for a bad argument. */
  readonly errorMessage?: (request: StubBatchRequest) => string
  /** Each answer's text; by default the sync route's ("Hello from Gemini stub"). */
  readonly answer?: (request: StubBatchRequest) => string
  /** Answers in the reverse of the requests' order, as Google has been seen to return large batches. */
  readonly reversed?: boolean
  /** Answers without the requests' metadata, as reported of the live API. */
  readonly withoutMetadata?: boolean
}

/** How a test drives the stub's batches: state changes happen only when it says so (or with `autoSucceed`). */
export interface GeminiBatchControl {
  /** Every batch created, oldest first. */
  list (): readonly StubBatch[]
  /** One batch, by `batches/<id>` or `<id>`; throws for one the stub never created. */
  get (id: string): StubBatch
  /** Batches created (accepted `batchGenerateContent` calls), all or only those with this display name. */
  submissions (displayName?: string): number
  succeed (id: string, options?: SucceedOptions): void
  /** The window passed: only the `answered` items (named as in `failItems`) have responses. */
  expire (id: string, options?: { readonly answered?: readonly string[] }): void
  fail (id: string, message: string): void
}

export interface GeminiBatchStubOptions {
  /** Models `batchGenerateContent` accepts; any other is 404, as an unknown model is. */
  readonly models: readonly string[]
  readonly authorized: (request: RecordedRequest) => boolean
  /** A batch succeeds at its first `get` after creation, every request answered by default (for large tests). */
  readonly autoSucceed?: boolean
  /** The largest request body taken; Google refuses more than 20 MiB with a 400. */
  readonly maxInlineBytes?: number
  /** The most batches one list page holds, whatever `pageSize` asks. */
  readonly maxListPageSize?: number
}

type Route = (request: RecordedRequest) => StubReply

const GOOGLE_PAYLOAD_LIMIT = 20 * 1024 * 1024
const TYPE_PREFIX = 'type.googleapis.com/google.ai.generativelanguage.v1main'
const RUNNING: ReadonlySet<string> = new Set(['BATCH_STATE_PENDING', 'BATCH_STATE_RUNNING'])

interface MutableBatch extends StubBatch {
  state: string
  responses?: unknown[]
  error?: { code: number, message: string }
  readonly createTime: string
  updateTime: string
  /** Whether a `get` has seen it (for `autoSucceed`). */
  seen: boolean
}

/**
 * The Batch API of the Gemini Developer API, as @google/genai 2.x calls it: `POST models/{model}:batchGenerateContent`,
 * `GET batches/{id}`, `POST batches/{id}:cancel`, `GET batches` (all under /v1beta). Batches answer with Google's
 * long-running Operation, state and output under `metadata` (where the SDK reads them), the output mirrored in
 * `response` as the live API does.
 */
export function geminiBatchRoutes (options: GeminiBatchStubOptions): { routes: Record<string, Route>, control: GeminiBatchControl } {
  const batches: MutableBatch[] = []
  const find = (id: string): MutableBatch | undefined => batches.find(batch => batch.name === (id.startsWith('batches/') ? id : `batches/${id}`))
  const mustFind = (id: string): MutableBatch => {
    const batch = find(id)
    if (batch === undefined) throw new Error(`the Gemini stub has no batch ${id}`)
    return batch
  }
  const settle = (batch: MutableBatch, state: string, responses?: unknown[]): void => {
    if (!RUNNING.has(batch.state)) throw new Error(`the Gemini stub's ${batch.name} has already ended (${batch.state})`)
    batch.state = state
    batch.responses = responses
    batch.updateTime = new Date().toISOString()
  }
  const succeed = (id: string, succeedOptions: SucceedOptions = {}): void => {
    const batch = mustFind(id)
    const responses = batch.requests.map(item => {
      const metadata = succeedOptions.withoutMetadata === true || item.metadata === undefined ? {} : { metadata: item.metadata }
      return named(item, succeedOptions.failItems)
        ? { error: { code: 3, message: succeedOptions.errorMessage?.(item) ?? 'Request contains an invalid argument.' }, ...metadata }
        : { response: geminiResponse(succeedOptions.answer?.(item) ?? 'Hello from Gemini stub'), ...metadata }
    })
    settle(batch, 'BATCH_STATE_SUCCEEDED', succeedOptions.reversed === true ? responses.reverse() : responses)
  }

  const create: Route = request => {
    const [model, method] = (request.params.target ?? '').split(':')
    if (method !== 'batchGenerateContent') return { status: 404, body: { error: { message: `stub has no route POST ${request.path}` } } }
    if (Buffer.byteLength(request.text) > (options.maxInlineBytes ?? GOOGLE_PAYLOAD_LIMIT)) {
      return geminiError(400, 'INVALID_ARGUMENT', `Request payload size exceeds the limit: ${options.maxInlineBytes ?? GOOGLE_PAYLOAD_LIMIT} bytes.`)
    }
    if (!options.authorized(request)) return BAD_KEY_REPLY
    if (model === undefined || !options.models.includes(model)) {
      return geminiError(404, 'NOT_FOUND', `models/${model ?? ''} is not found for API version v1beta, or is not supported for batchGenerateContent. Call ListModels to see the list of available models and their supported methods.`)
    }
    const malformed = malformedBatch(request.json)
    if (malformed !== undefined) return geminiError(400, 'INVALID_ARGUMENT', malformed)
    const now = new Date().toISOString()
    const batch: MutableBatch = {
      name: `batches/stub${batches.length + 1}x${Math.random().toString(36).slice(2, 8)}`,
      model: `models/${model}`,
      displayName: request.json.batch.displayName,
      requests: request.json.batch.inputConfig.requests.requests,
      state: 'BATCH_STATE_PENDING',
      createTime: now,
      updateTime: now,
      seen: false
    }
    batches.push(batch)
    return { body: operation(batch) }
  }

  const routes: Record<string, Route> = {
    'POST /v1beta/models/:target': create,
    'GET /v1beta/batches/:id': request => {
      if (!options.authorized(request)) return BAD_KEY_REPLY
      const batch = find(request.params.id ?? '')
      if (batch === undefined) return geminiError(404, 'NOT_FOUND', 'Requested entity was not found.')
      if (options.autoSucceed === true && !batch.seen && RUNNING.has(batch.state)) succeed(batch.name)
      batch.seen = true
      return googleJson(operation(batch))
    },
    'POST /v1beta/batches/:target': request => {
      const [id, method] = (request.params.target ?? '').split(':')
      if (method !== 'cancel') return { status: 404, body: { error: { message: `stub has no route POST ${request.path}` } } }
      if (!options.authorized(request)) return BAD_KEY_REPLY
      const batch = find(id ?? '')
      if (batch === undefined) return geminiError(404, 'NOT_FOUND', 'Requested entity was not found.')
      if (!RUNNING.has(batch.state)) return geminiError(400, 'FAILED_PRECONDITION', `Batch ${batch.name} has already finished and cannot be cancelled.`)
      settle(batch, 'BATCH_STATE_CANCELLED')
      return { body: {} }
    },
    'GET /v1beta/batches': request => {
      if (!options.authorized(request)) return BAD_KEY_REPLY
      const start = Number(request.query.get('pageToken') ?? '0')
      if (!Number.isInteger(start) || start < 0 || start > batches.length) return geminiError(400, 'INVALID_ARGUMENT', 'Invalid page token.')
      const size = Math.min(Number(request.query.get('pageSize') ?? '10') || 10, options.maxListPageSize ?? 100)
      const newestFirst = [...batches].reverse()
      const next = start + size
      return { body: { operations: newestFirst.slice(start, next).map(operation), ...(next < batches.length ? { nextPageToken: String(next) } : {}) } }
    }
  }

  const control: GeminiBatchControl = {
    list: () => [...batches],
    get: mustFind,
    submissions: displayName => batches.filter(batch => displayName === undefined || batch.displayName === displayName).length,
    succeed,
    expire (id, expireOptions = {}) {
      const batch = mustFind(id)
      const answered = batch.requests.filter(item => named(item, expireOptions.answered))
      const responses = answered.map(item => ({ response: geminiResponse('Hello from Gemini stub'), ...(item.metadata === undefined ? {} : { metadata: item.metadata }) }))
      settle(batch, 'BATCH_STATE_EXPIRED', responses.length === 0 ? undefined : responses)
    },
    fail (id, message) {
      const batch = mustFind(id)
      settle(batch, 'BATCH_STATE_FAILED')
      batch.error = { code: 13, message }
    }
  }
  return { routes, control }
}

function named (item: StubBatchRequest, names: readonly string[] | undefined): boolean {
  return names !== undefined && Object.values(item.metadata ?? {}).some(value => names.includes(value))
}

/** Google's Operation for a batch. */
function operation (batch: MutableBatch): Record<string, unknown> {
  const done = !RUNNING.has(batch.state)
  const output = batch.responses === undefined ? undefined : { inlinedResponses: { inlinedResponses: batch.responses } }
  const failed = batch.responses?.filter(response => (response as { error?: unknown }).error !== undefined).length ?? 0
  const answered = batch.responses?.length ?? 0
  return {
    name: batch.name,
    metadata: {
      '@type': `${TYPE_PREFIX}.GenerateContentBatch`,
      model: batch.model,
      displayName: batch.displayName,
      createTime: batch.createTime,
      updateTime: batch.updateTime,
      ...(done ? { endTime: batch.updateTime } : {}),
      batchStats: {
        requestCount: String(batch.requests.length),
        ...(done ? { successfulRequestCount: String(answered - failed), failedRequestCount: String(failed) } : { pendingRequestCount: String(batch.requests.length) })
      },
      state: batch.state,
      name: batch.name,
      ...(output === undefined ? {} : { output })
    },
    ...(done ? { done: true } : {}),
    ...(output === undefined ? {} : { response: { '@type': `${TYPE_PREFIX}.GenerateContentBatchOutput`, ...output } }),
    ...(batch.error === undefined ? {} : { error: batch.error })
  }
}

/** What Google refuses in a `batchGenerateContent` body, in its words where known; undefined for a well-formed one. */
function malformedBatch (body: any): string | undefined {
  const batch = body?.batch
  if (typeof batch !== 'object' || batch === null) return 'Invalid JSON payload received. Missing required field "batch".'
  if (typeof batch.displayName !== 'string' || batch.displayName === '') return 'batch.display_name is required.'
  const requests = batch.inputConfig?.requests?.requests
  if (!Array.isArray(requests) || requests.length === 0) return 'batch.input_config must hold inline requests or a file name.'
  for (const [index, item] of requests.entries()) {
    const contents = item?.request?.contents
    if (!Array.isArray(contents) || contents.length === 0 || !contents.every((content: any) => Array.isArray(content?.parts))) {
      return `batch.input_config.requests.requests[${index}].request.contents is required.`
    }
    const metadata = item.metadata
    if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || !Object.values(metadata).every(value => typeof value === 'string'))) {
      return `Invalid value at 'batch.input_config.requests.requests[${index}].metadata': expected a map of strings.`
    }
  }
  return undefined
}
