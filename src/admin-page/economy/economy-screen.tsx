import { api, portalPath } from '../api.ts'
import type { EconomyReport, Provider } from '../api-types.ts'
import { money } from '../format.ts'
import { LoadOlder } from '../load-older.tsx'
import { usePages } from '../use-pages.ts'
import { providerLabels } from '../use-providers.ts'
import { BatchRow } from './batch-row.tsx'
import { QueueCounts } from './queue-counts.tsx'

const PAGE_SIZE = 20
const COLUMNS = ['Created', 'Provider', 'Model', 'State', 'Provider batch', 'Items', 'Answered', 'Run as standard', 'Error']

interface EconomyScreenProps {
  readonly portalId: number
  readonly providers: readonly Provider[]
}

/** A portal's economy queue (its unfinished economy executions by state), this month's saving, and its recent batches. */
export function EconomyScreen ({ portalId, providers }: EconomyScreenProps) {
  const pages = usePages(async before => {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) })
    if (before !== undefined) query.set('before', String(before))
    const report = await api.get<EconomyReport>(`${portalPath(portalId, 'economy')}?${query.toString()}`)
    return { items: report.batches, next: report.next, report }
  }, [portalId])
  const report = pages.first?.report
  const batches = pages.items ?? []
  const labels = providerLabels(providers)

  return (
    <>
      <h2>Economy</h2>
      <p class='hint intro'>Executions with processing "economy" wait for their connection's next provider batch, at about half the price, and are completed through HubSpot's callback API; what a batch cannot answer runs as a standard call.</p>
      <div class='toolbar'>
        <button type='button' onClick={() => { void pages.reload() }} disabled={pages.loading}>Refresh</button>
      </div>
      {pages.error === undefined ? null : <p class='error' role='alert'>Could not load the economy queue: {pages.error}</p>}
      {pages.loading ? <p role='status'>Loading the economy queue…</p> : null}
      {report === undefined
        ? null
        : (
          <>
            <p class='headline'>Saved this month: {money(report.savedUsd)}</p>
            <QueueCounts queue={report.queue} />
            <table class='responsive economy'>
              <caption>Recent batches, newest first</caption>
              <thead>
                <tr>{COLUMNS.map(column => <th key={column} scope='col'>{column}</th>)}</tr>
              </thead>
              <tbody>
                {batches.length === 0
                  ? <tr><td colSpan={COLUMNS.length}>No batch yet.</td></tr>
                  : batches.map(batch => <BatchRow key={batch.id} batch={batch} providerLabel={labels.get(batch.provider)} />)}
              </tbody>
            </table>
            <LoadOlder pages={pages} label='Load older batches' />
          </>
          )}
    </>
  )
}
