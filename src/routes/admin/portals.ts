import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { PortalListSchema, type Portal } from '../../schemas/admin/portals.ts'
import { ADMIN_ERRORS, errorResponses } from '../../schemas/error-responses.ts'
import { listPortals } from '../../actions/records.ts'

const portals: FastifyPluginAsyncTypebox = async fastify => {
  fastify.get('/portals', {
    schema: {
      summary: 'List the portals known here (installed, with connections, or with a budget)',
      tags: ['admin'],
      response: { 200: PortalListSchema, ...errorResponses(...ADMIN_ERRORS) }
    }
  }, async () => ({
    items: (await listPortals(fastify.repositories)).map(portal => ({
      portalId: portal.portalId,
      installStatus: installStatus(portal.installStatus),
      installedAt: portal.installedAt === null ? null : new Date(portal.installedAt).toISOString(),
      connectionCount: portal.connectionCount,
      connections: connectionPairs(portal.connections),
      monthlyLimitUsd: portal.monthlyLimitUsd,
      createdAt: new Date(portal.createdAt).toISOString()
    }))
  }))
}

function connectionPairs (text: string | null): Portal['connections'] {
  if (text === null) return []
  return text.split(',').map(pair => {
    const [provider = '', status = ''] = pair.split(':')
    return { provider, status }
  }).sort((a, b) => a.provider.localeCompare(b.provider))
}

function installStatus (value: string | null): Portal['installStatus'] {
  return value === 'installed' || value === 'reinstall_required' ? value : null
}

export default portals
