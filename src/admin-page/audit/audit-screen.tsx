import { useState } from 'preact/hooks'
import type { Provider } from '../api-types.ts'
import { FieldError, describedBy } from '../field-error.tsx'
import { parsePortalId } from '../router.ts'
import { providerLabels, useProviders } from '../use-providers.ts'
import { AuditTrail } from './audit-trail.tsx'

interface AuditScreenProps {
  readonly portalId: number
  readonly providers: readonly Provider[]
}

/** A portal's tab: its admin changes, who made them and when. */
export function AuditScreen ({ portalId, providers }: AuditScreenProps) {
  return (
    <>
      <h2>Audit</h2>
      <p class='hint intro'>Changes to this portal's install, connections, models, assistants and budget, and resends to HubSpot, newest first.</p>
      <AuditTrail portalId={portalId} showPortal={false} providerLabels={providerLabels(providers)} />
    </>
  )
}

/** The header's Audit: every portal's events and the instance's own (sign-ins and sign-outs), optionally one portal's. */
export function InstanceAuditScreen () {
  const labels = providerLabels(useProviders().data ?? [])
  const [text, setText] = useState('')
  const [portalId, setPortalId] = useState<number | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)

  const show = (event: Event) => {
    event.preventDefault()
    const wanted = text.trim() === '' ? undefined : parsePortalId(text)
    if (text.trim() !== '' && wanted === undefined) {
      setError('Enter a portal id (digits only), or leave it empty for every portal.')
      document.getElementById('audit-portal-id')?.focus()
      return
    }
    setError(undefined)
    setPortalId(wanted)
  }

  return (
    <main id='main'>
      <h1 tabIndex={-1}>Audit</h1>
      <p class='hint intro'>Admin changes of every portal, and sign-ins and sign-outs (portal "instance"), newest first.</p>
      <form class='inline-form' onSubmit={show} noValidate>
        <div class='field'>
          <label for='audit-portal-id'>Portal id</label>
          <input
            id='audit-portal-id' type='text' inputMode='numeric' autocomplete='off' value={text}
            onInput={event => { setText(event.currentTarget.value) }} {...describedBy('audit-portal-id', error, true)}
          />
        </div>
        <button type='submit'>Show</button>
        <p id='audit-portal-id-hint' class='hint'>Empty for every portal.</p>
      </form>
      <FieldError id='audit-portal-id' message={error} />
      <AuditTrail portalId={portalId} showPortal providerLabels={labels} />
    </main>
  )
}
