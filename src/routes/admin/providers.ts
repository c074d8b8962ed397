import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { providerJson } from '../../actions/provider-views.ts'
import { ProviderListSchema } from '../../schemas/admin/providers.ts'
import { ADMIN_ERRORS, errorResponses } from '../../schemas/error-responses.ts'

const providers: FastifyPluginAsyncTypebox = async fastify => {
  fastify.get('/providers', {
    schema: {
      summary: 'List the installed providers with their curated models and capabilities',
      tags: ['admin'],
      response: { 200: ProviderListSchema, ...errorResponses(...ADMIN_ERRORS) }
    }
  }, async () => ({ items: fastify.providers.list().map(providerJson) }))
}

export default providers
