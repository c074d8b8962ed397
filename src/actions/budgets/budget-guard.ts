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
  /** The month's spend being read: what runs record meanwhile, which the read may or may not see. */
  reading?: SpendRead
}

/** A read of a month's spend in progress, and the costs recorded while it runs. */
interface SpendRead extends CalendarMonth {
  closedUsd: number
}

/** One run of one execution's claim on its portal's budget, from its first provider call to its recorded outcome. */
export interface BudgetHold {
  /**
   * Rejects with BUDGET_EXCEEDED when the month's budget is spent, or BUDGET_HELD when what is left is held by calls
   * running now (checked before waiting for a connection). Resolves with whether the portal has a budget at all.
   */
  ensureRemaining (): Promise<boolean>
  /**
   * Checks that the month's spend, what running calls hold and this call's estimate stay within the limit, and
   * reserves the estimate, in one synchronous step once the portal's budget is loaded: concurrent executions cannot
   * all pass on the same remainder. Rejects with BUDGET_EXCEEDED when the spend alone leaves no room for this call
   * (HubSpot must not retry), and with BUDGET_HELD, a retry, when only running calls' holds stand in the way.
   * Resolves with `settle`, to call when the call ends with its real cost (0 if unknown). The estimate is worked out
   * only when the portal has a budget: without one a call costs no price lookup.
   */
  reserve (estimate: () => number): Promise<(actualUsd: number) => void>
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
  status (portalId: number): Promise<BudgetStatus | undefined>
  /** The portal's budget changed: read it again at its next use (spend is kept unless its months changed). */
  refresh (portalId: number): void
}

export interface BudgetGuardOptions {
  readonly budgets: Pick<BudgetsRepository, 'find' | 'monthSpend' | 'markWarned'>
  readonly clock: () => number
  readonly log: Logger
}

/** A hold with nothing to check, for callers outside the engine (step tests). */
export const NO_BUDGET: BudgetHold = { ensureRemaining: async () => false, reserve: async () => () => undefined, close () {} }

/** Seconds HubSpot is asked to wait while the budget is held: about as long as a call takes. */
export const BUDGET_HELD_RETRY_SECONDS = 10

/** Cents from a dollar up; below, up to a millionth of a dollar, so a small test budget reads as what it is. */
function usd (amount: number): string {
  const value = Math.max(0, amount)
  return `${value >= 1 ? value.toFixed(2) : formatCost(value)} USD`
}

/**
 * The monthly budget check. Budgets and the month's spend live in memory, read once per portal and month (and
 * again after a PUT), so the check adds no query to an execution. This process must be the database's only
 * writer of executions and budgets, as the connection cache already assumes. A read in progress is shared by every
 * caller that needs it, and the check that follows it runs in one synchronous step.
 */
export function createBudgetGuard (options: BudgetGuardOptions): BudgetGuard {
  const { budgets, clock, log } = options
  const states = new Map<number, PortalState>()
  const loading = new Map<number, Promise<PortalState>>()

  function warnIfCrossed (portalId: number, state: PortalState, ledger: MonthLedger): void {
    const budget = state.budget
    if (budget === null || budget === undefined || budget.warnAtPercent === null || state.warnedMonth === ledger.month) return
    if (ledger.spentUsd < budget.monthlyLimitUsd * budget.warnAtPercent / 100) return
    state.warnedMonth = ledger.month
    log.warn({ portalId, month: ledger.month, spentUsd: ledger.spentUsd, monthlyLimitUsd: budget.monthlyLimitUsd, warnAtPercent: budget.warnAtPercent },
      `portal ${portalId} has spent ${usd(ledger.spentUsd)} of its ${usd(budget.monthlyLimitUsd)} budget for ${ledger.month} (warning at ${budget.warnAtPercent}%)`)
    // Not fatal: the warning was logged; at worst a restart logs it once more.
    budgets.markWarned(portalId, ledger.month).catch((error: unknown) => {
      log.error({ portalId, error: (error as Error).message }, 'could not remember that the budget warning was logged')
    })
  }

  /** Whether the portal's state needs a read: its budget unknown, or its ledger missing or on another month. */
  function stale (state: PortalState | undefined): boolean {
    if (state === undefined || state.budget === undefined) return true
    if (state.budget === null) return false
    const now = clock()
    const ledger = state.ledger
    return ledger === undefined || ledger.timeZone !== state.budget.timeZone || now < ledger.startMs || now >= ledger.endMs
  }

  /** The portal's state with its budget read and its ledger on the current month (read only when needed, once). */
  async function current (portalId: number): Promise<PortalState> {
    const known = states.get(portalId)
    if (!stale(known)) return known as PortalState
    const pending = loading.get(portalId)
    if (pending !== undefined) return await pending
    // A budget PUT during the read (refresh) makes it stale: it is then read again rather than written.
    const superseded = () => loading.get(portalId) !== load
    const load: Promise<PortalState> = (async () => {
      let state = states.get(portalId)
      if (state === undefined) {
        state = { budget: undefined, warnedMonth: null }
        states.set(portalId, state)
      }
      if (state.budget === undefined) {
        const budget = await budgets.find(portalId) ?? null
        if (superseded()) return await current(portalId)
        state.budget = budget
        state.warnedMonth = budget?.warnedMonth ?? null
        if (budget === null) state.ledger = undefined
      }
      const budget = state.budget
      if (budget === null || budget === undefined || !stale(state)) return state
      const month = monthOf(clock(), budget.timeZone)
      const reading: SpendRead = { ...month, closedUsd: 0 }
      state.reading = reading
      let spentUsd: number
      try {
        spentUsd = await budgets.monthSpend(portalId, month.startMs, month.endMs)
      } finally {
        if (state.reading === reading) state.reading = undefined
      }
      if (superseded()) return await current(portalId)
      // A run that recorded its cost while the sum was read may be missing from it: it counts again here. Counted
      // twice at worst, until the month is read anew, which errs on the side of spending less, never more.
      // Reservations made on the ledger this one replaces stay with it (their holds release it on close).
      const fresh = { ...month, timeZone: budget.timeZone, spentUsd: spentUsd + reading.closedUsd, reservedUsd: 0 }
      state.ledger = fresh
      warnIfCrossed(portalId, state, fresh)
      return state
    })().finally(() => { if (!superseded()) loading.delete(portalId) })
    loading.set(portalId, load)
    return await load
  }

  /**
   * The portal's state, loaded, as the caller resumes: a budget PUT or a new month between the read and the
   * caller's turn reads it again, so the synchronous check that follows never runs on a state being replaced.
   */
  async function loaded (portalId: number): Promise<PortalState> {
    let state = await current(portalId)
    while (stale(state)) state = await current(portalId)
    return state
  }

  function exceeded (portalId: number, budget: BudgetRecord, ledger: MonthLedger, estimateUsd: number): AppError {
    const next = estimateUsd > 0 ? `, and this call could cost up to ${usd(estimateUsd)}` : ''
    return new AppError('BUDGET_EXCEEDED', `Portal ${portalId} has spent ${usd(ledger.spentUsd)} of its ${usd(budget.monthlyLimitUsd)} monthly budget for ${ledger.month}${next}; ` +
      `no provider was called. Raise the limit with PUT /api/portals/${portalId}/budget, or wait for next month.`)
  }

  function held (portalId: number, budget: BudgetRecord, ledger: MonthLedger, estimateUsd: number): AppError {
    const next = estimateUsd > 0 ? ` this call's ${usd(estimateUsd)}` : ' another call'
    return new AppError('BUDGET_HELD', `Portal ${portalId} has spent ${usd(ledger.spentUsd)} of its ${usd(budget.monthlyLimitUsd)} monthly budget for ${ledger.month}, ` +
      `and ${usd(ledger.reservedUsd)} is held by calls running now, which leaves no room for${next} until they end; no provider was called, HubSpot will retry.`,
    { retryAfterSeconds: BUDGET_HELD_RETRY_SECONDS })
  }

  function open (portalId: number): BudgetHold {
    const openedAt = clock()
    // Each reservation stays on the ledger it was made on, so a month that turns over mid-call releases cleanly.
    const holdings = new Map<MonthLedger, number>()
    let settledUsd = 0
    let closed = false

    // Synchronous from the state on: the check and the reservation it allows happen in one step.
    function check (state: PortalState, estimate: () => number): { ledger: MonthLedger, estimateUsd: number } | undefined {
      const { budget, ledger } = state
      if (budget === null || budget === undefined || ledger === undefined) return undefined
      const estimateUsd = estimate()
      const limit = budget.monthlyLimitUsd
      // Nothing left stops even a call estimated at 0 (a model without a known price).
      if (ledger.spentUsd >= limit || ledger.spentUsd + estimateUsd > limit) throw exceeded(portalId, budget, ledger, estimateUsd)
      const committed = ledger.spentUsd + ledger.reservedUsd
      if (committed >= limit || committed + estimateUsd > limit) throw held(portalId, budget, ledger, estimateUsd)
      return { ledger, estimateUsd }
    }

    return {
      async ensureRemaining () { return check(await loaded(portalId), () => 0) !== undefined },

      async reserve (estimate) {
        const checked = check(await loaded(portalId), estimate)
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
        const state = states.get(portalId)
        const reading = state?.reading
        if (reading !== undefined && openedAt >= reading.startMs && openedAt < reading.endMs) reading.closedUsd += recordedUsd ?? settledUsd
        // No read here: a ledger loaded from now on already finds this outcome in the database. The cost counts on
        // the ledger in memory only if its month is the one this run started in (the database dates it so too).
        const ledger = state?.ledger
        if (state === undefined || state.budget === null || ledger === undefined || openedAt < ledger.startMs || openedAt >= ledger.endMs) return
        ledger.spentUsd += recordedUsd ?? settledUsd
        warnIfCrossed(portalId, state, ledger)
      }
    }
  }

  return {
    open,

    async status (portalId) {
      const state = await loaded(portalId)
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
      loading.delete(portalId)
    }
  }
}
