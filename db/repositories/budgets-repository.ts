import { and, eq, gte, lt, sql } from 'drizzle-orm'
import type { Driver } from '../driver.ts'
import type { portalBudgets } from '../schema/sqlite.ts'

export type BudgetRecord = typeof portalBudgets.$inferSelect

/** What an admin sets: the limit, when to warn, and whose calendar months count. */
export interface BudgetSettings {
  readonly monthlyLimitUsd: number
  readonly warnAtPercent: number | null
  /** An IANA time zone; null for UTC. */
  readonly timeZone: string | null
}

/** How a budget reads in the audit trail: `none`, or `50 USD a month, warn at 80%, Europe/Paris`. */
export function describeBudget (budget: BudgetSettings | undefined): string {
  if (budget === undefined) return 'none'
  const warn = budget.warnAtPercent === null ? 'no warning' : `warn at ${budget.warnAtPercent}%`
  return `${budget.monthlyLimitUsd} USD a month, ${warn}, ${budget.timeZone ?? 'UTC'}`
}

/** A budget as its audit events show it; null when there is none. */
function audited (budget: BudgetSettings | undefined) {
  return budget === undefined ? null : { monthlyLimitUsd: budget.monthlyLimitUsd, warnAtPercent: budget.warnAtPercent, timeZone: budget.timeZone }
}

/**
 * Portal budgets and their audit trail (a change and its audit event commit together), and the month's spend the
 * budget check starts from. The engine keeps budgets and spend in memory; it reads here once per portal and month.
 */
export function createBudgetsRepository (driver: Driver) {
  const { db, tables: { auditEvents, executions, portalBudgets, portals } } = driver
  const placeholder = sql.placeholder
  const selectOne = driver.prepare('budget_by_portal', db.select().from(portalBudgets).where(eq(portalBudgets.portalId, placeholder('portalId'))))
  // Reads the executions_portal_started index: one portal, one range of start times.
  const selectSpend = driver.prepare('budget_month_spend', db.select({ spent: sql<number>`coalesce(sum(${executions.costUsd}), 0)`.mapWith(Number) }).from(executions)
    .where(and(eq(executions.portalId, placeholder('portalId')), gte(executions.startedAt, placeholder('fromMs')), lt(executions.startedAt, placeholder('toMs')))))

  return {
    async find (portalId: number): Promise<BudgetRecord | undefined> {
      return (await selectOne({ portalId }))[0]
    },

    /**
     * Sets the portal's budget (creating the portal row if needed), or removes it with null, writing one audit
     * event `budget` with the before and after. A new setting forgets an earlier warning, so the new threshold
     * warns again when crossed. Returns the budget before and after.
     */
    async save (portalId: number, settings: BudgetSettings | null, actor: string, at: number): Promise<{ readonly before?: BudgetRecord, readonly after?: BudgetRecord }> {
      return await driver.transaction(async tx => {
        const before = await tx.first(tx.db.select().from(portalBudgets).where(eq(portalBudgets.portalId, portalId)))
        let after: BudgetRecord | undefined
        if (settings === null) {
          await tx.run(tx.db.delete(portalBudgets).where(eq(portalBudgets.portalId, portalId)))
        } else {
          await tx.run(tx.db.insert(portals).values({ portalId }).onConflictDoNothing())
          const values = { ...settings, warnedMonth: null, updatedAt: at }
          after = await tx.first(tx.db.insert(portalBudgets).values({ portalId, ...values })
            .onConflictDoUpdate({ target: portalBudgets.portalId, set: values }).returning())
        }
        if (before !== undefined || after !== undefined) {
          await tx.run(tx.db.insert(auditEvents).values({
            portalId, action: 'budget', actor, at, detail: `${describeBudget(before)} → ${describeBudget(after)}`, before: audited(before), after: audited(after)
          }))
        }
        return { ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) }
      })
    },

    /** USD recorded for the portal's executions that started in [fromMs, toMs). */
    async monthSpend (portalId: number, fromMs: number, toMs: number): Promise<number> {
      return (await selectSpend({ portalId, fromMs, toMs }))[0]?.spent ?? 0
    },

    /** Remembers that the month's warning was logged, so a restart does not log it again. */
    async markWarned (portalId: number, month: string): Promise<void> {
      await driver.run(db.update(portalBudgets).set({ warnedMonth: month }).where(eq(portalBudgets.portalId, portalId)))
    }
  }
}

export type BudgetsRepository = ReturnType<typeof createBudgetsRepository>
