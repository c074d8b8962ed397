import type { BudgetSettings, BudgetsRepository } from '../../../db/repositories/budgets-repository.ts'
import { AppError } from '../../../plugins/errors.ts'
import type { Budget, BudgetBody } from '../../schemas/admin/budget.ts'
import type { BudgetGuard } from './budget-guard.ts'
import { canonicalTimeZone, monthOf } from './month-of.ts'

export interface BudgetServices {
  readonly budgets: Pick<BudgetsRepository, 'monthSpend' | 'save'>
  readonly guard: BudgetGuard
  readonly clock: () => number
}

/** Rounds to a thousandth of a cent: enough for any sum of token prices, without float noise in the JSON. */
const money = (amount: number) => Math.round(amount * 100_000) / 100_000

/** A portal's budget with this month's spend, as the admin API shows it. */
export async function budgetView (services: BudgetServices, portalId: number): Promise<Budget> {
  const status = await services.guard.status(portalId)
  if (status === undefined) {
    const month = monthOf(services.clock(), null)
    const spent = await services.budgets.monthSpend(portalId, month)
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

/**
 * Sets or (with null, or a null limit) removes the portal's budget, audited, and has the check read it again at once:
 * a raised limit lets the next execution through. Answers the budget as it now stands.
 */
export async function saveBudget (services: BudgetServices, portalId: number, input: BudgetBody, actor: string, at: number): Promise<Budget> {
  let settings: BudgetSettings | null = null
  if (input !== null && input.monthlyLimitUsd !== null) {
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
