import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ADMIN_ERRORS, errorResponses } from '../../schemas/error-responses.ts'

const PortalSchema = Type.Object({
  portalId: Type.Integer(),
  installStatus: Type.Union([Type.Literal('installed'), Type.Literal('reinstall_required'), Type.Null()]),
  installedAt: Type.Union([Type.String(), Type.Null()]),
  connectionCount: Type.Integer(),
  /** Each connection's provider and status (as in the connections list), by provider id. */
  connections: Type.Array(Type.Object({ provider: Type.String(), status: Type.String() })),
  /** The monthly budget in USD, or null without one (its month's spend: `GET /api/usage`). */
  monthlyLimitUsd: Type.Union([Type.Number(), Type.Null()]),
  createdAt: Type.String()
}, { examples: [{ portalId: 12345, installStatus: 'installed', installedAt: '2026-11-02T09:30:00.000Z', connectionCount: 1, connections: [{ provider: 'openai', status: 'connected' }], monthlyLimitUsd: 50, createdAt: '2026-11-02T09:30:00.000Z' }] })

const portals: FastifyPluginAsyncTypebox = async fastify => {
  fastify.get('/portals', {
    schema: {
      summary: 'List the portals known here (installed, with connections, or with a budget)',
      tags: ['admin'],
      response: { 200: Type.Object({ items: Type.Array(PortalSchema) }), ...errorResponses(...ADMIN_ERRORS) }
    }
  }, async () => ({
    items: (await fastify.repositories.portals.list()).map(portal => ({
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

function connectionPairs (text: string | null): Array<{ provider: string, status: string }> {
  if (text === null) return []
  return text.split(',').map(pair => {
    const [provider = '', status = ''] = pair.split(':')
    return { provider, status }
  }).sort((a, b) => a.provider.localeCompare(b.provider))
}

function installStatus (value: string | null): 'installed' | 'reinstall_required' | null {
  return value === 'installed' || value === 'reinstall_required' ? value : null
}

export default portals
