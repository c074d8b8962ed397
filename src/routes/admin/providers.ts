import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ModelSchema, modelJson } from '../../schemas/common.ts'
import { ADMIN_ERRORS, errorResponses } from '../../schemas/error-responses.ts'

const ProviderSchema = Type.Object({
  id: Type.String(),
  label: Type.String(),
  hosts: Type.Array(Type.String()),
  requiresBaseUrl: Type.Boolean(),
  models: Type.Array(ModelSchema)
}, {
  examples: [{
    id: 'openai',
    label: 'OpenAI',
    hosts: ['api.openai.com'],
    requiresBaseUrl: false,
    models: [{ id: 'gpt-4o-mini', label: 'GPT-4o mini', capabilities: { temperature: true, reasoningEfforts: [], structuredOutput: true } }]
  }]
})

const providers: FastifyPluginAsyncTypebox = async fastify => {
  fastify.get('/providers', {
    schema: {
      summary: 'List the installed providers with their curated models and capabilities',
      tags: ['admin'],
      response: { 200: Type.Object({ items: Type.Array(ProviderSchema) }), ...errorResponses(...ADMIN_ERRORS) }
    }
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
