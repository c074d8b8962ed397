import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ACTION_KEYS, findAction } from '../../actions/builtin-actions.ts'
import { AppError } from '../../../plugins/errors.ts'
import { InvokeResponseSchema, invokeBodySchema } from '../../schemas/admin/invoke.ts'
import { PortalParamsSchema } from '../../schemas/common.ts'
import { ADMIN_ERRORS, errorResponses } from '../../schemas/error-responses.ts'
import { executionJson } from './executions.ts'
import { findExecution } from '../../actions/records.ts'

/** The admin page's "Test": runs a prompt exactly as the action would, recorded as a `test` execution. */
const invoke: FastifyPluginAsyncTypebox = async fastify => {
  fastify.post('/portals/:portalId/invoke', {
    schema: {
      summary: 'Run a prompt as the action would (the admin page\'s "Test")',
      description: 'A provider failure that the action would answer FAIL_CONTINUE is a 200 with state FAIL_CONTINUE; only transient trouble is an error.',
      tags: ['admin'],
      params: PortalParamsSchema,
      body: invokeBodySchema(ACTION_KEYS),
      response: { 200: InvokeResponseSchema, ...errorResponses('INVALID_INPUT', ...ADMIN_ERRORS, 'PROVIDER_RATE_LIMITED', 'PROVIDER_UNAVAILABLE', 'STORAGE_UNAVAILABLE', 'SHUTTING_DOWN', 'INTERNAL') }
    }
  }, async request => {
    const action = findAction(request.body.action ?? 'custom-llm')
    if (action === undefined) throw new AppError('INVALID_INPUT', `No action "${request.body.action ?? ''}".`)
    const outcome = await fastify.engine.execute({
      action: action.key,
      trigger: 'test',
      portalId: request.params.portalId,
      inputFields: request.body.inputFields,
      object: { properties: request.body.properties ?? {} }
    }, { resolvePlan: action.resolvePlan, wait: 'full' })
    if (outcome.kind === 'retry') throw new AppError(outcome.code, outcome.message, { retryAfterSeconds: outcome.retryAfterSeconds })
    if (outcome.kind === 'blocked') throw new AppError('INTERNAL')
    const row = outcome.executionId === undefined ? undefined : await findExecution(fastify.repositories, request.params.portalId, outcome.executionId)
    return {
      state: outcome.state,
      outputFields: { ...outcome.outputFields },
      adjustments: [...outcome.adjustments],
      ...(outcome.executionId === undefined ? {} : { executionId: outcome.executionId }),
      ...(row === undefined ? {} : { execution: executionJson(row) })
    }
  })
}

export default invoke
