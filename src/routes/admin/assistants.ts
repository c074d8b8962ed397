import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { assistantView, createAssistant, deleteAssistant, findAssistant, listAssistants, updateAssistant } from '../../actions/assistants.ts'
import { AssistantInputSchema, AssistantListSchema, AssistantSchema } from '../../schemas/admin/assistants.ts'
import { PortalParamsSchema } from '../../schemas/common.ts'
import { actionContext } from '../../app-action-context.ts'
import { ADMIN_ERRORS, errorResponses } from '../../schemas/error-responses.ts'

const AssistantParamsSchema = Type.Object({
  portalId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  id: Type.String({ minLength: 1, maxLength: 100 })
})

const errors = errorResponses('INVALID_INPUT', ...ADMIN_ERRORS)
const notFound = errorResponses('INVALID_INPUT', ...ADMIN_ERRORS, 'ASSISTANT_NOT_FOUND')

/** Saved assistants for "Ask OpenAI assistant". */
const assistants: FastifyPluginAsyncTypebox = async fastify => {
  fastify.get('/portals/:portalId/assistants', {
    schema: { summary: 'List the portal\'s saved assistants', tags: ['admin'], params: PortalParamsSchema, response: { 200: AssistantListSchema, ...errors } }
  }, async request => ({ items: await listAssistants(actionContext(fastify), request.params.portalId) }))

  fastify.post('/portals/:portalId/assistants', {
    schema: { summary: 'Save an assistant', tags: ['admin'], params: PortalParamsSchema, body: AssistantInputSchema, response: { 201: AssistantSchema, ...errors } }
  }, async (request, reply) => reply.code(201).send(await createAssistant(actionContext(fastify, request.log), request.params.portalId, request.body, request.adminActor)))

  fastify.get('/portals/:portalId/assistants/:id', {
    schema: { summary: 'Read a saved assistant', tags: ['admin'], params: AssistantParamsSchema, response: { 200: AssistantSchema, ...notFound } }
  }, async request => assistantView(await findAssistant(actionContext(fastify, request.log), request.params.portalId, request.params.id)))

  fastify.put('/portals/:portalId/assistants/:id', {
    schema: { summary: 'Replace a saved assistant', tags: ['admin'], params: AssistantParamsSchema, body: AssistantInputSchema, response: { 200: AssistantSchema, ...notFound } }
  }, async request => await updateAssistant(actionContext(fastify, request.log), request.params.portalId, request.params.id, request.body, request.adminActor))

  fastify.delete('/portals/:portalId/assistants/:id', {
    schema: { summary: 'Delete a saved assistant', tags: ['admin'], params: AssistantParamsSchema, response: { 204: Type.Null({ description: 'Deleted' }), ...notFound } }
  }, async (request, reply) => {
    await deleteAssistant(actionContext(fastify, request.log), request.params.portalId, request.params.id, request.adminActor)
    return reply.code(204).send(null)
  })
}

export default assistants
