import type OpenAI from 'openai'
import type { RecordedRequest, StubHandler, StubReply, StubServer } from '../helpers/stub-server.ts'
import { openAIError, openAIResponse } from './openai-shapes.ts'

type Batch = OpenAI.Batches.Batch
type BatchError = OpenAI.Batches.BatchError

/** One line of a batch's input file, as the stub parsed it. */
export interface BatchInputLine {
  readonly custom_id: string
  readonly method: string
  readonly url: string
  readonly body: Readonly<Record<string, any>>
}

/** How the API refused one request of a batch: its HTTP status and error envelope, as in an error file line. */
export interface BatchItemFailure {
  readonly status: number
  readonly error: { readonly message: string, readonly type: string, readonly param: string | null, readonly code: string | null }
}

export interface CompleteOptions {
  /** These custom_ids are refused (`failure`) into the error file instead of answered. */
  readonly failItems?: readonly string[]
  /** The refusal of a failed item; OpenAI's 400 for a context too long by default. */
  readonly failure?: BatchItemFailure
  /** Each answer's text; `Answer to <first 80 characters of the input>` by default. */
  readonly answer?: (line: BatchInputLine) => string
}

export interface PartialOptions {
  /** How many lines, from the first, were answered before the batch stopped; the rest are in the error file. */
  readonly completed?: number
  readonly answer?: (line: BatchInputLine) => string
}

/**
 * The test's hands on the stub's batches: nothing moves with real time. A created batch is `validating`; its first
 * retrieve finds it `failed` (a bad input file), `completed` (with `autoComplete`) or `in_progress`, and it stays
 * there until the test moves it.
 */
export interface OpenAIBatchControl {
  /** Every batch, oldest first, as GET /v1/batches/:id shows it. */
  list (): Batch[]
  get (batchId: string): Batch | undefined
  /** The valid lines of a batch's input file, in order. */
  input (batchId: string): BatchInputLine[]
  /** How many batches POST /v1/batches created. */
  submissions (): number
  complete (batchId: string, options?: CompleteOptions): void
  /** The window passed: the first `completed` lines were answered, the rest end as `batch_expired` errors. */
  expire (batchId: string, options?: PartialOptions): void
  /** The batch failed as a whole (a quota, an outage), with no files. */
  fail (batchId: string, reason: string, code?: string): void
  /** A `cancelling` batch becomes `cancelled`: the first `completed` lines were answered, the rest not run. */
  finishCancelling (batchId: string, options?: PartialOptions): void
  /** The next POST /v1/batches creates its batch, then drops the connection instead of answering. */
  loseNextCreateAnswer (): void
}

export interface OpenAIBatchStubOptions {
  /** A batch with a valid file is `completed` on its first retrieve, every line answered. */
  readonly autoComplete?: boolean
}

/** `BatchCreateParams.endpoint` in openai-node 6.49.0. */
const ENDPOINTS = ['/v1/responses', '/v1/chat/completions', '/v1/embeddings', '/v1/completions', '/v1/moderations', '/v1/images/generations', '/v1/images/edits', '/v1/videos']
const MAX_LINES = 50_000
const DAY = 24 * 60 * 60
/** [UNCONFIRMED] OpenAI's text; the shape (`response.status_code` with the error envelope as body) is observed. */
const CONTEXT_TOO_LONG: BatchItemFailure = {
  status: 400,
  error: { message: "This model's maximum context length is 128000 tokens. Please reduce the length of the input.", type: 'invalid_request_error', param: 'input', code: 'context_length_exceeded' }
}

interface StoredFile {
  readonly object: OpenAI.Files.FileObject
  readonly content: string
}

interface StoredBatch {
  readonly batch: Batch
  readonly lines: BatchInputLine[]
  readonly problems: BatchError[]
  retrieved: boolean
}

type Outcome =
  | { readonly kind: 'answer', readonly text: string }
  | { readonly kind: 'refused', readonly failure: BatchItemFailure }
  | { readonly kind: 'not-run', readonly code: string, readonly message: string }

/**
 * OpenAI's Files and Batches endpoints on a stub server, each route behind `guarded` (the good key). As OpenAI does,
 * an upload is refused only for its form (purpose, a name without .jsonl) and a malformed file is accepted
 * (observed in BerriAI/litellm#37527); its lines are checked once the batch exists, and a bad file makes the batch
 * `failed` with one `errors.data` entry per problem, named by line (stdapi-ai/stdapi.ai#240).
 */
export function addOpenAIBatchRoutes (server: StubServer, guarded: (handler: StubHandler) => StubHandler, options: OpenAIBatchStubOptions = {}): OpenAIBatchControl {
  const files = new Map<string, StoredFile>()
  const batches = new Map<string, StoredBatch>()
  const counters = { file: 0, batch: 0, line: 0, submissions: 0 }
  let loseNextAnswer = false

  const storeFile = (filename: string, purpose: OpenAI.Files.FileObject['purpose'], content: string): string => {
    const id = `file-stub${++counters.file}`
    const createdAt = now()
    files.set(id, { object: { id, object: 'file', bytes: Buffer.byteLength(content), created_at: createdAt, filename, purpose, status: 'processed', expires_at: createdAt + 30 * DAY, status_details: undefined }, content })
    return id
  }

  const stored = (batchId: string): StoredBatch => {
    const found = batches.get(batchId)
    if (found === undefined) throw new Error(`the stub has no batch ${batchId}`)
    return found
  }

  /** Writes the output and error files of a batch that stopped, and its final status. */
  const finish = (entry: StoredBatch, status: 'completed' | 'expired' | 'cancelled', decide: (line: BatchInputLine, index: number) => Outcome): void => {
    const output: string[] = []
    const errors: string[] = []
    entry.lines.forEach((line, index) => {
      const outcome = decide(line, index)
      const id = ++counters.line
      const record = outcome.kind === 'answer'
        ? { id: `batch_req_${id}`, custom_id: line.custom_id, response: { status_code: 200, request_id: `req_${id}`, body: openAIResponse(outcome.text, { model: line.body.model }) }, error: null }
        : outcome.kind === 'refused'
          ? { id: `batch_req_${id}`, custom_id: line.custom_id, response: { status_code: outcome.failure.status, request_id: `req_${id}`, body: { error: outcome.failure.error } }, error: null }
          : { id: `batch_req_${id}`, custom_id: line.custom_id, response: null, error: { code: outcome.code, message: outcome.message } }
      ;(outcome.kind === 'answer' ? output : errors).push(JSON.stringify(record))
    })
    const at = now()
    Object.assign(entry.batch, {
      status,
      in_progress_at: entry.batch.in_progress_at ?? at,
      finalizing_at: at,
      [`${status}_at`]: at,
      // OpenAI leaves a file id null when that file would be empty.
      output_file_id: output.length === 0 ? null : storeFile('batch_output.jsonl', 'batch_output', `${output.join('\n')}\n`),
      error_file_id: errors.length === 0 ? null : storeFile('batch_errors.jsonl', 'batch_output', `${errors.join('\n')}\n`),
      request_counts: { total: entry.lines.length, completed: output.length, failed: errors.length }
    })
  }

  const answered = (answer: ((line: BatchInputLine) => string) | undefined) => (line: BatchInputLine): Outcome =>
    ({ kind: 'answer', text: answer?.(line) ?? `Answer to ${String(line.body.input).slice(0, 80)}` })

  const stopped = (entry: StoredBatch, status: 'expired' | 'cancelled', partial: PartialOptions, notRun: { code: string, message: string }): void => {
    const answer = answered(partial.answer)
    finish(entry, status, (line, index) => index < (partial.completed ?? 0) ? answer(line) : { kind: 'not-run', ...notRun })
  }

  server.on('POST /v1/files', guarded(async request => {
    let form: FormData
    try {
      form = await new Response(request.text, { headers: { 'content-type': String(request.headers['content-type'] ?? '') } }).formData()
    } catch {
      return openAIError(400, 'The request body must be multipart/form-data.')
    }
    const file = form.get('file')
    const purpose = form.get('purpose')
    if (file === null || typeof file === 'string') return openAIError(400, "'file' is a required property", null, 'file')
    if (purpose !== 'batch') return openAIError(400, `Invalid value for 'purpose': '${String(purpose)}'. The stub takes 'batch' only.`, null, 'purpose')
    // Observed from OpenAI (BerriAI/litellm#37527).
    if (!file.name.endsWith('.jsonl')) return openAIError(400, 'Invalid file format for Batch API. Must be .jsonl')
    const id = storeFile(file.name, 'batch', await file.text())
    return { body: files.get(id)?.object }
  }))

  server.on('POST /v1/batches', guarded(request => {
    const body = (request.json ?? {}) as Record<string, unknown>
    if (typeof body.endpoint !== 'string' || !ENDPOINTS.includes(body.endpoint)) {
      return openAIError(400, `Invalid value: '${String(body.endpoint)}'. Supported values are: ${ENDPOINTS.map(endpoint => `'${endpoint}'`).join(', ')}.`, 'invalid_value', 'endpoint')
    }
    if (body.completion_window !== '24h') {
      return openAIError(400, `Invalid value: '${String(body.completion_window)}'. Supported values are: '24h'.`, 'invalid_value', 'completion_window')
    }
    const metadataProblem = checkMetadata(body.metadata)
    if (metadataProblem !== undefined) return openAIError(400, metadataProblem, 'invalid_value', 'metadata')
    const file = typeof body.input_file_id === 'string' ? files.get(body.input_file_id) : undefined
    if (file === undefined || file.object.purpose !== 'batch') return openAIError(404, `No such File object: ${String(body.input_file_id)}`, null, 'input_file_id')
    const id = `batch_stub${++counters.batch}`
    const createdAt = now()
    const { lines, problems } = checkInput(file.content, body.endpoint)
    const batch = {
      id, object: 'batch', endpoint: body.endpoint, model: lines[0]?.body.model, errors: null, input_file_id: file.object.id, completion_window: '24h',
      status: 'validating', output_file_id: null, error_file_id: null, created_at: createdAt, in_progress_at: null, expires_at: createdAt + DAY,
      finalizing_at: null, completed_at: null, failed_at: null, expired_at: null, cancelling_at: null, cancelled_at: null,
      request_counts: { total: 0, completed: 0, failed: 0 }, metadata: body.metadata ?? null
    } as unknown as Batch
    batches.set(id, { batch, lines, problems, retrieved: false })
    counters.submissions++
    if (loseNextAnswer) {
      loseNextAnswer = false
      return { destroy: true }
    }
    return { body: batch }
  }))

  server.on('GET /v1/batches', guarded(request => {
    const all = [...batches.values()].map(entry => entry.batch).reverse()
    const limit = Math.min(100, Math.max(1, Number(request.query.get('limit') ?? 20) || 20))
    const after = request.query.get('after')
    const start = after === null ? 0 : all.findIndex(batch => batch.id === after) + 1
    const data = all.slice(start, start + limit)
    return { body: { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: start + limit < all.length } }
  }))

  server.on('GET /v1/batches/:batchId', guarded(request => {
    const entry = batches.get(request.params.batchId ?? '')
    if (entry === undefined) return unknownBatch(request)
    if (!entry.retrieved && entry.batch.status === 'validating') {
      if (entry.problems.length > 0) {
        Object.assign(entry.batch, { status: 'failed', failed_at: now(), errors: { object: 'list', data: entry.problems } })
      } else if (options.autoComplete === true) {
        finish(entry, 'completed', answered(undefined))
      } else {
        Object.assign(entry.batch, { status: 'in_progress', in_progress_at: now(), request_counts: { total: entry.lines.length, completed: 0, failed: 0 } })
      }
    }
    entry.retrieved = true
    return { body: entry.batch }
  }))

  server.on('POST /v1/batches/:batchId/cancel', guarded(request => {
    const entry = batches.get(request.params.batchId ?? '')
    if (entry === undefined) return unknownBatch(request)
    // [UNCONFIRMED] OpenAI's status and text for a batch that can no longer be cancelled.
    if (!['validating', 'in_progress', 'finalizing'].includes(entry.batch.status)) {
      return openAIError(400, `Cannot cancel a batch with status '${entry.batch.status}'.`)
    }
    Object.assign(entry.batch, { status: 'cancelling', cancelling_at: now() })
    return { body: entry.batch }
  }))

  server.on('GET /v1/files/:fileId/content', guarded(request => {
    const file = files.get(request.params.fileId ?? '')
    if (file === undefined) return openAIError(404, `No such File object: ${request.params.fileId ?? ''}`, null, 'id')
    return { body: file.content, headers: { 'content-type': 'application/octet-stream' } }
  }))

  return {
    list: () => [...batches.values()].map(entry => entry.batch),
    get: batchId => batches.get(batchId)?.batch,
    input: batchId => [...stored(batchId).lines],
    submissions: () => counters.submissions,
    complete (batchId, complete = {}) {
      const failItems = new Set(complete.failItems ?? [])
      const answer = answered(complete.answer)
      finish(stored(batchId), 'completed', line => failItems.has(line.custom_id) ? { kind: 'refused', failure: complete.failure ?? CONTEXT_TOO_LONG } : answer(line))
    },
    // [UNCONFIRMED] the codes and texts of the lines OpenAI writes for requests an expired or cancelled batch never ran.
    expire: (batchId, partial = {}) => stopped(stored(batchId), 'expired', partial, { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' }),
    finishCancelling: (batchId, partial = {}) => stopped(stored(batchId), 'cancelled', partial, { code: 'batch_cancelled', message: 'This request was cancelled before it ran.' }),
    fail (batchId, reason, code = 'batch_failed') {
      Object.assign(stored(batchId).batch, { status: 'failed', failed_at: now(), errors: { object: 'list', data: [{ code, message: reason, param: null, line: null }] } })
    },
    loseNextCreateAnswer () { loseNextAnswer = true }
  }
}

/**
 * The lines of an input file, and what OpenAI's validation would refuse in it, each with its line number. The codes
 * are those a third party lists as documented (stdapi-ai/stdapi.ai#240), the first message is as observed there;
 * [UNCONFIRMED] the other messages.
 */
function checkInput (content: string, endpoint: string): { lines: BatchInputLine[], problems: BatchError[] } {
  const texts = content.endsWith('\n') ? content.slice(0, -1).split('\n') : content.split('\n')
  if (content.trim() === '') return { lines: [], problems: [{ code: 'empty_file', message: 'The batch input file is empty.', param: null, line: null }] }
  if (texts.length > MAX_LINES) {
    return { lines: [], problems: [{ code: 'too_many_tasks', message: `The batch input file has ${texts.length} requests; the limit is ${MAX_LINES}.`, param: null, line: null }] }
  }
  const lines: BatchInputLine[] = []
  const problems: BatchError[] = []
  const customIds = new Set<string>()
  let model: unknown
  texts.forEach((text, index) => {
    const line = index + 1
    let parsed: Partial<BatchInputLine>
    try {
      parsed = JSON.parse(text) as Partial<BatchInputLine>
    } catch {
      problems.push({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', param: null, line })
      return
    }
    const missing = (['custom_id', 'method', 'url', 'body'] as const).find(name => parsed?.[name] === undefined || parsed[name] === null)
    if (missing !== undefined) {
      problems.push({ code: 'missing_required_parameter', message: `Missing required parameter: '${missing}'.`, param: missing, line })
      return
    }
    const valid = parsed as BatchInputLine
    model ??= valid.body.model
    if (valid.url !== endpoint) problems.push({ code: 'url_mismatch', message: `The url '${valid.url}' does not match the batch endpoint '${endpoint}'.`, param: 'url', line })
    else if (customIds.has(valid.custom_id)) problems.push({ code: 'duplicate_custom_id', message: `The custom_id '${valid.custom_id}' is already used by another request.`, param: 'custom_id', line })
    else if (valid.body.model !== model) problems.push({ code: 'model_mismatch', message: `Every request of a batch must use the same model: '${String(valid.body.model)}' differs from '${String(model)}'.`, param: 'body.model', line })
    else lines.push(valid)
    customIds.add(valid.custom_id)
  })
  return { lines, problems }
}

/** Keys and values as `Shared.Metadata` in openai-node describes them: 16 pairs, 64-character keys, 512-character values. */
function checkMetadata (metadata: unknown): string | undefined {
  if (metadata === undefined || metadata === null) return undefined
  if (typeof metadata !== 'object') return 'metadata must be an object of strings.'
  const entries = Object.entries(metadata)
  if (entries.length > 16) return 'metadata takes at most 16 keys.'
  const bad = entries.find(([key, value]) => key.length > 64 || typeof value !== 'string' || value.length > 512)
  return bad === undefined ? undefined : `Invalid metadata '${bad[0].slice(0, 64)}': keys take at most 64 characters, values are strings of at most 512.`
}

function unknownBatch (request: RecordedRequest): StubReply {
  return openAIError(404, `No batch found with id '${request.params.batchId ?? ''}'.`, null, 'batch_id')
}

function now (): number {
  return Math.floor(Date.now() / 1000)
}
