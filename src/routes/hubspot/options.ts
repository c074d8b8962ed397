import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { BUILTIN_ACTIONS } from '../../actions/builtin-actions.ts'
import { fieldOptions } from '../../actions/field-options.ts'
import { ErrorSchema } from '../../schemas/common.ts'
import { actionContext } from '../action-context.ts'

const OptionsBodySchema = Type.Object({
  origin: Type.Object({ portalId: Type.Integer({ minimum: 1 }) }),
  inputFieldName: Type.String({ minLength: 1, maxLength: 200 }),
  inputFields: Type.Optional(Type.Record(Type.String(), Type.Object({ type: Type.Optional(Type.String()), value: Type.Optional(Type.Unknown()) }))),
  fetchOptions: Type.Optional(Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })), after: Type.Optional(Type.String({ maxLength: 50 })) })),
  objectTypeId: Type.Optional(Type.String())
})

const OptionsResponseSchema = Type.Object({
  options: Type.Array(Type.Object({ label: Type.String(), value: Type.String(), description: Type.Optional(Type.String()) })),
  after: Type.Optional(Type.String()),
  searchable: Type.Boolean()
})

/** The `optionsUrl` of every action: HubSpot asks for a dynamic field's options while a workflow is edited. */
const options: FastifyPluginAsyncTypebox = async fastify => {
  for (const action of BUILTIN_ACTIONS) {
    fastify.post(`/actions/${action.key}/options`, {
      schema: { body: OptionsBodySchema, response: { 200: OptionsResponseSchema, 400: ErrorSchema, 401: ErrorSchema } }
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
