import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm'
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Driver } from '../driver.ts'

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
  /**
   * Of `executions`, those queued for economy processing (a batch), the ones that ran as standard calls after all
   * included; the rest are standard executions.
   */
  readonly economyExecutions: number
  /** Of `costUsd`, what economy executions cost. */
  readonly economyCostUsd: number
  /** USD the batch price saved against the standard price (economy executions a batch answered). */
  readonly savedUsd: number
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

/**
 * Usage reports, summed in SQL. Executions are counted by when they started (from inclusive, to exclusive); a
 * portal's report walks the `executions_portal_started` index.
 */
export function createUsageQueries (driver: Driver) {
  const { db, tables: { executions } } = driver
  // Counts and sums come back from PostgreSQL as text (bigint and numeric), hence the mapping to numbers.
  const total = (expression: SQL) => sql<number>`coalesce(${expression}, 0)`.mapWith(Number)
  const SUMS = {
    executions: sql<number>`count(*)`.mapWith(Number),
    errors: total(sql`sum(case when ${executions.status} = 'failed' then 1 else 0 end)`),
    inputTokens: total(sql`sum(${executions.inputTokens})`),
    cachedInputTokens: total(sql`sum(${executions.cachedInputTokens})`),
    outputTokens: total(sql`sum(${executions.outputTokens})`),
    reasoningTokens: total(sql`sum(${executions.reasoningTokens})`),
    costUsd: total(sql`sum(${executions.costUsd})`),
    unpricedExecutions: total(sql`sum(${executions.costUnknown})`),
    economyExecutions: total(sql`sum(case when ${executions.processing} = 'economy' then 1 else 0 end)`),
    economyCostUsd: total(sql`sum(case when ${executions.processing} = 'economy' then ${executions.costUsd} else 0 end)`),
    savedUsd: total(sql`sum(${executions.savedUsd})`)
  }
  /** The key columns each grouping selects, groups and orders by. */
  const GROUP_KEYS: Readonly<Record<UsageGrouping, Readonly<Record<string, SQL | AnySQLiteColumn>>>> = {
    provider: { provider: executions.provider },
    model: { provider: executions.provider, model: executions.model },
    action: { action: executions.action },
    day: { day: driver.sql.utcDay(executions.startedAt) }
  }
  const inRange = (from: number, to: number) => and(gte(executions.startedAt, from), lt(executions.startedAt, to))
  return {
    async usage (portalId: number, from: number, to: number, groupBy: UsageGrouping = 'model'): Promise<UsageRow[]> {
      const keys = Object.values(GROUP_KEYS[groupBy])
      return await driver.all(db.select({ ...GROUP_KEYS[groupBy], ...SUMS }).from(executions)
        .where(and(eq(executions.portalId, portalId), inRange(from, to)))
        // Rows without a provider or model (unfinished executions) come first on both databases: PostgreSQL's default
        // puts NULL last, SQLite's first.
        .groupBy(...keys).orderBy(...keys.map(key => sql`${key} asc nulls first`))) as UsageRow[]
    },

    /** One row per portal that ran anything in the range, the biggest spender first. */
    async usageByPortal (from: number, to: number): Promise<PortalUsageRow[]> {
      return await driver.all(db.select({ portalId: executions.portalId, ...SUMS }).from(executions)
        .where(inRange(from, to))
        .groupBy(executions.portalId).orderBy(desc(SUMS.costUsd), executions.portalId))
    }
  }
}
