import { Type, type Static } from '@sinclair/typebox'
import { ListOfSchema } from './list-of.ts'

export const InstanceSchema = Type.Object({
  /** `INSTANCE_ID`: host name and process id unless set. */
  instanceId: Type.String(),
  version: Type.String(),
  startedAt: Type.String(),
  /** Its last heartbeat (every third of EXECUTION_LEASE_MS while it runs). */
  lastSeenAt: Type.String(),
  /** Executions it was working on at that heartbeat. */
  running: Type.Integer(),
  /**
   * `live` (seen within EXECUTION_LEASE_MS), `stopped` (it shut down and handed its work back) or `lost` (silent past
   * its lease: killed, paused or cut off; the others take its work over).
   */
  status: Type.Union([Type.Literal('live'), Type.Literal('stopped'), Type.Literal('lost')])
}, { examples: [{ instanceId: 'app-1', version: '0.1.0', startedAt: '2026-12-06T09:30:00.000Z', lastSeenAt: '2026-12-06T10:02:10.000Z', running: 4, status: 'live' }] })
export type Instance = Static<typeof InstanceSchema>

export const InstanceListSchema = ListOfSchema(InstanceSchema)
export type InstanceList = Static<typeof InstanceListSchema>
