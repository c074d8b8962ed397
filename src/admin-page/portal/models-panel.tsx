import { useState } from 'preact/hooks'
import { api, errorMessage, portalPath } from '../api.ts'
import type { Connection, ConnectionModels, Provider } from '../api-types.ts'
import { useLoad } from '../use-load.ts'

interface ModelsPanelProps {
  readonly id: string
  readonly portalId: number
  readonly provider: Provider
  readonly connection: Connection
  readonly onSaved: (connection: Connection) => void
}

const SOURCE_TEXT: Readonly<Record<string, string>> = {
  live: 'the provider\'s live list',
  stale: 'the provider\'s list as last fetched (the provider could not be asked just now)',
  curated: 'this service\'s curated list (the provider\'s list could not be fetched)'
}

/**
 * The models workflow users may pick. The connection's models route answers the live list cut to the allowlist,
 * so the choices are that list, the provider's curated models and the allowed ones, together.
 */
export function ModelsPanel ({ id, portalId, provider, connection, onSaved }: ModelsPanelProps) {
  const offered = useLoad(async () => await api.get<ConnectionModels>(portalPath(portalId, 'connections', provider.id, 'models')), [portalId, provider.id])
  const [all, setAll] = useState(connection.allowedModels === null)
  const [chosen, setChosen] = useState<ReadonlySet<string>>(() => new Set(connection.allowedModels ?? []))
  const [search, setSearch] = useState('')
  const [saving, setSaving] = useState(false)
  const [status, setStatus] = useState<string | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)

  const labels = new Map<string, string>()
  for (const model of [...provider.models, ...(offered.data?.items ?? [])]) labels.set(model.id, model.label)
  for (const model of connection.allowedModels ?? []) if (!labels.has(model)) labels.set(model, model)
  const ids = [...labels.keys()].sort((a, b) => a.localeCompare(b))
  const needle = search.trim().toLowerCase()
  const shown = needle === '' ? ids : ids.filter(model => model.toLowerCase().includes(needle) || (labels.get(model) ?? '').toLowerCase().includes(needle))

  const toggle = (model: string, on: boolean) => {
    const next = new Set(chosen)
    if (on) next.add(model); else next.delete(model)
    setChosen(next)
    setStatus(undefined)
  }

  const save = async (event: Event) => {
    event.preventDefault()
    setStatus(undefined)
    if (!all && chosen.size === 0) {
      setError('Choose at least one model, or tick "All models".')
      return
    }
    setError(undefined)
    setSaving(true)
    try {
      const models = all ? null : ids.filter(model => chosen.has(model))
      onSaved(await api.put<Connection>(portalPath(portalId, 'connections', provider.id, 'allowed-models'), { models }))
      setStatus('Saved')
    } catch (caught) {
      setError(errorMessage(caught))
    } finally {
      setSaving(false)
    }
  }

  const source = offered.data === undefined ? undefined : SOURCE_TEXT[offered.data.source] ?? offered.data.source
  return (
    <form id={id} class='models-panel' onSubmit={save} noValidate>
      <div class='checkbox'>
        <input id={`${id}-all`} type='checkbox' checked={all} onChange={event => { setAll(event.currentTarget.checked); setStatus(undefined) }} />
        <label for={`${id}-all`}>All models</label>
      </div>
      <p class='hint'>
        {all ? 'Workflow users may pick any model the provider offers, new ones included. Untick to choose. ' : 'Workflow users may pick only the ticked models. '}
        {offered.loading ? 'Loading the provider\'s models…' : source === undefined ? '' : `Listed from ${source}, with the curated models.`}
        {connection.allowedModels === null ? '' : ' While a list is chosen, models the provider added since show once "All models" is saved.'}
      </p>
      {offered.error === undefined ? null : <p class='error'>Could not list the provider's models: {offered.error}</p>}
      <div class='field'>
        <label for={`${id}-search`}>Search models</label>
        <input id={`${id}-search`} type='search' autocomplete='off' value={search} onInput={event => { setSearch(event.currentTarget.value) }} />
      </div>
      <fieldset class='model-list' disabled={all}>
        <legend class='visually-hidden'>Models</legend>
        {shown.length === 0 ? <p class='hint'>No model matches "{search}".</p> : null}
        <ul class='plain'>
          {shown.map(model => (
            <li key={model} class='checkbox'>
              <input
                id={`${id}-model-${model}`} type='checkbox' checked={all || chosen.has(model)}
                onChange={event => { toggle(model, event.currentTarget.checked) }}
              />
              <label for={`${id}-model-${model}`}>{model}</label>
            </li>
          ))}
        </ul>
      </fieldset>
      {error === undefined ? null : <p class='error' role='alert'>{error}</p>}
      <div class='actions'>
        <button type='submit' class='primary' disabled={saving}>Save models</button>
        {status === undefined ? null : <p class='success' role='status'>{status}</p>}
      </div>
    </form>
  )
}
