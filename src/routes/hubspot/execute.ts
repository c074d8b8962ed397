import rateLimit from '@fastify/rate-limit'
import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { BUILTIN_ACTIONS } from '../../actions/builtin-actions.ts'
import type { ExecutionOutcome } from '../../actions/engine/types.ts'
import { errorBody } from '../../error-handler.ts'
import { AppError } from '../../../plugins/errors.ts'
import { sharedRateLimitOptions } from '../../../plugins/rate-limit-store.ts'
import { ExecutionBodySchema, executionSource, OutputFieldsResponseSchema } from '../../schemas/hubspot.ts'
import { errorResponses } from '../../schemas/error-responses.ts'

/**
 * The execution routes (contract §3.5), one per built-in action: SUCCESS / FAIL_CONTINUE as 200, BLOCK as 200 when
 * the answer is not ready within SYNC_BUDGET_MS (finished later through HubSpot's callback API), transient trouble
 * as 429/503 with Retry-After. The engine does the work; this only translates.
 */
const execute: FastifyPluginAsyncTypebox = async fastify => {
  // RATE_LIMIT_PER_PORTAL: registered in this plugin's own context for every route in it, so a portal has one count
  // whichever action it runs (a route's own `config.rateLimit` would count apart) and, on PostgreSQL, one count
  // among all instances (the database store).
  await fastify.register(rateLimit, {
    global: true,
    max: fastify.config.rateLimitPerPortal,
    timeWindow: 60_000,
    hook: 'preHandler',
    keyGenerator: request => `hubspot-executions:portal:${String((request.body as { origin?: { portalId?: number } } | undefined)?.origin?.portalId)}`,
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', `This portal sent more than ${context.max} executions in a minute; HubSpot will retry.`, { retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)) }),
    ...sharedRateLimitOptions(fastify)
  })

  for (const action of BUILTIN_ACTIONS) {
    fastify.post(`/actions/${action.key}`, {
      schema: {
        summary: `Run the ${action.key} workflow action`,
        description: 'SUCCESS and FAIL_CONTINUE are 200 with `hs_execution_state`; so is BLOCK when the answer is not ready in time (it is finished later through HubSpot\'s callback API). Transient trouble is 429 or 503 with Retry-After, which HubSpot retries.',
        tags: ['hubspot'],
        body: ExecutionBodySchema,
        response: {
          200: OutputFieldsResponseSchema,
          ...errorResponses('HUBSPOT_NOT_CONFIGURED', 'INVALID_SIGNATURE', 'INVALID_INPUT', 'RATE_LIMITED', 'PROVIDER_RATE_LIMITED', 'PROVIDER_UNAVAILABLE', 'STORAGE_UNAVAILABLE', 'SHUTTING_DOWN')
        }
      }
    }, async (request, reply) => {
      const body = request.body
      const source = executionSource(body)
      const outcome = await fastify.engine.execute({
        action: action.key,
        trigger: 'workflow',
        portalId: body.origin.portalId,
        callbackId: body.callbackId,
        ...(source === undefined ? {} : { source }),
        inputFields: body.inputFields,
        ...(body.object === undefined ? {} : { object: body.object })
      }, { resolvePlan: action.resolvePlan, wait: 'budget' })
      request.logLine = { message: 'execution answered', details: { portalId: body.origin.portalId, callbackId: body.callbackId, action: action.key, source, outcome: describe(outcome), ...summaryDetails(outcome) } }
      return send(reply, outcome)
    })
  }
}

/** The numbers of a finished execution for its log line; a retry names its code. */
function summaryDetails (outcome: ExecutionOutcome): Readonly<Record<string, unknown>> {
  if (outcome.kind === 'retry') return { errorCode: outcome.code }
  return outcome.kind === 'finished' && outcome.summary !== undefined ? { ...outcome.summary } : {}
}

function describe (outcome: ExecutionOutcome): string {
  return outcome.kind === 'finished' ? outcome.state : outcome.kind === 'blocked' ? 'BLOCK' : outcome.code
}

function send (reply: FastifyReply, outcome: ExecutionOutcome): FastifyReply {
  if (outcome.kind === 'finished') return reply.code(200).send({ outputFields: outcome.outputFields })
  if (outcome.kind === 'blocked') {
    return reply.code(200).send({ outputFields: { hs_execution_state: 'BLOCK', hs_expiration_duration: outcome.expirationDuration } })
  }
  return reply.code(outcome.statusCode).header('retry-after', String(outcome.retryAfterSeconds))
    .send(errorBody(outcome.code, outcome.message, outcome.statusCode))
}

export default execute
