import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { BUILTIN_ACTIONS } from '../../actions/builtin-actions.ts'
import { fieldOptions } from '../../actions/field-options.ts'
import { actionContext } from '../action-context.ts'
import { errorResponses } from '../../schemas/error-responses.ts'

const OptionsBodySchema = Type.Object({
  origin: Type.Object({ portalId: Type.Integer({ minimum: 1 }) }),
  inputFieldName: Type.String({ minLength: 1, maxLength: 200 }),
  inputFields: Type.Optional(Type.Record(Type.String(), Type.Object({ type: Type.Optional(Type.String()), value: Type.Optional(Type.Unknown()) }))),
  fetchOptions: Type.Optional(Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })), after: Type.Optional(Type.String({ maxLength: 50 })) })),
  objectTypeId: Type.Optional(Type.String())
}, { examples: [{ origin: { portalId: 12345 }, inputFieldName: 'model', inputFields: { provider: { type: 'STATIC_VALUE', value: 'openai' } }, fetchOptions: { q: 'gpt' } }] })

const OptionsResponseSchema = Type.Object({
  options: Type.Array(Type.Object({ label: Type.String(), value: Type.String(), description: Type.Optional(Type.String()) })),
  after: Type.Optional(Type.String()),
  searchable: Type.Boolean()
}, { examples: [{ options: [{ label: 'GPT-4o mini', value: 'gpt-4o-mini' }], searchable: true }] })

/** The `optionsUrl` of every action: HubSpot asks for a dynamic field's options while a workflow is edited. */
const options: FastifyPluginAsyncTypebox = async fastify => {
  for (const action of BUILTIN_ACTIONS) {
    fastify.post(`/actions/${action.key}/options`, {
      schema: {
        summary: `Options for a dynamic input field of ${action.key}`,
        tags: ['hubspot'],
        body: OptionsBodySchema,
        response: { 200: OptionsResponseSchema, ...errorResponses('HUBSPOT_NOT_CONFIGURED', 'INVALID_SIGNATURE', 'INVALID_INPUT') }
      }
    }, async request => {
      const page = await fieldOptions(actionContext(fastify, request.log), action, {
        portalId: request.body.origin.portalId,
        fieldName: request.body.inputFieldName,
        inputFields: request.body.inputFields ?? {},
        ...(request.body.fetchOptions?.q === undefined ? {} : { query: request.body.fetchOptions.q }),
        ...(request.body.fetchOptions?.after === undefined ? {} : { after: request.body.fetchOptions.after })
      })
      return { ...page, options: [...page.options] }
    })
  }
}

export default options
