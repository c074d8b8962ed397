import { useState } from 'preact/hooks'
import { ApiError, api, errorMessage, portalPath } from '../api.ts'
import type { ConnectBody, Connection, Provider } from '../api-types.ts'
import { Dialog } from '../dialog.tsx'

interface KeyDialogProps {
  readonly portalId: number
  readonly provider: Provider
  readonly connection: Connection | undefined
  readonly onSaved: (connection: Connection) => void
  readonly onCancel: () => void
}

interface FieldErrors {
  readonly apiKey?: string
  readonly baseUrl?: string
}

/** Connect a provider or switch its key. The provider checks the key first; its reason for a refusal shows here. */
export function KeyDialog ({ portalId, provider, connection, onSaved, onCancel }: KeyDialogProps) {
  const needsBaseUrl = provider.requiresBaseUrl || provider.id === 'openai-compatible'
  const [apiKey, setApiKey] = useState('')
  const [baseUrl, setBaseUrl] = useState(connection?.baseUrl ?? '')
  const [errors, setErrors] = useState<FieldErrors>({})
  const [busy, setBusy] = useState(false)
  const id = `key-${provider.id}`
  const title = connection === undefined ? `Connect ${provider.label}` : `Switch API key for ${provider.label}`

  const submit = async (event: Event) => {
    event.preventDefault()
    const problems: FieldErrors = {
      ...(apiKey.trim() === '' ? { apiKey: 'Enter the API key.' } : {}),
      ...(needsBaseUrl && baseUrl.trim() === '' ? { baseUrl: 'Enter the server\'s base URL, such as http://localhost:11434/v1.' } : {}),
      ...(needsBaseUrl && baseUrl.trim() !== '' && !/^https?:\/\/\S+$/i.test(baseUrl.trim()) ? { baseUrl: 'The base URL starts with http:// or https://.' } : {})
    }
    setErrors(problems)
    if (problems.apiKey !== undefined || problems.baseUrl !== undefined) {
      document.getElementById(problems.apiKey === undefined ? `${id}-base-url` : `${id}-api-key`)?.focus()
      return
    }
    setBusy(true)
    try {
      const body: ConnectBody = needsBaseUrl ? { apiKey: apiKey.trim(), baseUrl: baseUrl.trim() } : { apiKey: apiKey.trim() }
      onSaved(await api.put<Connection>(portalPath(portalId, 'connections', provider.id), body))
    } catch (caught) {
      setBusy(false)
      const aboutBaseUrl = caught instanceof ApiError && needsBaseUrl && (caught.code === 'BASE_URL_NOT_ALLOWED' || /base ?url/i.test(caught.message))
      setErrors(aboutBaseUrl ? { baseUrl: errorMessage(caught) } : { apiKey: errorMessage(caught) })
    }
  }

  return (
    <Dialog titleId={`${id}-title`} onClose={onCancel}>
      <h2 id={`${id}-title`}>{title}</h2>
      <form onSubmit={submit} noValidate>
        <div class='field'>
          <label for={`${id}-api-key`}>API key</label>
          <input
            id={`${id}-api-key`} type='password' autocomplete='off' spellcheck={false} required value={apiKey}
            onInput={event => { setApiKey(event.currentTarget.value) }}
            aria-invalid={errors.apiKey === undefined ? undefined : 'true'}
            aria-describedby={errors.apiKey === undefined ? `${id}-api-key-hint` : `${id}-api-key-error ${id}-api-key-hint`}
          />
          {errors.apiKey === undefined ? null : <p id={`${id}-api-key-error`} class='error' role='alert'>{errors.apiKey}</p>}
          <p id={`${id}-api-key-hint`} class='hint'>
            {connection === undefined ? '' : `The current key ends in ${connection.keyHint}. `}
            {provider.label} checks the key before it is stored; it is never shown again.
            {needsBaseUrl ? ' For a server that takes no key, type any text.' : ''}
          </p>
        </div>
        {needsBaseUrl
          ? (
            <div class='field'>
              <label for={`${id}-base-url`}>Base URL</label>
              <input
                id={`${id}-base-url`} type='url' autocomplete='off' spellcheck={false} required value={baseUrl}
                placeholder='http://localhost:11434/v1'
                onInput={event => { setBaseUrl(event.currentTarget.value) }}
                aria-invalid={errors.baseUrl === undefined ? undefined : 'true'}
                aria-describedby={errors.baseUrl === undefined ? `${id}-base-url-hint` : `${id}-base-url-error ${id}-base-url-hint`}
              />
              {errors.baseUrl === undefined ? null : <p id={`${id}-base-url-error`} class='error' role='alert'>{errors.baseUrl}</p>}
              <p id={`${id}-base-url-hint`} class='hint'>The server's OpenAI-style API root, with /v1 where the server wants it.</p>
            </div>
            )
          : null}
        {busy ? <p class='hint'>Checking the key with {provider.label}…</p> : null}
        <div class='actions'>
          <button type='submit' class='primary' disabled={busy}>Save key</button>
          <button type='button' onClick={onCancel}>Cancel</button>
        </div>
      </form>
    </Dialog>
  )
}
