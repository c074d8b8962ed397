import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { buildActionDefinitions } from '../../actions/definitions/build-definitions.ts'

/** Both action definitions, ready for HubSpot's v4 definitions API (unsigned and public: they hold no secret). */
const definitions: FastifyPluginAsyncTypebox = async fastify => {
  const body = {
    items: buildActionDefinitions({
      publicUrl: fastify.config.publicUrl,
      providers: fastify.providers.list().map(provider => ({ id: provider.id, label: provider.label }))
    })
  }
  fastify.get('/definitions', {
    schema: {
      summary: 'Both action definitions, for HubSpot\'s v4 definitions API',
      description: 'Unsigned and public: the definitions hold no secret.',
      tags: ['hubspot'],
      response: {
        // The definition is HubSpot\'s document, built and checked in src/actions/definitions: passed through whole.
        200: Type.Object({ items: Type.Array(Type.Object({ key: Type.String(), definition: Type.Object({}, { additionalProperties: true }) })) }, {
          examples: [{ items: [{ key: 'custom-llm', definition: { actionUrl: 'https://llm.example.com/hubspot/actions/custom-llm', published: true } }] }]
        })
      }
    }
  }, async () => body)
}

export default definitions
