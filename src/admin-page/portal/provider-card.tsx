import { useEffect, useRef, useState } from 'preact/hooks'
import { api, errorMessage, portalPath } from '../api.ts'
import type { Connection, Provider } from '../api-types.ts'
import { ConfirmDialog } from '../dialog.tsx'
import { dateTime } from '../format.ts'
import { statusText } from './connection-status.ts'
import { KeyDialog } from './key-dialog.tsx'
import { ModelsPanel } from './models-panel.tsx'

interface ProviderCardProps {
  readonly portalId: number
  readonly provider: Provider
  readonly connection: Connection | undefined
  readonly onChanged: (connection: Connection | null) => void
}

type Open = 'none' | 'key' | 'disconnect'

export function ProviderCard ({ portalId, provider, connection, onChanged }: ProviderCardProps) {
  const [open, setOpen] = useState<Open>('none')
  const [modelsOpen, setModelsOpen] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const keyButton = useRef<HTMLButtonElement>(null)
  const wasConnected = useRef(connection !== undefined)
  const id = `provider-${provider.id}`

  // After a disconnect the buttons that opened the dialog are gone: the key button takes the focus.
  useEffect(() => {
    if (wasConnected.current && connection === undefined) {
      setModelsOpen(false)
      window.setTimeout(() => { keyButton.current?.focus() }, 0)
    }
    wasConnected.current = connection !== undefined
  }, [connection])

  const disconnect = async () => {
    setBusy(true)
    setError(undefined)
    try {
      await api.delete(portalPath(portalId, 'connections', provider.id))
      setOpen('none')
      onChanged(null)
    } catch (caught) {
      setError(errorMessage(caught))
    } finally {
      setBusy(false)
    }
  }

  const allowed = connection?.allowedModels
  return (
    <article class={`card provider-card${modelsOpen ? ' wide' : ''}`} aria-label={provider.label}>
      <h2 id={`${id}-heading`}>{provider.label}</h2>
      <dl class='facts'>
        <dt>Status</dt>
        <dd class={`status status-${connection?.status ?? 'none'}`}>{statusText(connection)}</dd>
        {connection === undefined
          ? null
          : (
            <>
              <dt>Key</dt>
              <dd>Key ending in {connection.keyHint}</dd>
              {connection.baseUrl === undefined ? null : <><dt>Base URL</dt><dd class='break'>{connection.baseUrl}</dd></>}
              <dt>Models offered</dt>
              <dd>{allowed === null || allowed === undefined ? 'All models' : `${allowed.length} chosen`}</dd>
              <dt>Key checked</dt>
              <dd>{dateTime(connection.lastValidatedAt)}</dd>
            </>
            )}
      </dl>
      <div class='actions'>
        <button type='button' ref={keyButton} class={connection === undefined ? 'primary' : undefined} onClick={() => { setOpen('key') }}>
          {connection === undefined ? 'Connect' : 'Switch API key'}
        </button>
        {connection === undefined
          ? null
          : (
            <>
              <button type='button' aria-expanded={modelsOpen} aria-controls={`${id}-models`} onClick={() => { setModelsOpen(!modelsOpen) }}>Choose models</button>
              <button type='button' class='danger' onClick={() => { setError(undefined); setOpen('disconnect') }}>Disconnect</button>
            </>
            )}
      </div>
      {modelsOpen && connection !== undefined
        ? <ModelsPanel id={`${id}-models`} portalId={portalId} provider={provider} connection={connection} onSaved={onChanged} />
        : null}
      {open === 'key'
        ? (
          <KeyDialog
            portalId={portalId} provider={provider} connection={connection}
            onSaved={saved => { setOpen('none'); onChanged(saved) }}
            onCancel={() => { setOpen('none') }}
          />
          )
        : null}
      {open === 'disconnect'
        ? (
          <ConfirmDialog
            titleId={`${id}-disconnect`} title="Confirm disconnect"
            text={`Disconnect ${provider.label}? Its key is erased.`}
            confirmLabel={`Disconnect ${provider.label}`} busy={busy} error={error}
            onConfirm={() => { void disconnect() }} onCancel={() => { setOpen('none') }}
          />
          )
        : null}
    </article>
  )
}
