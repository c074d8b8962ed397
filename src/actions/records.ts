import type { AuditRow } from '../../db/repositories/audit-repository.ts'
import type { ExecutionRow, ExecutionStatus } from '../../db/repositories/executions-repository.ts'
import type { Repositories } from '../../db/repositories/index.ts'
import type { UsageGrouping } from '../../db/repositories/usage-queries.ts'

/**
 * What the admin API and the health check read from the store, as plain calls: the routes translate HTTP and call
 * these, never a repository, so a read that needs more than one statement (or a cache) changes here alone.
 */

export async function recentExecutions (repositories: Pick<Repositories, 'executions'>, portalId: number, limit: number, before?: number, status?: ExecutionStatus): Promise<ExecutionRow[]> {
  return await repositories.executions.recent(portalId, limit, before, status)
}

export async function findExecution (repositories: Pick<Repositories, 'executions'>, portalId: number, executionId: number): Promise<ExecutionRow | undefined> {
  return await repositories.executions.findForPortal(portalId, executionId)
}

/** When the oldest pending completion can next be sent, if one is pending. */
export async function nextCompletionDue (repositories: Pick<Repositories, 'executions'>): Promise<number | undefined> {
  return await repositories.executions.nextCompletionDue()
}

export async function listPortals (repositories: Pick<Repositories, 'portals'>) {
  return await repositories.portals.list()
}

export async function auditEvents (repositories: Pick<Repositories, 'audit'>, query: Parameters<Repositories['audit']['list']>[0]): Promise<AuditRow[]> {
  return await repositories.audit.list(query)
}

export async function portalUsage (repositories: Pick<Repositories, 'executions'>, portalId: number, fromMs: number, toMs: number, groupBy: UsageGrouping) {
  return await repositories.executions.usage(portalId, fromMs, toMs, groupBy)
}

export async function usageByPortal (repositories: Pick<Repositories, 'executions'>, fromMs: number, toMs: number) {
  return await repositories.executions.usageByPortal(fromMs, toMs)
}
