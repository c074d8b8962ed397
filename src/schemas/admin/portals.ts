import { Type, type Static } from '@sinclair/typebox'
import { ListOfSchema } from './list-of.ts'

export const PortalSchema = Type.Object({
  portalId: Type.Integer(),
  installStatus: Type.Union([Type.Literal('installed'), Type.Literal('reinstall_required'), Type.Null()]),
  installedAt: Type.Union([Type.String(), Type.Null()]),
  connectionCount: Type.Integer(),
  /**
   * Each connection's provider and status (as in the connections list), by provider id. The status is declared a
   * plain string because it is read back from stored text: a reader must cope with one it does not know.
   */
  connections: Type.Array(Type.Object({ provider: Type.String(), status: Type.String() })),
  /** The monthly budget in USD, or null without one (its month's spend: `GET /api/usage`). */
  monthlyLimitUsd: Type.Union([Type.Number(), Type.Null()]),
  createdAt: Type.String()
}, { examples: [{ portalId: 12345, installStatus: 'installed', installedAt: '2026-11-02T09:30:00.000Z', connectionCount: 1, connections: [{ provider: 'openai', status: 'connected' }], monthlyLimitUsd: 50, createdAt: '2026-11-02T09:30:00.000Z' }] })
export type Portal = Static<typeof PortalSchema>

export const PortalListSchema = ListOfSchema(PortalSchema)
export type PortalList = Static<typeof PortalListSchema>
