import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ModelSchema, modelJson } from '../../schemas/common.ts'

const ProviderSchema = Type.Object({
  id: Type.String(),
  label: Type.String(),
  hosts: Type.Array(Type.String()),
  requiresBaseUrl: Type.Boolean(),
  models: Type.Array(ModelSchema)
})

const providers: FastifyPluginAsyncTypebox = async fastify => {
  fastify.get('/providers', {
    schema: { response: { 200: Type.Object({ items: Type.Array(ProviderSchema) }) } }
  }, async () => ({
    items: fastify.providers.list().map(provider => ({
      id: provider.id,
      label: provider.label,
      hosts: [...provider.hosts],
      requiresBaseUrl: provider.requiresBaseUrl === true,
      models: provider.models.map(modelJson)
    }))
  }))
}

export default providers
