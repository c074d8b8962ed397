import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'

const PortalSchema = Type.Object({
  portalId: Type.Integer(),
  installStatus: Type.Union([Type.Literal('installed'), Type.Literal('reinstall_required'), Type.Null()]),
  installedAt: Type.Union([Type.String(), Type.Null()]),
  connectionCount: Type.Integer(),
  createdAt: Type.String()
})

const portals: FastifyPluginAsyncTypebox = async fastify => {
  fastify.get('/portals', {
    schema: { response: { 200: Type.Object({ items: Type.Array(PortalSchema) }) } }
  }, async () => ({
    items: fastify.repositories.portals.list().map(portal => ({
      portalId: portal.portalId,
      installStatus: installStatus(portal.installStatus),
      installedAt: portal.installedAt === null ? null : new Date(portal.installedAt).toISOString(),
      connectionCount: portal.connectionCount,
      createdAt: new Date(portal.createdAt).toISOString()
    }))
  }))
}

function installStatus (value: string | null): 'installed' | 'reinstall_required' | null {
  return value === 'installed' || value === 'reinstall_required' ? value : null
}

export default portals
