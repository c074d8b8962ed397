import type { UsageTotals } from '../api-types.ts'
import { count, money } from '../format.ts'

/** Economy apart from standard for the range: what economy executions cost, and what the batch price saved. */
export function EconomySaving ({ totals }: { readonly totals: UsageTotals }) {
  if (totals.economyExecutions === 0) return <p class='hint'>No economy executions in this range.</p>
  return (
    <dl class='facts economy-saving'>
      <dt>Economy executions</dt>
      <dd>{count(totals.economyExecutions)} of {count(totals.executions)}</dd>
      <dt>Economy cost</dt>
      <dd>{money(totals.economyCostUsd)}</dd>
      <dt>Saved by economy</dt>
      <dd>{money(totals.savedUsd)} <span class='hint'>against standard prices</span></dd>
    </dl>
  )
}
