import { useState } from 'preact/hooks'
import { api, errorMessage, portalPath } from '../api.ts'
import { EXECUTION_STATUSES, type Execution, type ExecutionPage, type Provider } from '../api-types.ts'
import { usePages } from '../use-pages.ts'
import { providerLabels } from '../use-providers.ts'
import { LoadOlder } from '../load-older.tsx'
import { ExecutionRow } from './execution-row.tsx'

const PAGE_SIZE = 50

interface ExecutionsScreenProps {
  readonly portalId: number
  readonly providers: readonly Provider[]
}

/** Recent executions, newest first, filtered by status on the server, with "Resend" for completions HubSpot never took. */
export function ExecutionsScreen ({ portalId, providers }: ExecutionsScreenProps) {
  const [filter, setFilter] = useState('')
  const [message, setMessage] = useState<{ kind: 'status' | 'alert', text: string } | undefined>(undefined)
  const [resending, setResending] = useState<number | undefined>(undefined)
  const [replaced, setReplaced] = useState<ReadonlyMap<number, Execution>>(new Map())
  const pages = usePages(async before => {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) })
    if (filter !== '') query.set('status', filter)
    if (before !== undefined) query.set('before', String(before))
    return await api.get<ExecutionPage>(`${portalPath(portalId, 'executions')}?${query.toString()}`)
  }, [portalId, filter])

  const items = (pages.items ?? []).map(execution => replaced.get(execution.id) ?? execution)
  const labels = providerLabels(providers)
  const withStatus = filter === '' ? '' : ` with status ${filter}`

  const resend = async (execution: Execution) => {
    setResending(execution.id)
    setMessage(undefined)
    try {
      const updated = await api.post<Execution>(portalPath(portalId, 'executions', execution.id, 'redeliver'))
      setReplaced(new Map([...replaced, [updated.id, updated]]))
      const state = updated.completion?.state
      setMessage({ kind: 'status', text: `Execution ${updated.id} resent to HubSpot${state === undefined ? '' : `: ${state}`}.` })
    } catch (caught) {
      setMessage({ kind: 'alert', text: `Could not resend execution ${execution.id}: ${errorMessage(caught)}` })
    } finally {
      setResending(undefined)
    }
  }

  const refresh = () => {
    setMessage(undefined)
    setReplaced(new Map())
    void pages.reload()
  }

  return (
    <>
      <h2>Executions</h2>
      <div class='toolbar'>
        <div class='field'>
          <label for='executions-status'>Status</label>
          <select id='executions-status' value={filter} onChange={event => { setFilter(event.currentTarget.value) }}>
            <option value=''>All</option>
            {EXECUTION_STATUSES.map(status => <option key={status} value={status}>{status}</option>)}
          </select>
        </div>
        <button type='button' onClick={refresh} disabled={pages.loading}>Refresh</button>
      </div>
      {message === undefined ? null : <p class={message.kind === 'alert' ? 'error' : 'success'} role={message.kind}>{message.text}</p>}
      {pages.error === undefined ? null : <p class='error' role='alert'>{pages.error}</p>}
      {pages.loading ? <p role='status'>Loading executions…</p> : null}
      {pages.items === undefined
        ? null
        : (
          <>
            <p class='hint'>The {items.length} most recent executions{withStatus}{pages.hasMore ? '; older ones load below' : ''}.</p>
            <table class='responsive executions'>
              <caption class='visually-hidden'>Recent executions{withStatus}, newest first</caption>
              <thead>
                <tr>
                  {['Time', 'Action', 'Provider', 'Model', 'Status', 'Error', 'Tokens', 'Cost', 'Latency'].map(column => <th key={column} scope='col'>{column}</th>)}
                </tr>
              </thead>
              <tbody>
                {items.length === 0
                  ? <tr><td colSpan={9}>No execution{withStatus} yet.</td></tr>
                  : items.map(execution => (
                    <ExecutionRow
                      key={execution.id} execution={execution} providerLabel={labels.get(execution.provider ?? '')}
                      resending={resending === execution.id} onResend={() => { void resend(execution) }}
                    />
                  ))}
              </tbody>
            </table>
            <LoadOlder pages={pages} label='Load older executions' />
          </>
          )}
    </>
  )
}
