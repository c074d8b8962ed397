import { and, eq, gte, inArray, lt, sql } from 'drizzle-orm'
import type { AuditWriter } from './audit-repository.ts'
import type { Driver, Executor } from '../driver.ts'
import type { portalBudgets } from '../schema/sqlite.ts'

export type BudgetRecord = typeof portalBudgets.$inferSelect

/** A calendar month of the budget's time zone: `YYYY-MM` and the instants it starts and ends (end excluded). */
export interface CalendarMonth {
  readonly month: string
  readonly startMs: number
  readonly endMs: number
}

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
 * budget check: reservations and their settling, in the database, so they hold across any number of instances.
 */
export function createBudgetsRepository (driver: Driver, writer: AuditWriter = {}) {
  const { db, tables: { auditEvents, executions, portalBudgets, portals } } = driver
  const placeholder = sql.placeholder
  const selectOne = driver.prepare('budget_by_portal', db.select().from(portalBudgets).where(eq(portalBudgets.portalId, placeholder('portalId'))))
  // Reads the executions_portal_started index: one portal, one range of start times.
  // Executions still holding their cost are left out: their holds count them until `settle` adds them to the ledger.
  const spendOf = (builder: Executor['db'], portalId: number, month: CalendarMonth) => builder.select({ spent: sql<number>`coalesce(sum(${executions.costUsd}), 0)`.mapWith(Number) }).from(executions)
    .where(and(eq(executions.portalId, portalId), gte(executions.startedAt, month.startMs), lt(executions.startedAt, month.endMs), sql`${executions.reservedUsd} is null`))
  const monthSpend = async (executor: Executor, portalId: number, month: CalendarMonth) => (await executor.first(spendOf(executor.db, portalId, month)))?.spent ?? 0
  /** What the portal's executions hold until their cost is counted: the partial index on reserved_usd. */
  const held = async (executor: Executor, portalId: number) => (await executor.first(executor.db.select({ held: sql<number>`coalesce(sum(${executions.reservedUsd}), 0)`.mapWith(Number) })
    .from(executions).where(and(eq(executions.portalId, portalId), sql`${executions.reservedUsd} is not null`))))?.held ?? 0
  /** The month's spend from the ledger kept on the budget's row, summed afresh (and kept) when the month changed. */
  const ledgerSpend = async (tx: Executor, budget: BudgetRecord, month: CalendarMonth) => {
    if (budget.ledgerMonth === month.month) return budget.spentUsd
    const spent = await monthSpend(tx, budget.portalId, month)
    await tx.run(tx.db.update(portalBudgets).set({ ledgerMonth: month.month, spentUsd: spent }).where(eq(portalBudgets.portalId, budget.portalId)))
    return spent
  }
  return {
    /** USD recorded for the portal's executions that started in `month` (a portal without a budget, for the admin API). */
    async monthSpend (portalId: number, month: CalendarMonth): Promise<number> {
      return await monthSpend(driver, portalId, month)
    },

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
          // The ledger is summed afresh at the next reservation: a new time zone moves the month's bounds.
          const values = { ...settings, warnedMonth: null, updatedAt: at, ledgerMonth: null }
          after = await tx.first(tx.db.insert(portalBudgets).values({ portalId, ...values })
            .onConflictDoUpdate({ target: portalBudgets.portalId, set: values }).returning())
        }
        if (before !== undefined || after !== undefined) {
          await tx.run(tx.db.insert(auditEvents).values({ instanceId: writer.instanceId ?? null,
            portalId, action: 'budget', actor, at, detail: `${describeBudget(before)} → ${describeBudget(after)}`, before: audited(before), after: audited(after)
          }))
          await driver.publishChange(tx, { topic: 'budget', portalId })
        }
        return { ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) }
      })
    },


    /**
     * Remembers that the month's warning is being logged; false when it already was (by this instance or another),
     * so it is logged once across instances and restarts.
     */
    async markWarned (portalId: number, month: string): Promise<boolean> {
      return await driver.run(db.update(portalBudgets).set({ warnedMonth: month })
        .where(and(eq(portalBudgets.portalId, portalId), sql`coalesce(${portalBudgets.warnedMonth}, '') <> ${month}`))) > 0
    },

    /**
     * Where the portal's month stands, and, when `reservation` is given and it fits, that execution's hold on the
     * budget raised by its amount, in one transaction that first locks the budget's row: reservations from any
     * number of instances queue there, and each sees the spend and the holds the ones before it committed.
     * `lost` when the execution's lease is no longer `reservation.owner`'s (nothing is reserved then).
     */
    async reserve (portalId: number, month: CalendarMonth, reservation?: Reservation): Promise<Standing> {
      return await driver.transaction(async tx => {
        // A no-op update: it takes the row's lock (PostgreSQL) and reads the row as the lock found it.
        const budget = await tx.first(tx.db.update(portalBudgets).set({ portalId: sql`${portalBudgets.portalId}` })
          .where(eq(portalBudgets.portalId, portalId)).returning())
        if (budget === undefined) return { kind: 'none' }
        const spentUsd = await ledgerSpend(tx, budget, month)
        const heldUsd = await held(tx, portalId)
        const limit = budget.monthlyLimitUsd
        const amount = reservation?.amountUsd ?? 0
        const standing = { budget, month: month.month, spentUsd, reservedUsd: heldUsd }
        if (spentUsd >= limit || spentUsd + amount > limit) return { kind: 'exceeded', ...standing }
        if (spentUsd + heldUsd >= limit || spentUsd + heldUsd + amount > limit) return { kind: 'held', ...standing }
        // Even an estimate of 0 (a model without a known price) is a hold: its real cost is counted at settle.
        if (reservation !== undefined) {
          const changed = await tx.run(tx.db.update(executions).set({ reservedUsd: sql`coalesce(${executions.reservedUsd}, 0) + ${amount}` })
            .where(and(eq(executions.id, reservation.executionId), eq(executions.leaseOwner, reservation.owner), eq(executions.status, 'running'))))
          if (changed === 0) return { kind: 'lost' }
        }
        return { kind: 'fits', ...standing, reservedUsd: heldUsd + amount }
      })
    },

    /** Where the portal's month stands, without reserving (the admin API). Undefined when it has no budget. */
    async standing (portalId: number, month: CalendarMonth): Promise<MonthStanding | undefined> {
      const budget = await driver.first(db.select().from(portalBudgets).where(eq(portalBudgets.portalId, portalId)))
      if (budget === undefined) return undefined
      const spentUsd = budget.ledgerMonth === month.month ? budget.spentUsd : await monthSpend(driver, portalId, month)
      return { budget, month: month.month, spentUsd, reservedUsd: await held(driver, portalId) }
    },

    /** Changes a running execution's hold by `deltaUsd` (its estimate replaced by the real cost), never below 0. */
    async adjustHold (executionId: number, owner: string, deltaUsd: number): Promise<void> {
      await driver.run(db.update(executions).set({ reservedUsd: sql`${driver.sql.larger(sql`coalesce(${executions.reservedUsd}, 0) + ${deltaUsd}`, 0)}` })
        .where(and(eq(executions.id, executionId), eq(executions.leaseOwner, owner), eq(executions.status, 'running'), sql`${executions.reservedUsd} is not null`)))
    },

    /**
     * Sets a running execution's hold to `amountUsd` it spent already (a batch answer), whatever the budget's room:
     * what its batch reserved gives way to it, and `settle` counts it.
     */
    async holdSpent (executionId: number, owner: string, amountUsd: number): Promise<void> {
      await driver.run(db.update(executions).set({ reservedUsd: amountUsd })
        .where(and(eq(executions.id, executionId), eq(executions.leaseOwner, owner), eq(executions.status, 'running'))))
    },

    /** Drops a running execution's hold: its run ended without an outcome (it runs again, or another instance will). */
    async releaseHold (executionId: number, owner: string): Promise<void> {
      await driver.run(db.update(executions).set({ reservedUsd: null })
        .where(and(eq(executions.id, executionId), eq(executions.leaseOwner, owner), eq(executions.status, 'running'))))
    },

    /**
     * The execution's outcome is written: its hold gives way to its run's cost, counted into the month it started
     * in, in one transaction, once (a second call finds no hold and changes nothing). Answers the budget and the
     * month's spend after it, when the cost was counted on the current ledger.
     */
    async settle (portalId: number, executionId: number, month: string, costUsd: number): Promise<{ readonly budget: BudgetRecord, readonly spentUsd: number } | undefined> {
      return await driver.transaction(async tx => {
        // The budget row first, as `reserve` locks it, so the two never wait on each other in opposite orders.
        const budget = await tx.first(tx.db.update(portalBudgets).set({ spentUsd: sql`${portalBudgets.spentUsd} + ${costUsd}` })
          .where(and(eq(portalBudgets.portalId, portalId), eq(portalBudgets.ledgerMonth, month), sql`exists (select 1 from ${executions} where ${executions.id} = ${executionId} and ${executions.reservedUsd} is not null)`))
          .returning())
        await tx.run(tx.db.update(executions).set({ reservedUsd: null }).where(and(eq(executions.id, executionId), sql`${executions.reservedUsd} is not null`)))
        return budget === undefined ? undefined : { budget, spentUsd: budget.spentUsd }
      })
    },

    /**
     * Holds left on finished executions whose settling never ran (their instance died in between), older than
     * `before`: each is dropped and its portal's month summed afresh at the next reservation, which counts their cost.
     */
    async sweepHolds (before: number): Promise<number> {
      return await driver.transaction(async tx => {
        const stale = await tx.all(tx.db.update(executions).set({ reservedUsd: null })
          .where(and(sql`${executions.reservedUsd} is not null`, sql`${executions.status} <> 'running'`, lt(executions.finishedAt, before)))
          .returning({ portalId: executions.portalId }))
        const portalIds = [...new Set(stale.map(row => row.portalId))]
        if (portalIds.length > 0) await tx.run(tx.db.update(portalBudgets).set({ ledgerMonth: null }).where(inArray(portalBudgets.portalId, portalIds)))
        return stale.length
      })
    }
  }
}

/** One execution's reservation on its portal's budget. */
export interface Reservation {
  readonly executionId: number
  /** The instance holding the execution's lease. */
  readonly owner: string
  readonly amountUsd: number
}

/** A budget's month: what executions recorded, and what calls hold until their cost is counted. */
export interface MonthStanding {
  readonly budget: BudgetRecord
  readonly month: string
  readonly spentUsd: number
  readonly reservedUsd: number
}

/** What a reservation found: no budget, room (reserved when asked), the month spent, or the rest held by running calls. */
export type Standing =
  | { readonly kind: 'none' }
  | { readonly kind: 'lost' }
  | ({ readonly kind: 'fits' | 'exceeded' | 'held' } & MonthStanding)

export type BudgetsRepository = ReturnType<typeof createBudgetsRepository>
