import type { UsageRow, UsageTotals } from '../api-types.ts'
import { count, day, money } from '../format.ts'

interface UsageTableProps {
  readonly caption: string
  readonly keyHeading: string
  readonly rows: readonly UsageRow[]
  readonly keyOf: (row: UsageRow) => string
  readonly totals: UsageTotals | undefined
}

/** The numbers behind a chart, as text. */
export function UsageTable ({ caption, keyHeading, rows, keyOf, totals }: UsageTableProps) {
  return (
    <table class='numbers'>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope='col'>{keyHeading}</th>
          <th scope='col'>Executions</th>
          <th scope='col'>Tokens</th>
          <th scope='col'>Cost</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0
          ? <tr><td colSpan={4}>No executions in this range.</td></tr>
          : rows.map(row => (
            <tr key={keyOf(row)}>
              <th scope='row'>{keyOf(row)}</th>
              <td>{count(row.executions)}{row.errors > 0 ? ` (${count(row.errors)} failed)` : ''}</td>
              <td>{count(row.inputTokens + row.outputTokens)}</td>
              <td>{money(row.costUsd)}{row.unpricedExecutions > 0 ? ' *' : ''}</td>
            </tr>
          ))}
      </tbody>
      {totals === undefined || rows.length === 0
        ? null
        : (
          <tfoot>
            <tr>
              <th scope='row'>Total</th>
              <td>{count(totals.executions)}</td>
              <td>{count(totals.inputTokens + totals.outputTokens)}</td>
              <td>{money(totals.costUsd)}</td>
            </tr>
          </tfoot>
          )}
    </table>
  )
}

export function dayKey (row: UsageRow): string {
  return row.day === undefined ? '—' : day(row.day)
}
