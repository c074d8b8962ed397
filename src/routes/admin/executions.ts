import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { CompletionState, ExecutionRow } from '../../../db/repositories/executions-repository.ts'
import { AppError } from '../../../plugins/errors.ts'
import { ErrorSchema, PortalParamsSchema } from '../../schemas/common.ts'

const Count = Type.Union([Type.Integer(), Type.Null()])

const ExecutionSchema = Type.Object({
  id: Type.Integer(),
  action: Type.String(),
  /** Where HubSpot's run came from: `WORKFLOWS`, `AGENTS`, `COPILOT`, `STANDALONE`, `TEST`, `OTHER`, or null. */
  source: Type.Union([Type.String(), Type.Null()]),
  callbackId: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  provider: Type.Union([Type.String(), Type.Null()]),
  model: Type.Union([Type.String(), Type.Null()]),
  errorCode: Type.Union([Type.String(), Type.Null()]),
  errorMessage: Type.Union([Type.String(), Type.Null()]),
  inputTokens: Count,
  outputTokens: Count,
  cachedInputTokens: Count,
  reasoningTokens: Count,
  finishReason: Type.Union([Type.String(), Type.Null()]),
  latencyMs: Count,
  adjustments: Type.Array(Type.String()),
  startedAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  /** `block` once HubSpot was answered BLOCK (the outcome then goes through the callback API). */
  answered: Type.Union([Type.Literal('block'), Type.Null()]),
  runs: Type.Integer(),
  fallbackReason: Type.Union([Type.String(), Type.Null()]),
  completion: Type.Union([Type.Null(), Type.Object({
    state: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
    attempts: Type.Integer(),
    error: Type.Union([Type.String(), Type.Null()]),
    completedAt: Type.Union([Type.String(), Type.Null()]),
    nextAttemptAt: Type.Union([Type.String(), Type.Null()])
  })]),
  prompt: Type.Optional(Type.String()),
  response: Type.Optional(Type.String())
})

const UsageRowSchema = Type.Object({
  provider: Type.Union([Type.String(), Type.Null()]),
  model: Type.Union([Type.String(), Type.Null()]),
  executions: Type.Integer(),
  errors: Type.Integer(),
  inputTokens: Type.Integer(),
  outputTokens: Type.Integer(),
  cachedInputTokens: Type.Integer(),
  reasoningTokens: Type.Integer()
})

const isoOrNull = (time: number | null) => time === null ? null : new Date(time).toISOString()

/** An execution as the admin API shows it: never the stored request (it holds the prompt and record data). */
export function executionJson (row: ExecutionRow) {
  return {
    id: row.id,
    action: row.action,
    source: row.source,
    callbackId: row.callbackId,
    status: row.status,
    provider: row.provider,
    model: row.model,
    errorCode: row.errorCode,
    errorMessage: row.errorMessage,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    cachedInputTokens: row.cachedInputTokens,
    reasoningTokens: row.reasoningTokens,
    finishReason: row.finishReason,
    latencyMs: row.latencyMs,
    adjustments: row.adjustments === null ? [] : JSON.parse(row.adjustments) as string[],
    startedAt: new Date(row.startedAt).toISOString(),
    finishedAt: isoOrNull(row.finishedAt),
    answered: row.answered === 'block' ? 'block' as const : null,
    runs: row.runs,
    fallbackReason: row.fallbackReason,
    completion: row.completionState === null
      ? null
      : {
          state: row.completionState as CompletionState,
          attempts: row.completionAttempts,
          error: row.completionError,
          completedAt: isoOrNull(row.completedAt),
          nextAttemptAt: row.completionState === 'pending' ? isoOrNull(row.completionDueAt) : null
        },
    ...(row.prompt === null ? {} : { prompt: row.prompt }),
    ...(row.response === null ? {} : { response: row.response })
  }
}

const DAY = 24 * 60 * 60 * 1000

function parseTime (value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  const time = Date.parse(value)
  if (Number.isNaN(time)) throw new AppError('INVALID_INPUT', `${name} must be a date or time such as 2026-11-01 or 2026-11-01T12:00:00Z, got "${value}".`)
  return time
}

/** Recent executions and usage totals (contract §4). */
const executions: FastifyPluginAsyncTypebox = async fastify => {
  fastify.get('/portals/:portalId/executions', {
    schema: {
      params: PortalParamsSchema,
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'default 50' })), before: Type.Optional(Type.Integer({ minimum: 1 })) }),
      response: { 200: Type.Object({ items: Type.Array(ExecutionSchema), next: Type.Union([Type.Integer(), Type.Null()]) }), 400: ErrorSchema, 401: ErrorSchema }
    }
  }, async request => {
    const limit = request.query.limit ?? 50
    const rows = fastify.repositories.executions.recent(request.params.portalId, limit, request.query.before)
    return { items: rows.map(executionJson), next: rows.length === limit ? rows.at(-1)?.id ?? null : null }
  })

  fastify.post('/portals/:portalId/executions/:id/redeliver', {
    schema: {
      params: Type.Object({ portalId: PortalParamsSchema.properties.portalId, id: Type.Integer({ minimum: 1 }) }),
      response: { 200: ExecutionSchema, 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema }
    }
  }, async request => {
    const row = await fastify.engine.redeliver(request.params.portalId, request.params.id)
    request.log.info({ portalId: request.params.portalId, executionId: row.id, completion: row.completionState }, 'completion resent by an operator')
    return executionJson(row)
  })

  fastify.get('/portals/:portalId/usage', {
    schema: {
      params: PortalParamsSchema,
      querystring: Type.Object({ from: Type.Optional(Type.String()), to: Type.Optional(Type.String()) }),
      response: {
        200: Type.Object({ from: Type.String(), to: Type.String(), items: Type.Array(UsageRowSchema), totals: Type.Omit(UsageRowSchema, ['provider', 'model']) }),
        400: ErrorSchema,
        401: ErrorSchema
      }
    }
  }, async request => {
    const now = fastify.clock()
    const to = parseTime(request.query.to, 'to', now)
    const from = parseTime(request.query.from, 'from', to - 30 * DAY)
    if (from >= to) throw new AppError('INVALID_INPUT', '"from" must be before "to".')
    const items = fastify.repositories.executions.usage(request.params.portalId, from, to).map(row => ({
      ...row,
      executions: Number(row.executions),
      errors: Number(row.errors),
      inputTokens: Number(row.inputTokens),
      outputTokens: Number(row.outputTokens),
      cachedInputTokens: Number(row.cachedInputTokens),
      reasoningTokens: Number(row.reasoningTokens)
    }))
    const sum = (key: 'executions' | 'errors' | 'inputTokens' | 'outputTokens' | 'cachedInputTokens' | 'reasoningTokens') => items.reduce((total, row) => total + row[key], 0)
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      items,
      totals: { executions: sum('executions'), errors: sum('errors'), inputTokens: sum('inputTokens'), outputTokens: sum('outputTokens'), cachedInputTokens: sum('cachedInputTokens'), reasoningTokens: sum('reasoningTokens') }
    }
  })
}

export default executions
