import { useState } from 'preact/hooks'
import { api, errorMessage, portalPath } from '../api.ts'
import { EXECUTION_STATUSES, type Execution, type ExecutionPage, type Provider } from '../api-types.ts'
import { useLoad } from '../use-load.ts'
import { ExecutionRow } from './execution-row.tsx'

const PAGE_SIZE = 50

interface ExecutionsScreenProps {
  readonly portalId: number
  readonly providers: readonly Provider[]
}

/** Recent executions, newest first, with a status filter and "Resend" for completions HubSpot never took. */
export function ExecutionsScreen ({ portalId, providers }: ExecutionsScreenProps) {
  const [filter, setFilter] = useState('')
  const [more, setMore] = useState<{ items: Execution[], next: number | null } | undefined>(undefined)
  const [loadingMore, setLoadingMore] = useState(false)
  const [message, setMessage] = useState<{ kind: 'status' | 'alert', text: string } | undefined>(undefined)
  const [resending, setResending] = useState<number | undefined>(undefined)
  const first = useLoad(async () => {
    setMore(undefined)
    return await api.get<ExecutionPage>(`${portalPath(portalId, 'executions')}?limit=${PAGE_SIZE}`)
  }, [portalId])
  const [replaced, setReplaced] = useState<ReadonlyMap<number, Execution>>(new Map())

  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])].map(execution => replaced.get(execution.id) ?? execution)
  const next = more === undefined ? first.data?.next ?? null : more.next
  const shown = filter === '' ? items : items.filter(execution => execution.status === filter)
  const labels = new Map(providers.map(provider => [provider.id, provider.label]))

  const loadMore = async () => {
    if (next === null) return
    setLoadingMore(true)
    try {
      const page = await api.get<ExecutionPage>(`${portalPath(portalId, 'executions')}?limit=${PAGE_SIZE}&before=${next}`)
      setMore({ items: [...(more?.items ?? []), ...page.items], next: page.next })
    } catch (caught) {
      setMessage({ kind: 'alert', text: errorMessage(caught) })
    } finally {
      setLoadingMore(false)
    }
  }

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
    void first.reload()
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
        <button type='button' onClick={refresh} disabled={first.loading}>Refresh</button>
      </div>
      {message === undefined ? null : <p class={message.kind === 'alert' ? 'error' : 'success'} role={message.kind}>{message.text}</p>}
      {first.error === undefined ? null : <p class='error' role='alert'>{first.error}</p>}
      {first.loading && first.data === undefined ? <p>Loading executions…</p> : null}
      {first.data === undefined
        ? null
        : (
          <>
            <p class='hint'>
              Showing {shown.length} of the {items.length} most recent executions{filter === '' ? '' : ` (status ${filter})`}.
            </p>
            <table class='responsive executions'>
              <caption class='visually-hidden'>Recent executions, newest first</caption>
              <thead>
                <tr>
                  {['Time', 'Action', 'Provider', 'Model', 'Status', 'Error', 'Tokens', 'Cost', 'Latency'].map(column => <th key={column} scope='col'>{column}</th>)}
                </tr>
              </thead>
              <tbody>
                {shown.length === 0
                  ? <tr><td colSpan={9}>No execution{filter === '' ? '' : ` with status ${filter}`} yet.</td></tr>
                  : shown.map(execution => (
                    <ExecutionRow
                      key={execution.id} execution={execution} providerLabel={labels.get(execution.provider ?? '')}
                      resending={resending === execution.id} onResend={() => { void resend(execution) }}
                    />
                  ))}
              </tbody>
            </table>
            {next === null ? null : <button type='button' onClick={() => { void loadMore() }} disabled={loadingMore}>Load older executions</button>}
          </>
          )}
    </>
  )
}
