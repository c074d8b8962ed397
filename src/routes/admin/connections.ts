import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { connectProvider, connectionView, disconnectProvider, findConnection, modelsForConnection, setAllowedModels } from '../../actions/connections.ts'
import { ErrorSchema, ModelSchema, PortalParamsSchema, ProviderParamsSchema, modelJson } from '../../schemas/common.ts'
import { actionContext } from '../action-context.ts'

const ConnectionSchema = Type.Object({
  provider: Type.String(),
  keyHint: Type.String(),
  status: Type.Union([Type.Literal('connected'), Type.Literal('invalid'), Type.Literal('key_unreadable')]),
  connectedAt: Type.String(),
  lastValidatedAt: Type.String(),
  allowedModels: Type.Union([Type.Array(Type.String()), Type.Null()]),
  baseUrl: Type.Optional(Type.String())
})

const ConnectBodySchema = Type.Object({
  apiKey: Type.String({ minLength: 1, maxLength: 4096, description: 'The provider API key; validated with the provider before it is stored.' }),
  baseUrl: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 }))
}, { additionalProperties: false })

const AllowedModelsBodySchema = Type.Object({
  models: Type.Union([Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 500 }), Type.Null()])
}, { additionalProperties: false })

const errors = { 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema, 429: ErrorSchema, 502: ErrorSchema, 503: ErrorSchema, 504: ErrorSchema }

/** One connection per provider per portal: connect or switch the key, list, disconnect, and the model allowlist. */
const connections: FastifyPluginAsyncTypebox = async fastify => {
  const actor = 'admin-api'

  fastify.get('/portals/:portalId/connections', {
    schema: { params: PortalParamsSchema, response: { 200: Type.Object({ items: Type.Array(ConnectionSchema) }), ...errors } }
  }, async request => ({
    items: fastify.repositories.connections.list(request.params.portalId).map(connectionView).map(view => ({ ...view, allowedModels: view.allowedModels === null ? null : [...view.allowedModels] }))
  }))

  fastify.put('/portals/:portalId/connections/:provider', {
    schema: { params: ProviderParamsSchema, body: ConnectBodySchema, response: { 200: ConnectionSchema, 201: ConnectionSchema, ...errors } }
  }, async (request, reply) => {
    const { connection, action } = await connectProvider(actionContext(fastify, request.log), {
      portalId: request.params.portalId,
      providerId: request.params.provider,
      apiKey: request.body.apiKey,
      baseUrl: request.body.baseUrl,
      actor
    })
    return reply.code(action === 'connect' ? 201 : 200).send({ ...connection, allowedModels: connection.allowedModels === null ? null : [...connection.allowedModels] })
  })

  fastify.delete('/portals/:portalId/connections/:provider', {
    schema: { params: ProviderParamsSchema, response: { 204: Type.Null(), ...errors } }
  }, async (request, reply) => {
    disconnectProvider(actionContext(fastify, request.log), request.params.portalId, request.params.provider, actor)
    return reply.code(204).send(null)
  })

  fastify.get('/portals/:portalId/connections/:provider/models', {
    schema: { params: ProviderParamsSchema, response: { 200: Type.Object({ items: Type.Array(ModelSchema), source: Type.String() }), ...errors } }
  }, async request => {
    const context = actionContext(fastify, request.log)
    const { models, source } = await modelsForConnection(context, findConnection(context, request.params.portalId, request.params.provider))
    return { items: models.map(modelJson), source }
  })

  fastify.put('/portals/:portalId/connections/:provider/allowed-models', {
    schema: { params: ProviderParamsSchema, body: AllowedModelsBodySchema, response: { 200: ConnectionSchema, ...errors } }
  }, async request => {
    const view = setAllowedModels(actionContext(fastify, request.log), request.params.portalId, request.params.provider, request.body.models, actor)
    return { ...view, allowedModels: view.allowedModels === null ? null : [...view.allowedModels] }
  })
}

export default connections
