import type { Execution } from '../api-types.ts'
import { money } from '../format.ts'

/** Where an economy execution is, or what became of it, in one line; undefined for a standard execution. */
export function economyText (execution: Execution): string | undefined {
  if (execution.processing !== 'economy') return undefined
  switch (execution.economyState) {
    case 'waiting': return 'Economy: waiting for its batch'
    case 'batched': return 'Economy: in a provider batch'
    case 'answered': return `Economy: answered by its batch${execution.savedUsd === null ? '' : `, saved ${money(execution.savedUsd)}`}`
    // The note says why, in a sentence of its own that starts with "Economy:".
    case 'standard': return execution.economyNote ?? 'Economy: ran as a standard call'
    case null: return 'Economy'
  }
}
