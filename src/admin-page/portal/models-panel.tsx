import { useState } from 'preact/hooks'
import { api, errorMessage, portalPath } from '../api.ts'
import type { AllowedModelsBody, Connection, ConnectionModels, Provider } from '../api-types.ts'
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
 * The models workflow users may pick, chosen from every model the provider lists (`?all=true`: allowed or not,
 * with allowed ids the list lacks).
 */
export function ModelsPanel ({ id, portalId, provider, connection, onSaved }: ModelsPanelProps) {
  const listed = useLoad(async () => await api.get<ConnectionModels>(`${portalPath(portalId, 'connections', provider.id, 'models')}?all=true`), [portalId, provider.id])
  const [all, setAll] = useState(connection.allowedModels === null)
  const [chosen, setChosen] = useState<ReadonlySet<string>>(() => new Set(connection.allowedModels ?? []))
  const [search, setSearch] = useState('')
  const [saving, setSaving] = useState(false)
  const [status, setStatus] = useState<string | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)

  const models = [...(listed.data?.items ?? [])].sort((a, b) => a.id.localeCompare(b.id))
  const needle = search.trim().toLowerCase()
  const shown = needle === '' ? models : models.filter(model => model.id.toLowerCase().includes(needle) || model.label.toLowerCase().includes(needle))

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
      const body: AllowedModelsBody = { models: all ? null : [...chosen].sort((a, b) => a.localeCompare(b)) }
      onSaved(await api.put<Connection>(portalPath(portalId, 'connections', provider.id, 'allowed-models'), body))
      setStatus('Saved')
    } catch (caught) {
      setError(errorMessage(caught))
    } finally {
      setSaving(false)
    }
  }

  const source = listed.data === undefined ? undefined : SOURCE_TEXT[listed.data.source] ?? listed.data.source
  return (
    <form id={id} class='models-panel' onSubmit={save} noValidate>
      <div class='checkbox'>
        <input id={`${id}-all`} type='checkbox' checked={all} onChange={event => { setAll(event.currentTarget.checked); setStatus(undefined) }} />
        <label for={`${id}-all`}>All models</label>
      </div>
      <p class='hint'>
        {all ? 'Workflow users may pick any model the provider offers, new ones included. Untick to choose. ' : 'Workflow users may pick only the ticked models. '}
        {listed.loading ? 'Loading the provider\'s models…' : source === undefined ? '' : `Listed from ${source}.`}
      </p>
      {listed.error === undefined ? null : <p class='error'>Could not list the provider's models: {listed.error}</p>}
      <div class='field'>
        <label for={`${id}-search`}>Search models</label>
        <input id={`${id}-search`} type='search' autocomplete='off' value={search} onInput={event => { setSearch(event.currentTarget.value) }} />
      </div>
      <fieldset class='model-list' disabled={all}>
        <legend class='visually-hidden'>Models</legend>
        {shown.length > 0 || listed.data === undefined
          ? null
          : <p class='hint'>{needle === '' ? 'The provider lists no model.' : `No model matches "${search}".`}</p>}
        <ul class='plain'>
          {shown.map(model => (
            <li key={model.id} class='checkbox'>
              <input
                id={`${id}-model-${model.id}`} type='checkbox' checked={all || chosen.has(model.id)}
                onChange={event => { toggle(model.id, event.currentTarget.checked) }}
              />
              <label for={`${id}-model-${model.id}`}>{model.id}</label>
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
