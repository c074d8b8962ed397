import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm'
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { AppDatabase } from '../database.ts'
import { executions } from '../schema.ts'

export type UsageGrouping = 'provider' | 'model' | 'action' | 'day'

/** One row of a usage report: the group's key columns (per grouping) and its sums. */
export interface UsageTotals {
  readonly executions: number
  readonly errors: number
  readonly inputTokens: number
  readonly cachedInputTokens: number
  readonly outputTokens: number
  readonly reasoningTokens: number
  /** USD spent at known prices, unpriced attempts aside. */
  readonly costUsd: number
  /** Executions with some attempt at an unknown price: `costUsd` is short by what they spent there. */
  readonly unpricedExecutions: number
}

export interface UsageRow extends UsageTotals {
  readonly provider?: string | null
  readonly model?: string | null
  readonly action?: string
  /** UTC day, `YYYY-MM-DD`. */
  readonly day?: string
}

export interface PortalUsageRow extends UsageTotals {
  readonly portalId: number
}

const SUMS = {
  executions: sql<number>`count(*)`,
  errors: sql<number>`coalesce(sum(case when ${executions.status} = 'failed' then 1 else 0 end), 0)`,
  inputTokens: sql<number>`coalesce(sum(${executions.inputTokens}), 0)`,
  cachedInputTokens: sql<number>`coalesce(sum(${executions.cachedInputTokens}), 0)`,
  outputTokens: sql<number>`coalesce(sum(${executions.outputTokens}), 0)`,
  reasoningTokens: sql<number>`coalesce(sum(${executions.reasoningTokens}), 0)`,
  costUsd: sql<number>`coalesce(sum(${executions.costUsd}), 0)`,
  unpricedExecutions: sql<number>`coalesce(sum(${executions.costUnknown}), 0)`
}

const utcDay = sql<string>`strftime('%Y-%m-%d', ${executions.startedAt} / 1000, 'unixepoch')`

/** The key columns each grouping selects, groups and orders by. */
const GROUP_KEYS: Readonly<Record<UsageGrouping, Readonly<Record<string, SQL | AnySQLiteColumn>>>> = {
  provider: { provider: executions.provider },
  model: { provider: executions.provider, model: executions.model },
  action: { action: executions.action },
  day: { day: utcDay }
}

/**
 * Usage reports, summed in SQL. Executions are counted by when they started (from inclusive, to exclusive); a
 * portal's report walks the `executions_portal_started` index.
 */
export function createUsageQueries (db: AppDatabase) {
  const inRange = (from: number, to: number) => and(gte(executions.startedAt, from), lt(executions.startedAt, to))
  return {
    usage (portalId: number, from: number, to: number, groupBy: UsageGrouping = 'model'): UsageRow[] {
      const keys = Object.values(GROUP_KEYS[groupBy])
      return db.select({ ...GROUP_KEYS[groupBy], ...SUMS }).from(executions)
        .where(and(eq(executions.portalId, portalId), inRange(from, to)))
        .groupBy(...keys).orderBy(...keys).all() as UsageRow[]
    },

    /** One row per portal that ran anything in the range, the biggest spender first. */
    usageByPortal (from: number, to: number): PortalUsageRow[] {
      return db.select({ portalId: executions.portalId, ...SUMS }).from(executions)
        .where(inRange(from, to))
        .groupBy(executions.portalId).orderBy(desc(SUMS.costUsd), executions.portalId).all()
    }
  }
}
