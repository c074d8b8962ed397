import { useState } from 'preact/hooks'
import { api, portalPath } from '../api.ts'
import type { Budget, Provider, UsageReport, UsageRow } from '../api-types.ts'
import { day, money, nextDay, utcMonthStart, utcToday } from '../format.ts'
import { useLoad } from '../use-load.ts'
import { providerLabels } from '../use-providers.ts'
import { BudgetForm } from './budget-form.tsx'
import { EconomySaving } from './economy-saving.tsx'
import { SpendChart } from './spend-chart.tsx'
import { UsageTable, dayKey } from './usage-tables.tsx'

interface SpendScreenProps {
  readonly portalId: number
  readonly providers: readonly Provider[]
}

interface Range { readonly from: string, readonly to: string }

/** Every UTC day of the range, so days without spend show as zero bars (up to a year). */
function everyDay (range: Range, rows: readonly UsageRow[]): Array<{ day: string, costUsd: number }> {
  const cost = new Map(rows.map(row => [row.day?.slice(0, 10) ?? '', row.costUsd]))
  const days: Array<{ day: string, costUsd: number }> = []
  for (let current = range.from; current <= range.to && days.length < 366; current = nextDay(current)) {
    days.push({ day: current, costUsd: cost.get(current) ?? 0 })
  }
  return days
}

export function SpendScreen ({ portalId, providers }: SpendScreenProps) {
  const [range, setRange] = useState<Range>(() => ({ from: utcMonthStart(), to: utcToday() }))
  const [draft, setDraft] = useState<Range>(range)
  const [rangeError, setRangeError] = useState<string | undefined>(undefined)
  const budget = useLoad(async () => await api.get<Budget>(portalPath(portalId, 'budget')), [portalId])
  const usage = useLoad(async () => {
    const query = (groupBy: string) => `${portalPath(portalId, 'usage')}?from=${range.from}&to=${nextDay(range.to)}&groupBy=${groupBy}`
    const [byDay, byProvider] = await Promise.all([api.get<UsageReport>(query('day')), api.get<UsageReport>(query('provider'))])
    return { byDay, byProvider }
  }, [portalId, range.from, range.to])

  const labels = providerLabels(providers)
  const providerKey = (row: UsageRow) => row.provider == null ? 'No provider' : labels.get(row.provider) ?? row.provider
  const days = usage.data === undefined ? [] : everyDay(range, usage.data.byDay.items)
  const providerRows = usage.data?.byProvider.items ?? []

  const show = (event: Event) => {
    event.preventDefault()
    if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.from) || !/^\d{4}-\d{2}-\d{2}$/.test(draft.to)) {
      setRangeError('Enter both dates.')
      return
    }
    if (draft.from > draft.to) {
      setRangeError('"From" must not be after "To".')
      return
    }
    setRangeError(undefined)
    setRange(draft)
  }

  return (
    <>
      <h2>Spend</h2>
      {budget.error === undefined ? null : <p class='error' role='alert'>{budget.error}</p>}
      {budget.data === undefined
        ? (budget.loading ? <p>Loading the budget…</p> : null)
        : (
          <p class='headline'>
            This month: {money(budget.data.spentUsd)}
            {budget.data.reservedUsd > 0 ? <span class='hint'> ({money(budget.data.reservedUsd)} held by calls running now)</span> : null}
          </p>
          )}
      {budget.data === undefined ? null : <BudgetForm portalId={portalId} budget={budget.data} onSaved={budget.replace} />}

      <section aria-labelledby='usage-heading'>
        <h3 id='usage-heading'>Usage</h3>
        <form class='inline-form' onSubmit={show} noValidate>
          <div class='field'>
            <label for='usage-from'>From</label>
            <input id='usage-from' type='date' value={draft.from} onInput={event => { setDraft({ ...draft, from: event.currentTarget.value }) }} />
          </div>
          <div class='field'>
            <label for='usage-to'>To</label>
            <input id='usage-to' type='date' value={draft.to} onInput={event => { setDraft({ ...draft, to: event.currentTarget.value }) }} aria-describedby='usage-range-hint' />
          </div>
          <button type='submit'>Show</button>
          <p id='usage-range-hint' class='hint'>Whole days in UTC, both included.</p>
        </form>
        {rangeError === undefined ? null : <p class='error' role='alert'>{rangeError}</p>}
        {usage.error === undefined ? null : <p class='error' role='alert'>{usage.error}</p>}
        {usage.loading && usage.data === undefined ? <p>Loading usage…</p> : null}
        {usage.data !== undefined && usage.data.byDay.totals.unpricedExecutions > 0
          ? <p class='hint'>* {usage.data.byDay.totals.unpricedExecutions} executions used a model with no known price; their cost is not counted.</p>
          : null}
        {usage.data === undefined ? null : <EconomySaving totals={usage.data.byDay.totals} />}
        <div class='chart-pair'>
          <SpendChart label='Spend per day' categories={days.map(entry => day(entry.day))} values={days.map(entry => entry.costUsd)} />
          <UsageTable caption='Spend per day' keyHeading='Day' rows={usage.data?.byDay.items ?? []} keyOf={dayKey} totals={usage.data?.byDay.totals} />
        </div>
        <div class='chart-pair'>
          <SpendChart label='Spend per provider' categories={providerRows.map(providerKey)} values={providerRows.map(row => row.costUsd)} />
          <UsageTable caption='Spend per provider' keyHeading='Provider' rows={providerRows} keyOf={providerKey} totals={usage.data?.byProvider.totals} />
        </div>
      </section>
    </>
  )
}
