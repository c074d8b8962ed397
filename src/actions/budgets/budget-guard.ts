import type { BudgetRecord, BudgetsRepository } from '../../../db/repositories/budgets-repository.ts'
import { AppError } from '../../../plugins/errors.ts'
import type { Logger } from '../../../plugins/logger.ts'
import { monthOf, type CalendarMonth } from './month-of.ts'
import { formatCost } from '../pricing/attempt-cost.ts'

/** One portal's month as the check sees it: what finished executions recorded, and what running calls hold. */
interface MonthLedger extends CalendarMonth {
  readonly timeZone: string | null
  /** Recorded cost of the month's executions: the database's sum when loaded, plus each one finished since. */
  spentUsd: number
  /** Estimates of calls in flight, and the real cost of calls done whose execution has not finished yet. */
  reservedUsd: number
}

interface PortalState {
  /** The budget; null for none (cached too, so such a portal costs no query); undefined until read again. */
  budget: BudgetRecord | null | undefined
  ledger?: MonthLedger
  warnedMonth: string | null
}

/** One run of one execution's claim on its portal's budget, from its first provider call to its recorded outcome. */
export interface BudgetHold {
  /** Throws BUDGET_EXCEEDED when the month's budget is already used up (checked before waiting for a connection). */
  ensureRemaining (): void
  /**
   * Checks that the month's spend, what running calls hold and this call's estimate stay within the limit, and
   * reserves the estimate, in one synchronous step: concurrent executions cannot all pass on the same remainder.
   * Throws BUDGET_EXCEEDED otherwise. Returns `settle`, to call when the call ends with its real cost (0 if unknown).
   * The estimate is worked out only when the portal has a budget: without one a call costs no price lookup.
   */
  reserve (estimate: () => number): (actualUsd: number) => void
  /** The run's outcome is written: its holds go and its recorded cost counts (else the settled calls' total). */
  close (recordedUsd: number | undefined): void
}

/** A portal's budget and where its month stands, for the admin API. */
export interface BudgetStatus {
  readonly budget: BudgetRecord
  readonly month: string
  readonly spentUsd: number
  readonly reservedUsd: number
  readonly remainingUsd: number
  readonly warned: boolean
}

export interface BudgetGuard {
  /** Starts a run's hold; costs a map lookup for a portal already seen, and one read for a new one. */
  open (portalId: number): BudgetHold
  status (portalId: number): BudgetStatus | undefined
  /** The portal's budget changed: read it again at its next use (spend is kept unless its months changed). */
  refresh (portalId: number): void
}

export interface BudgetGuardOptions {
  readonly budgets: Pick<BudgetsRepository, 'find' | 'monthSpend' | 'markWarned'>
  readonly clock: () => number
  readonly log: Logger
}

/** A hold with nothing to check, for callers outside the engine (step tests). */
export const NO_BUDGET: BudgetHold = { ensureRemaining () {}, reserve: () => () => undefined, close () {} }

/** Cents from a dollar up; below, up to a millionth of a dollar, so a small test budget reads as what it is. */
function usd (amount: number): string {
  const value = Math.max(0, amount)
  return `${value >= 1 ? value.toFixed(2) : formatCost(value)} USD`
}

/**
 * The monthly budget check. Budgets and the month's spend live in memory, read once per portal and month (and
 * again after a PUT), so the check adds no query to an execution. This process must be the database's only
 * writer of executions and budgets, as the connection cache already assumes.
 */
export function createBudgetGuard (options: BudgetGuardOptions): BudgetGuard {
  const { budgets, clock, log } = options
  const states = new Map<number, PortalState>()

  function warnIfCrossed (portalId: number, state: PortalState, ledger: MonthLedger): void {
    const budget = state.budget
    if (budget === null || budget === undefined || budget.warnAtPercent === null || state.warnedMonth === ledger.month) return
    if (ledger.spentUsd < budget.monthlyLimitUsd * budget.warnAtPercent / 100) return
    state.warnedMonth = ledger.month
    log.warn({ portalId, month: ledger.month, spentUsd: ledger.spentUsd, monthlyLimitUsd: budget.monthlyLimitUsd, warnAtPercent: budget.warnAtPercent },
      `portal ${portalId} has spent ${usd(ledger.spentUsd)} of its ${usd(budget.monthlyLimitUsd)} budget for ${ledger.month} (warning at ${budget.warnAtPercent}%)`)
    try {
      budgets.markWarned(portalId, ledger.month)
    } catch (error) {
      // Not fatal: the warning was logged; at worst a restart logs it once more.
      log.error({ portalId, error: (error as Error).message }, 'could not remember that the budget warning was logged')
    }
  }

  /** The portal's state with its budget read and its ledger on the current month (both only when needed). */
  function current (portalId: number): PortalState {
    let state = states.get(portalId)
    if (state === undefined) {
      state = { budget: undefined, warnedMonth: null }
      states.set(portalId, state)
    }
    if (state.budget === undefined) {
      const budget = budgets.find(portalId) ?? null
      state.budget = budget
      state.warnedMonth = budget?.warnedMonth ?? null
      if (budget === null) state.ledger = undefined
    }
    const budget = state.budget
    if (budget === null) return state
    const now = clock()
    const ledger = state.ledger
    if (ledger === undefined || ledger.timeZone !== budget.timeZone || now < ledger.startMs || now >= ledger.endMs) {
      const month = monthOf(now, budget.timeZone)
      const fresh = { ...month, timeZone: budget.timeZone, spentUsd: budgets.monthSpend(portalId, month.startMs, month.endMs), reservedUsd: 0 }
      state.ledger = fresh
      warnIfCrossed(portalId, state, fresh)
    }
    return state
  }

  function exceeded (portalId: number, budget: BudgetRecord, ledger: MonthLedger, estimateUsd: number): AppError {
    const held = ledger.reservedUsd > 0.005 ? ` (and ${usd(ledger.reservedUsd)} is held by calls running now)` : ''
    const next = estimateUsd > 0 ? `, and this call could cost up to ${usd(estimateUsd)}` : ''
    return new AppError('BUDGET_EXCEEDED', `Portal ${portalId} has spent ${usd(ledger.spentUsd)} of its ${usd(budget.monthlyLimitUsd)} monthly budget for ${ledger.month}${held}${next}; ` +
      `no provider was called. Raise the limit with PUT /api/portals/${portalId}/budget, or wait for next month.`)
  }

  function open (portalId: number): BudgetHold {
    const openedAt = clock()
    // Each reservation stays on the ledger it was made on, so a month that turns over mid-call releases cleanly.
    const holdings = new Map<MonthLedger, number>()
    let settledUsd = 0
    let closed = false

    function check (estimate: () => number): { ledger: MonthLedger, estimateUsd: number } | undefined {
      const state = current(portalId)
      const { budget, ledger } = state
      if (budget === null || budget === undefined || ledger === undefined) return undefined
      const estimateUsd = estimate()
      const committed = ledger.spentUsd + ledger.reservedUsd
      // Nothing left stops even a call estimated at 0 (a model without a known price).
      if (committed >= budget.monthlyLimitUsd || committed + estimateUsd > budget.monthlyLimitUsd) throw exceeded(portalId, budget, ledger, estimateUsd)
      return { ledger, estimateUsd }
    }

    return {
      ensureRemaining () { check(() => 0) },

      reserve (estimate) {
        const checked = check(estimate)
        if (checked === undefined) return actualUsd => { settledUsd += actualUsd }
        const { ledger, estimateUsd } = checked
        ledger.reservedUsd += estimateUsd
        holdings.set(ledger, (holdings.get(ledger) ?? 0) + estimateUsd)
        let settled = false
        return actualUsd => {
          if (settled) return
          settled = true
          settledUsd += actualUsd
          // The estimate gives way to the real cost, held until the execution's outcome is recorded.
          ledger.reservedUsd += actualUsd - estimateUsd
          holdings.set(ledger, (holdings.get(ledger) ?? 0) + actualUsd - estimateUsd)
        }
      },

      close (recordedUsd) {
        if (closed) return
        closed = true
        for (const [ledger, amount] of holdings) ledger.reservedUsd = Math.max(0, ledger.reservedUsd - amount)
        // No read here: a ledger loaded from now on already finds this outcome in the database. The cost counts on
        // the ledger in memory only if its month is the one this run started in (the database dates it so too).
        const state = states.get(portalId)
        const ledger = state?.ledger
        if (state === undefined || state.budget === null || ledger === undefined || openedAt < ledger.startMs || openedAt >= ledger.endMs) return
        ledger.spentUsd += recordedUsd ?? settledUsd
        warnIfCrossed(portalId, state, ledger)
      }
    }
  }

  return {
    open,

    status (portalId) {
      const state = current(portalId)
      const { budget, ledger } = state
      if (budget === null || budget === undefined || ledger === undefined) return undefined
      return {
        budget,
        month: ledger.month,
        spentUsd: ledger.spentUsd,
        reservedUsd: Math.max(0, ledger.reservedUsd),
        remainingUsd: Math.max(0, budget.monthlyLimitUsd - ledger.spentUsd - ledger.reservedUsd),
        warned: state.warnedMonth === ledger.month
      }
    },

    refresh (portalId) {
      const state = states.get(portalId)
      if (state !== undefined) state.budget = undefined
    }
  }
}
