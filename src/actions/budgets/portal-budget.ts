import type { BudgetSettings, BudgetsRepository } from '../../../db/repositories/budgets-repository.ts'
import { AppError } from '../../../plugins/errors.ts'
import type { BudgetGuard } from './budget-guard.ts'
import { canonicalTimeZone, monthOf } from './month-of.ts'

/**
 * A portal's budget as the admin API shows it. Without a budget the limit fields are null and the month is UTC's,
 * with the spend recorded so far; nothing is reserved, since no check runs.
 */
export interface BudgetView {
  readonly monthlyLimitUsd: number | null
  readonly warnAtPercent: number | null
  readonly timeZone: string | null
  readonly month: string
  readonly spentUsd: number
  readonly reservedUsd: number
  readonly remainingUsd: number | null
  readonly warned: boolean
}

export interface BudgetServices {
  readonly budgets: Pick<BudgetsRepository, 'monthSpend' | 'save'>
  readonly guard: BudgetGuard
  readonly clock: () => number
}

/** Rounds to a thousandth of a cent: enough for any sum of token prices, without float noise in the JSON. */
const money = (amount: number) => Math.round(amount * 100_000) / 100_000

export async function budgetView (services: BudgetServices, portalId: number): Promise<BudgetView> {
  const status = await services.guard.status(portalId)
  if (status === undefined) {
    const month = monthOf(services.clock(), null)
    const spent = await services.budgets.monthSpend(portalId, month.startMs, month.endMs)
    return { monthlyLimitUsd: null, warnAtPercent: null, timeZone: null, month: month.month, spentUsd: money(spent), reservedUsd: 0, remainingUsd: null, warned: false }
  }
  const { budget } = status
  return {
    monthlyLimitUsd: budget.monthlyLimitUsd,
    warnAtPercent: budget.warnAtPercent,
    timeZone: budget.timeZone,
    month: status.month,
    spentUsd: money(status.spentUsd),
    reservedUsd: money(status.reservedUsd),
    remainingUsd: money(status.remainingUsd),
    warned: status.warned
  }
}

/** What a PUT sends: the limit, and optionally the warning threshold and time zone (absent means none and UTC). */
export interface BudgetInput {
  readonly monthlyLimitUsd: number
  readonly warnAtPercent?: number | null
  readonly timeZone?: string | null
}

/**
 * Sets or (with null) removes the portal's budget, audited, and has the check read it again at once: a raised limit
 * lets the next execution through. Answers the budget as it now stands.
 */
export async function saveBudget (services: BudgetServices, portalId: number, input: BudgetInput | null, actor: string, at: number): Promise<BudgetView> {
  let settings: BudgetSettings | null = null
  if (input !== null) {
    const timeZone = input.timeZone === undefined || input.timeZone === null ? null : canonicalTimeZone(input.timeZone)
    if (timeZone === undefined) {
      throw new AppError('INVALID_INPUT', `body.timeZone "${String(input.timeZone)}" is not a time zone this service knows: use an IANA name such as "Europe/Paris" or "America/New_York", or null for UTC.`)
    }
    settings = { monthlyLimitUsd: input.monthlyLimitUsd, warnAtPercent: input.warnAtPercent ?? null, timeZone }
  }
  await services.budgets.save(portalId, settings, actor, at)
  services.guard.refresh(portalId)
  return await budgetView(services, portalId)
}
