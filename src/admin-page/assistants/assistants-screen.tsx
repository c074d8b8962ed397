import { useState } from 'preact/hooks'
import { api, errorMessage, portalPath } from '../api.ts'
import type { Assistant, AssistantList } from '../api-types.ts'
import { ConfirmDialog } from '../dialog.tsx'
import { dateTime } from '../format.ts'
import type { PortalData } from '../portal/portal-page.tsx'
import { useLoad } from '../use-load.ts'
import { AssistantForm } from './assistant-form.tsx'
import { useAssistantModels } from './assistant-models.ts'

type Editing = { readonly kind: 'none' } | { readonly kind: 'new' } | { readonly kind: 'edit', readonly assistant: Assistant }

/** Saved assistants for "Ask OpenAI assistant": run with the portal's OpenAI connection. */
export function AssistantsScreen ({ portal }: { readonly portal: PortalData }) {
  const assistants = useLoad(async () => (await api.get<AssistantList>(portalPath(portal.portalId, 'assistants'))).items, [portal.portalId])
  const models = useAssistantModels(portal)
  const [editing, setEditing] = useState<Editing>({ kind: 'none' })
  const [deleting, setDeleting] = useState<Assistant | undefined>(undefined)
  const [deleteError, setDeleteError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const [status, setStatus] = useState<string | undefined>(undefined)
  const list = assistants.data ?? []

  const saved = (assistant: Assistant) => {
    assistants.replace([...list.filter(known => known.id !== assistant.id), assistant].sort((a, b) => a.name.localeCompare(b.name)))
    setStatus(`Saved ${assistant.name}`)
    setEditing({ kind: 'none' })
  }

  const remove = async (assistant: Assistant) => {
    setBusy(true)
    setDeleteError(undefined)
    try {
      await api.delete(portalPath(portal.portalId, 'assistants', assistant.id))
      assistants.replace(list.filter(known => known.id !== assistant.id))
      if (editing.kind === 'edit' && editing.assistant.id === assistant.id) setEditing({ kind: 'none' })
      setDeleting(undefined)
      setStatus(`Deleted ${assistant.name}`)
      window.setTimeout(() => { document.getElementById('new-assistant')?.focus() }, 0)
    } catch (caught) {
      setDeleteError(errorMessage(caught))
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      <h2>Saved assistants</h2>
      <p class='hint intro'>An assistant is a saved model, instructions and settings for the "Ask OpenAI assistant" action, run with this portal's OpenAI key.</p>
      <div class='toolbar'>
        <button type='button' id='new-assistant' class='primary' onClick={() => { setStatus(undefined); setEditing({ kind: 'new' }) }}>New assistant</button>
        {status === undefined ? null : <p class='success' role='status'>{status}</p>}
      </div>
      {assistants.error === undefined ? null : <p class='error' role='alert'>{assistants.error}</p>}
      {editing.kind === 'none'
        ? null
        : (
          <AssistantForm
            key={editing.kind === 'edit' ? editing.assistant.id : 'new'}
            portalId={portal.portalId}
            assistant={editing.kind === 'edit' ? editing.assistant : undefined}
            models={models}
            onSaved={saved}
            onCancel={() => { setEditing({ kind: 'none' }) }}
          />
          )}
      {assistants.data === undefined
        ? (assistants.loading ? <p>Loading assistants…</p> : null)
        : list.length === 0
          ? <p>No saved assistant yet.</p>
          : (
            <table class='responsive'>
              <caption class='visually-hidden'>Saved assistants</caption>
              <thead>
                <tr>
                  <th scope='col'>Name</th>
                  <th scope='col'>Model</th>
                  <th scope='col'>Temperature</th>
                  <th scope='col'>Reasoning effort</th>
                  <th scope='col'>Updated</th>
                  <th scope='col'><span class='visually-hidden'>Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {list.map(assistant => (
                  <tr key={assistant.id}>
                    <th scope='row' data-label='Name'>{assistant.name}</th>
                    <td data-label='Model'>{assistant.model}</td>
                    <td data-label='Temperature'>{assistant.temperature ?? 'Model default'}</td>
                    <td data-label='Reasoning effort'>{assistant.reasoningEffort ?? 'Model default'}</td>
                    <td data-label='Updated'>{dateTime(assistant.updatedAt)}</td>
                    <td class='row-actions'>
                      <button type='button' onClick={() => { setStatus(undefined); setEditing({ kind: 'edit', assistant }) }}>
                        Edit<span class='visually-hidden'> {assistant.name}</span>
                      </button>
                      <button type='button' class='danger' onClick={() => { setDeleteError(undefined); setDeleting(assistant) }}>
                        Delete<span class='visually-hidden'> {assistant.name}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            )}
      {deleting === undefined
        ? null
        : (
          <ConfirmDialog
            titleId='delete-assistant' title='Confirm delete'
            text={`Delete ${deleting.name}? Workflows that use it will fail with ASSISTANT_NOT_FOUND.`}
            confirmLabel='Delete assistant' busy={busy} error={deleteError}
            onConfirm={() => { void remove(deleting) }} onCancel={() => { setDeleting(undefined) }}
          />
          )}
    </>
  )
}
