import type { BudgetRecord, BudgetsRepository, Standing } from '../../../db/repositories/budgets-repository.ts'
import { AppError } from '../../../plugins/errors.ts'
import type { Logger } from '../../../plugins/logger.ts'
import { formatCost } from '../../../providers/pricing/attempt-cost.ts'
import { monthOf } from './month-of.ts'

/** One run of one execution's claim on its portal's budget, from its first provider call to its recorded outcome. */
export interface BudgetHold {
  /**
   * Rejects with BUDGET_EXCEEDED when the month's budget is spent, or BUDGET_HELD when what is left is held by calls
   * running now (checked before waiting for a connection). Resolves with whether the portal has a budget at all.
   */
  ensureRemaining (): Promise<boolean>
  /**
   * Reserves the call's estimate on the execution's row, in the database, only while the month's spend, what every
   * instance's running calls hold and this estimate stay within the limit. Rejects with BUDGET_EXCEEDED when the
   * spend alone leaves no room for this call (HubSpot must not retry), and with BUDGET_HELD, a retry, when only
   * running calls' holds stand in the way. Resolves with `settle`, to call when the call ends with its real cost
   * (0 if unknown). The estimate is worked out only when the portal has a budget: without one a call costs no price
   * lookup and no query.
   */
  reserve (estimate: () => number): Promise<(actualUsd: number) => void>
  /**
   * The execution already spent `actualUsd` (a batch answer, paid whatever the budget says now): it is held on the
   * execution's row in place of what its batch reserved, and counted like a call's cost when the outcome is written.
   */
  carry (actualUsd: number): Promise<void>
  /**
   * The run is over: with its outcome written, its hold gives way to its recorded cost (counted once, in the month
   * it started in); without (it runs again, or was interrupted), the hold is dropped.
   */
  close (outcome: { readonly written: true, readonly costUsd: number | undefined } | { readonly written: false }): Promise<void>
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
  /** Starts a run's hold for an execution this instance holds the lease of. */
  open (portalId: number, executionId: number): BudgetHold
  status (portalId: number): Promise<BudgetStatus | undefined>
  /** The portal's budget changed (here or on another instance): read it again at its next use. */
  refresh (portalId: number): void
  /** Every cached budget is read again at its next use (the change feed was interrupted). */
  refreshAll (): void
}

export interface BudgetGuardOptions {
  readonly budgets: Pick<BudgetsRepository, 'find' | 'reserve' | 'standing' | 'adjustHold' | 'holdSpent' | 'releaseHold' | 'settle' | 'markWarned'>
  readonly clock: () => number
  readonly log: Logger
  /** This instance (`INSTANCE_ID`): holds are written only on executions it holds the lease of. */
  readonly owner: string
  /** How long whether a portal has a budget is believed without a change notice: a safety net for a missed one. */
  readonly cacheTtlMs?: number
}

/** A hold with nothing to check, for callers outside the engine (step tests). */
export const NO_BUDGET: BudgetHold = { ensureRemaining: async () => false, reserve: async () => () => undefined, carry: async () => undefined, close: async () => undefined }

/** Seconds HubSpot is asked to wait while the budget is held: about as long as a call takes. */
export const BUDGET_HELD_RETRY_SECONDS = 10
const BUDGET_CACHE_TTL_MS = 5_000

/** Cents from a dollar up; below, up to a millionth of a dollar, so a small test budget reads as what it is. */
function usd (amount: number): string {
  const value = Math.max(0, amount)
  return `${value >= 1 ? value.toFixed(2) : formatCost(value)} USD`
}

type Measured = Exclude<Standing, { kind: 'none' } | { kind: 'lost' }>

function exceeded (portalId: number, standing: Measured, estimateUsd: number): AppError {
  const next = estimateUsd > 0 ? `, and this call could cost up to ${usd(estimateUsd)}` : ''
  return new AppError('BUDGET_EXCEEDED', `Portal ${portalId} has spent ${usd(standing.spentUsd)} of its ${usd(standing.budget.monthlyLimitUsd)} monthly budget for ${standing.month}${next}; ` +
    `no provider was called. Raise the limit with PUT /api/portals/${portalId}/budget, or wait for next month.`)
}

function held (portalId: number, standing: Measured, estimateUsd: number): AppError {
  const next = estimateUsd > 0 ? ` this call's ${usd(estimateUsd)}` : ' another call'
  return new AppError('BUDGET_HELD', `Portal ${portalId} has spent ${usd(standing.spentUsd)} of its ${usd(standing.budget.monthlyLimitUsd)} monthly budget for ${standing.month}, ` +
    `and ${usd(standing.reservedUsd)} is held by calls running now, which leaves no room for${next} until they end; no provider was called, HubSpot will retry.`,
  { retryAfterSeconds: BUDGET_HELD_RETRY_SECONDS })
}

/**
 * The monthly budget check. The money lives in the database: each call reserves its estimate on its execution's row
 * inside a transaction that locks the budget's row, the real cost replaces the estimate when the call ends, and the
 * recorded cost moves onto the budget's ledger once the outcome is written. So it holds across any number of
 * instances, and the holds of an instance that died go with its leases. Memory keeps only whether a portal has a
 * budget (refreshed on a change notice, and after a short time-to-live), so a portal without one costs no query.
 */
export function createBudgetGuard (options: BudgetGuardOptions): BudgetGuard {
  const { budgets, clock, log, owner } = options
  const ttlMs = options.cacheTtlMs ?? BUDGET_CACHE_TTL_MS
  const known = new Map<number, { readonly budget: BudgetRecord | null, readonly readAt: number }>()
  let changes = 0

  async function budgetOf (portalId: number): Promise<BudgetRecord | null> {
    const entry = known.get(portalId)
    if (entry !== undefined && clock() - entry.readAt < ttlMs) return entry.budget
    const changesBefore = changes
    const budget = await budgets.find(portalId) ?? null
    // A change that overtook the read is not cached: the next use reads again.
    if (changes === changesBefore) known.set(portalId, { budget, readAt: clock() })
    return budget
  }

  /** Throws what the standing refuses; answers whether the portal has a budget (none: it was just removed). */
  function judge (portalId: number, standing: Standing, estimateUsd: number): standing is Measured {
    if (standing.kind === 'none') {
      known.set(portalId, { budget: null, readAt: clock() })
      return false
    }
    if (standing.kind === 'lost') throw new AppError('INTERNAL', 'Another instance took this execution over; this run stops.')
    if (standing.kind === 'exceeded') throw exceeded(portalId, standing, estimateUsd)
    if (standing.kind === 'held') throw held(portalId, standing, estimateUsd)
    return true
  }

  async function warnIfCrossed (portalId: number, budget: BudgetRecord, month: string, spentUsd: number): Promise<void> {
    if (budget.warnAtPercent === null || budget.warnedMonth === month) return
    if (spentUsd < budget.monthlyLimitUsd * budget.warnAtPercent / 100) return
    // Marked first, conditionally: of several instances crossing it at once, one logs it.
    if (!await budgets.markWarned(portalId, month)) return
    log.warn({ portalId, month, spentUsd, monthlyLimitUsd: budget.monthlyLimitUsd, warnAtPercent: budget.warnAtPercent },
      `portal ${portalId} has spent ${usd(spentUsd)} of its ${usd(budget.monthlyLimitUsd)} budget for ${month} (warning at ${budget.warnAtPercent}%)`)
  }

  function open (portalId: number, executionId: number): BudgetHold {
    const openedAt = clock()
    /** The month the run started in, once it reserved: its cost is counted there. */
    let reservedIn: string | undefined
    let settledUsd = 0
    let adjusting: Promise<void> = Promise.resolve()
    let closed = false

    const monthFor = (budget: BudgetRecord) => monthOf(openedAt, budget.timeZone)

    return {
      async ensureRemaining () {
        const budget = await budgetOf(portalId)
        if (budget === null) return false
        // A read, without the reservation's lock: only to fail early; the reservation checks again under the lock.
        const standing = await budgets.standing(portalId, monthFor(budget))
        if (standing === undefined) return judge(portalId, { kind: 'none' }, 0)
        const limit = standing.budget.monthlyLimitUsd
        const kind = standing.spentUsd >= limit ? 'exceeded' : standing.spentUsd + standing.reservedUsd >= limit ? 'held' : 'fits'
        return judge(portalId, { kind, ...standing }, 0)
      },

      async reserve (estimate) {
        const budget = await budgetOf(portalId)
        if (budget === null) return actualUsd => { settledUsd += actualUsd }
        const estimateUsd = estimate()
        const month = monthFor(budget)
        const standing = await budgets.reserve(portalId, month, { executionId, owner, amountUsd: estimateUsd })
        if (!judge(portalId, standing, estimateUsd)) return actualUsd => { settledUsd += actualUsd }
        reservedIn = month.month
        let settled = false
        return actualUsd => {
          if (settled) return
          settled = true
          settledUsd += actualUsd
          // The estimate gives way to the real cost, held until the outcome's cost is counted.
          adjusting = adjusting.then(() => budgets.adjustHold(executionId, owner, actualUsd - estimateUsd)).catch((error: unknown) => {
            log.error({ portalId, executionId, error: (error as Error).message }, 'could not replace a budget estimate by the real cost; the estimate stays held until the outcome is written')
          })
        }
      },

      async carry (actualUsd) {
        settledUsd += actualUsd
        const budget = await budgetOf(portalId)
        if (budget === null) return
        await budgets.holdSpent(executionId, owner, actualUsd)
        reservedIn = monthFor(budget).month
      },

      async close (outcome) {
        if (closed) return
        closed = true
        await adjusting
        if (reservedIn === undefined) return
        try {
          if (!outcome.written) {
            await budgets.releaseHold(executionId, owner)
            return
          }
          const counted = await budgets.settle(portalId, executionId, reservedIn, outcome.costUsd ?? settledUsd)
          if (counted !== undefined) await warnIfCrossed(portalId, counted.budget, reservedIn, counted.spentUsd)
        } catch (error) {
          // Nothing is lost: a hold left on a finished execution is swept, and its month summed afresh.
          log.error({ portalId, executionId, error: (error as Error).message }, 'could not count an execution\'s cost on its budget; it stays held until swept')
        }
      }
    }
  }

  return {
    open,

    async status (portalId) {
      const budget = await budgetOf(portalId)
      if (budget === null) return undefined
      const standing = await budgets.standing(portalId, monthOf(clock(), budget.timeZone))
      if (standing === undefined) return undefined
      return {
        budget: standing.budget,
        month: standing.month,
        spentUsd: standing.spentUsd,
        reservedUsd: Math.max(0, standing.reservedUsd),
        remainingUsd: Math.max(0, standing.budget.monthlyLimitUsd - standing.spentUsd - standing.reservedUsd),
        warned: standing.budget.warnedMonth === standing.month
      }
    },

    refresh (portalId) {
      changes++
      known.delete(portalId)
    },

    refreshAll () {
      changes++
      known.clear()
    }
  }
}
