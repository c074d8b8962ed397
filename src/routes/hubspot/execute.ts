import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { executeAction, type ExecutionOutcome, type PlanResolver } from '../../actions/execute-action.ts'
import { resolveCustomLlm } from '../../actions/custom-llm.ts'
import { resolveOpenAIAssistant } from '../../actions/openai-assistant.ts'
import { errorBody } from '../../error-handler.ts'
import { AppError } from '../../../plugins/errors.ts'
import { ErrorSchema } from '../../schemas/common.ts'
import { ExecutionBodySchema, OutputFieldsResponseSchema } from '../../schemas/hubspot.ts'
import { actionContext } from '../action-context.ts'
import { limitInFlight } from './in-flight-limit.ts'

const ACTIONS: ReadonlyArray<{ key: 'custom-llm' | 'openai-assistant', resolvePlan: PlanResolver }> = [
  { key: 'custom-llm', resolvePlan: resolveCustomLlm },
  { key: 'openai-assistant', resolvePlan: resolveOpenAIAssistant }
]

/** The execution routes (contract §3.5): SUCCESS / FAIL_CONTINUE as 200, transient trouble as 429/503 with Retry-After. */
const execute: FastifyPluginAsyncTypebox = async fastify => {
  limitInFlight(fastify, fastify.config.maxInFlight)
  const rateLimit = {
    max: fastify.config.rateLimitPerPortal,
    timeWindow: 60_000,
    hook: 'preHandler' as const,
    groupId: 'hubspot-executions',
    keyGenerator: (request: { body?: unknown }) => `portal:${String((request.body as { origin?: { portalId?: number } } | undefined)?.origin?.portalId)}`,
    errorResponseBuilder: (_request: unknown, context: { ttl: number, max: number }) =>
      new AppError('RATE_LIMITED', `This portal sent more than ${context.max} executions in a minute; HubSpot will retry.`, { retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)) })
  }

  for (const action of ACTIONS) {
    fastify.post(`/actions/${action.key}`, {
      config: { rateLimit },
      schema: { body: ExecutionBodySchema, response: { 200: OutputFieldsResponseSchema, 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema } }
    }, async (request, reply) => {
      const body = request.body
      const outcome = await executeAction(actionContext(fastify, request.log), {
        action: action.key,
        portalId: body.origin.portalId,
        callbackId: body.callbackId,
        inputFields: body.inputFields,
        ...(body.object === undefined ? {} : { object: body.object })
      }, { resolvePlan: action.resolvePlan, readRecordProperties: fastify.hubspotOAuth.readRecordProperties })
      request.log.info({ portalId: body.origin.portalId, callbackId: body.callbackId, action: action.key, outcome: outcome.kind === 'finished' ? outcome.state : outcome.code }, 'execution answered')
      return send(reply, outcome)
    })
  }
}

function send (reply: FastifyReply, outcome: ExecutionOutcome): FastifyReply {
  if (outcome.kind === 'finished') return reply.code(200).send({ outputFields: outcome.outputFields })
  return reply.code(outcome.statusCode).header('retry-after', String(outcome.retryAfterSeconds))
    .send(errorBody(outcome.code, outcome.message, outcome.statusCode))
}

export default execute
