import type { InstancesRepository } from '../../db/repositories/instances-repository.ts'
import type { Instance } from '../schemas/admin/instances.ts'

/** How long a stopped or lost instance stays on the list: long enough to see a rolling deploy through. */
export const INSTANCE_LIST_MEMORY_MS = 24 * 60 * 60_000

/** The instances sharing the database, as `GET /api/instances` shows them: running ones, and those gone in the last day. */
export async function listInstances (instances: Pick<InstancesRepository, 'list'>, now: number, leaseMs: number): Promise<Instance[]> {
  const rows = await instances.list(now - INSTANCE_LIST_MEMORY_MS)
  return rows.map(row => ({
    instanceId: row.instanceId,
    version: row.version,
    startedAt: new Date(row.startedAt).toISOString(),
    lastSeenAt: new Date(row.lastSeenAt).toISOString(),
    running: row.running,
    status: row.stoppedAt !== null ? 'stopped' : now - row.lastSeenAt > leaseMs ? 'lost' : 'live'
  }))
}
