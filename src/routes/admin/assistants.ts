import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { assistantView, createAssistant, deleteAssistant, findAssistant, updateAssistant } from '../../actions/assistants.ts'
import { PortalParamsSchema } from '../../schemas/common.ts'
import { actionContext } from '../action-context.ts'
import { ADMIN_ERRORS, errorResponses } from '../../schemas/error-responses.ts'

const Effort = Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')])

const AssistantSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  model: Type.String(),
  instructions: Type.String(),
  temperature: Type.Union([Type.Number(), Type.Null()]),
  reasoningEffort: Type.Union([Effort, Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String()
}, { examples: [{ id: 'asst_01', name: 'Lead summariser', model: 'gpt-4o-mini', instructions: 'Summarise the lead in two sentences.', temperature: 0.2, reasoningEffort: null, createdAt: '2026-11-02T09:30:00.000Z', updatedAt: '2026-11-02T09:30:00.000Z' }] })

const AssistantBodySchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  model: Type.String({ minLength: 1, maxLength: 200 }),
  instructions: Type.String({ maxLength: 100_000 }),
  temperature: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 2 }), Type.Null()])),
  reasoningEffort: Type.Optional(Type.Union([Effort, Type.Null()]))
}, { additionalProperties: false, examples: [{ name: 'Lead summariser', model: 'gpt-4o-mini', instructions: 'Summarise the lead in two sentences.', temperature: 0.2 }] })

const AssistantParamsSchema = Type.Object({
  portalId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  id: Type.String({ minLength: 1, maxLength: 100 })
})

const errors = errorResponses('INVALID_INPUT', ...ADMIN_ERRORS)
const notFound = errorResponses('INVALID_INPUT', ...ADMIN_ERRORS, 'ASSISTANT_NOT_FOUND')

/** Saved assistants for "Ask OpenAI assistant". */
const assistants: FastifyPluginAsyncTypebox = async fastify => {
  fastify.get('/portals/:portalId/assistants', {
    schema: { summary: 'List the portal\'s saved assistants', tags: ['admin'], params: PortalParamsSchema, response: { 200: Type.Object({ items: Type.Array(AssistantSchema) }), ...errors } }
  }, async request => ({ items: (await fastify.repositories.assistants.list(request.params.portalId)).map(assistantView) }))

  fastify.post('/portals/:portalId/assistants', {
    schema: { summary: 'Save an assistant', tags: ['admin'], params: PortalParamsSchema, body: AssistantBodySchema, response: { 201: AssistantSchema, ...errors } }
  }, async (request, reply) => reply.code(201).send(await createAssistant(actionContext(fastify, request.log), request.params.portalId, request.body, request.adminActor)))

  fastify.get('/portals/:portalId/assistants/:id', {
    schema: { summary: 'Read a saved assistant', tags: ['admin'], params: AssistantParamsSchema, response: { 200: AssistantSchema, ...notFound } }
  }, async request => assistantView(await findAssistant(actionContext(fastify, request.log), request.params.portalId, request.params.id)))

  fastify.put('/portals/:portalId/assistants/:id', {
    schema: { summary: 'Replace a saved assistant', tags: ['admin'], params: AssistantParamsSchema, body: AssistantBodySchema, response: { 200: AssistantSchema, ...notFound } }
  }, async request => await updateAssistant(actionContext(fastify, request.log), request.params.portalId, request.params.id, request.body, request.adminActor))

  fastify.delete('/portals/:portalId/assistants/:id', {
    schema: { summary: 'Delete a saved assistant', tags: ['admin'], params: AssistantParamsSchema, response: { 204: Type.Null({ description: 'Deleted' }), ...notFound } }
  }, async (request, reply) => {
    await deleteAssistant(actionContext(fastify, request.log), request.params.portalId, request.params.id, request.adminActor)
    return reply.code(204).send(null)
  })
}

export default assistants
