import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { BUILTIN_ACTIONS } from '../../actions/builtin-actions.ts'
import { fieldOptions } from '../../actions/field-options.ts'
import { actionContext } from '../../app-action-context.ts'
import { errorResponses } from '../../schemas/error-responses.ts'
import { OptionsBodySchema, OptionsResponseSchema } from '../../schemas/hubspot.ts'

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
