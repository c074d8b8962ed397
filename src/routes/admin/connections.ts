import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { connectProvider, disconnectProvider, listConnections, findConnection, modelsForConnection, setAllowedModels } from '../../actions/connections.ts'
import { modelJson } from '../../actions/provider-views.ts'
import { AllowedModelsBodySchema, ConnectBodySchema, ConnectionListSchema, ConnectionModelsSchema, ConnectionSchema } from '../../schemas/admin/connections.ts'
import { PortalParamsSchema, ProviderParamsSchema } from '../../schemas/common.ts'
import { actionContext } from '../../app-action-context.ts'
import { ADMIN_ERRORS, errorResponses } from '../../schemas/error-responses.ts'

/** One connection per provider per portal: connect or switch the key, list, disconnect, and the model allowlist. */
const connections: FastifyPluginAsyncTypebox = async fastify => {

  fastify.get('/portals/:portalId/connections', {
    schema: {
      summary: 'List the portal\'s connections, one per provider',
      tags: ['admin'],
      params: PortalParamsSchema,
      response: { 200: ConnectionListSchema, ...errorResponses('INVALID_INPUT', ...ADMIN_ERRORS) }
    }
  }, async request => ({ items: await listConnections(actionContext(fastify), request.params.portalId) }))

  fastify.put('/portals/:portalId/connections/:provider', {
    schema: {
      summary: 'Connect a provider (201), or switch its key (200), after the provider accepts the key',
      description: 'A rejected key is answered 422 INVALID_API_KEY and nothing is stored.',
      tags: ['admin'],
      params: ProviderParamsSchema,
      body: ConnectBodySchema,
      response: {
        200: ConnectionSchema,
        201: ConnectionSchema,
        ...errorResponses('INVALID_INPUT', ...ADMIN_ERRORS, 'PROVIDER_UNKNOWN', 'INVALID_API_KEY', 'BASE_URL_NOT_ALLOWED', 'PROVIDER_AUTH', 'PROVIDER_QUOTA', 'PROVIDER_REJECTED', 'PROVIDER_RATE_LIMITED', 'PROVIDER_UNAVAILABLE', 'PROVIDER_TIMEOUT', 'STORAGE_UNAVAILABLE')
      }
    }
  }, async (request, reply) => {
    const { connection, action } = await connectProvider(actionContext(fastify, request.log), {
      portalId: request.params.portalId,
      providerId: request.params.provider,
      apiKey: request.body.apiKey,
      baseUrl: request.body.baseUrl,
      actor: request.adminActor
    })
    return reply.code(action === 'connect' ? 201 : 200).send(connection)
  })

  fastify.delete('/portals/:portalId/connections/:provider', {
    schema: {
      summary: 'Disconnect a provider; its key is erased',
      tags: ['admin'],
      params: ProviderParamsSchema,
      response: { 204: Type.Null({ description: 'Disconnected' }), ...errorResponses('INVALID_INPUT', ...ADMIN_ERRORS, 'PROVIDER_NOT_CONNECTED') }
    }
  }, async (request, reply) => {
    await disconnectProvider(actionContext(fastify, request.log), request.params.portalId, request.params.provider, request.adminActor)
    return reply.code(204).send(null)
  })

  fastify.get('/portals/:portalId/connections/:provider/models', {
    schema: {
      summary: 'List the models offered to workflow users for this connection',
      tags: ['admin'],
      params: ProviderParamsSchema,
      querystring: Type.Object({
        all: Type.Optional(Type.Boolean({ description: 'true: every model the provider lists, allowed or not (to choose the allowlist from)' }))
      }, { additionalProperties: false }),
      response: {
        200: ConnectionModelsSchema,
        ...errorResponses('INVALID_INPUT', ...ADMIN_ERRORS, 'PROVIDER_UNKNOWN', 'PROVIDER_NOT_CONNECTED', 'KEY_UNREADABLE', 'PROVIDER_AUTH', 'PROVIDER_QUOTA', 'PROVIDER_REJECTED', 'PROVIDER_RATE_LIMITED', 'PROVIDER_UNAVAILABLE', 'PROVIDER_TIMEOUT')
      }
    }
  }, async request => {
    const context = actionContext(fastify, request.log)
    const { models, source } = await modelsForConnection(context, await findConnection(context, request.params.portalId, request.params.provider), { everyModel: request.query.all === true })
    return { items: models.map(modelJson), source }
  })

  fastify.put('/portals/:portalId/connections/:provider/allowed-models', {
    schema: {
      summary: 'Set the models workflow users may pick (null: all)',
      tags: ['admin'],
      params: ProviderParamsSchema,
      body: AllowedModelsBodySchema,
      response: { 200: ConnectionSchema, ...errorResponses('INVALID_INPUT', ...ADMIN_ERRORS, 'PROVIDER_NOT_CONNECTED', 'MODEL_NOT_ALLOWED') }
    }
  }, async request => await setAllowedModels(actionContext(fastify, request.log), request.params.portalId, request.params.provider, request.body.models, request.adminActor))
}

export default connections
