import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { buildActionDefinitions } from '../../actions/definitions/build-definitions.ts'

/** Both action definitions, ready for HubSpot's v4 definitions API (unsigned and public: they hold no secret). */
const definitions: FastifyPluginAsyncTypebox = async fastify => {
  const body = {
    items: buildActionDefinitions({
      publicUrl: fastify.config.publicUrl,
      providers: fastify.providers.list().map(provider => ({ id: provider.id, label: provider.label }))
    })
  }
  fastify.get('/definitions', async () => body)
}

export default definitions
