import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { EconomyState } from '../../../db/repositories/economy-repository.ts'
import { EXECUTION_STATUSES, type CompletionState, type ExecutionRow } from '../../../db/repositories/executions-repository.ts'
import { ECONOMY_STATES, ExecutionPageSchema, ExecutionSchema, type Execution } from '../../schemas/admin/executions.ts'
import { PortalParamsSchema } from '../../schemas/common.ts'
import { ADMIN_ERRORS, errorResponses } from '../../schemas/error-responses.ts'
import { recentExecutions } from '../../actions/records.ts'

const isoOrNull = (time: number | null) => time === null ? null : new Date(time).toISOString()
// Stored text: a state the API does not list (none today; `satisfies` keeps the list within the store's) reads as null.
const ECONOMY_STATE_SET: ReadonlySet<string> = new Set<EconomyState>(ECONOMY_STATES satisfies readonly EconomyState[])

/** An execution as the admin API shows it: never the stored request (it holds the prompt and record data). */
export function executionJson (row: ExecutionRow): Execution {
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
    costUsd: row.costUnknown === 1 ? null : row.costUsd,
    finishReason: row.finishReason,
    latencyMs: row.latencyMs,
    adjustments: row.adjustments === null ? [] : JSON.parse(row.adjustments) as string[],
    startedAt: new Date(row.startedAt).toISOString(),
    finishedAt: isoOrNull(row.finishedAt),
    answered: row.answered === 'block' ? 'block' : null,
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
    processing: row.processing === 'economy' ? 'economy' : null,
    economyState: row.economyState !== null && ECONOMY_STATE_SET.has(row.economyState) ? row.economyState as EconomyState : null,
    economyNote: row.economyNote,
    savedUsd: row.savedUsd,
    ...(row.prompt === null ? {} : { prompt: row.prompt }),
    ...(row.response === null ? {} : { response: row.response })
  }
}

/** Recent executions (contract §4); usage reports are in usage.ts. */
const executions: FastifyPluginAsyncTypebox = async fastify => {

  fastify.get('/portals/:portalId/executions', {
    schema: {
      summary: 'List the portal\'s recent executions, newest first',
      tags: ['admin'],
      params: PortalParamsSchema,
      querystring: Type.Object({
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'default 50' })),
        before: Type.Optional(Type.Integer({ minimum: 1 })),
        status: Type.Optional(Type.Union(EXECUTION_STATUSES.map(status => Type.Literal(status)), { description: 'only executions with this status' }))
      }),
      response: {
        200: ExecutionPageSchema,
        ...errorResponses('INVALID_INPUT', ...ADMIN_ERRORS)
      }
    }
  }, async request => {
    const limit = request.query.limit ?? 50
    const rows = await recentExecutions(fastify.repositories, request.params.portalId, limit, request.query.before, request.query.status)
    return { items: rows.map(executionJson), next: rows.length === limit ? rows.at(-1)?.id ?? null : null }
  })

  fastify.post('/portals/:portalId/executions/:id/redeliver', {
    schema: {
      summary: 'Send a finished execution\'s outcome to HubSpot\'s callback API again',
      tags: ['admin'],
      params: Type.Object({ portalId: PortalParamsSchema.properties.portalId, id: Type.Integer({ minimum: 1 }) }),
      response: { 200: ExecutionSchema, ...errorResponses('INVALID_INPUT', ...ADMIN_ERRORS, 'NOT_FOUND', 'NOT_REDELIVERABLE', 'HUBSPOT_API_ERROR', 'STORAGE_UNAVAILABLE') }
    }
  }, async request => {
    const { portalId, id } = request.params
    const row = await fastify.engine.redeliver(portalId, id, { actor: request.adminActor })
    request.log.info({ portalId: request.params.portalId, executionId: row.id, completion: row.completionState }, 'completion resent by an operator')
    return executionJson(row)
  })
}

export default executions
