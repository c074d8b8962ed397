import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ACTION_KEYS, findAction } from '../../actions/builtin-actions.ts'
import { AppError } from '../../../plugins/errors.ts'
import { ErrorSchema, PortalParamsSchema } from '../../schemas/common.ts'

const InvokeBodySchema = Type.Object({
  action: Type.Optional(Type.Union(ACTION_KEYS.map(key => Type.Literal(key)), { description: 'default custom-llm' })),
  /** The action's input fields, exactly as a workflow would fill them in. */
  inputFields: Type.Record(Type.String(), Type.String({ maxLength: 200_000 })),
  /** Stand-in record properties for `{{propertyName}}` placeholders. */
  properties: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 100_000 })))
}, { additionalProperties: false })

const InvokeResponseSchema = Type.Object({
  state: Type.Union([Type.Literal('SUCCESS'), Type.Literal('FAIL_CONTINUE')]),
  outputFields: Type.Record(Type.String(), Type.String()),
  /** Every setting the model could not honour as asked. */
  adjustments: Type.Array(Type.String()),
  executionId: Type.Optional(Type.Integer())
})

/** The admin page's "Test": runs a prompt exactly as the action would, recorded as a `test` execution. */
const invoke: FastifyPluginAsyncTypebox = async fastify => {
  fastify.post('/portals/:portalId/invoke', {
    schema: { params: PortalParamsSchema, body: InvokeBodySchema, response: { 200: InvokeResponseSchema, 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema, 503: ErrorSchema } }
  }, async request => {
    const action = findAction(request.body.action ?? 'custom-llm')
    if (action === undefined) throw new AppError('INVALID_INPUT', `No action "${request.body.action ?? ''}".`)
    const outcome = await fastify.engine.execute({
      action: 'test',
      portalId: request.params.portalId,
      inputFields: request.body.inputFields,
      object: { properties: request.body.properties ?? {} }
    }, { resolvePlan: action.resolvePlan, wait: 'full' })
    if (outcome.kind === 'retry') throw new AppError(outcome.code, outcome.message, { retryAfterSeconds: outcome.retryAfterSeconds })
    if (outcome.kind === 'blocked') throw new AppError('INTERNAL')
    return {
      state: outcome.state,
      outputFields: { ...outcome.outputFields },
      adjustments: [...outcome.adjustments],
      ...(outcome.executionId === undefined ? {} : { executionId: outcome.executionId })
    }
  })
}

export default invoke
