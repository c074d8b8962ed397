import { api } from '../api.ts'
import type { AuditEvent, AuditPage } from '../api-types.ts'
import { dateTime } from '../format.ts'
import { LoadOlder } from '../load-older.tsx'
import { portalHref } from '../router.ts'
import { usePages } from '../use-pages.ts'
import { providerName } from '../use-providers.ts'
import { changeText } from './audit-change.ts'

const PAGE_SIZE = 50
/** The portal id the service files its own events under (sign_in, sign_out). */
const INSTANCE = 0

interface AuditTrailProps {
  /** One portal's events; every portal's (and the instance's) without it. */
  readonly portalId: number | undefined
  /** The Portal column, in the view of every portal (kept while it is filtered to one). */
  readonly showPortal: boolean
  readonly providerLabels: ReadonlyMap<string, string>
}

/** The audit trail, newest first, with "Load older" while older events are left. */
export function AuditTrail ({ portalId, showPortal, providerLabels }: AuditTrailProps) {
  const pages = usePages(async before => {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) })
    if (portalId !== undefined) query.set('portalId', String(portalId))
    if (before !== undefined) query.set('before', String(before))
    return await api.get<AuditPage>(`/api/audit?${query.toString()}`)
  }, [portalId])
  const columns = ['Time', ...(showPortal ? ['Portal'] : []), 'Action', 'Provider', 'Who', 'Change']

  return (
    <>
      {pages.error === undefined ? null : <p class='error' role='alert'>Could not load the audit trail: {pages.error}</p>}
      {pages.loading ? <p role='status'>Loading the audit trail…</p> : null}
      {pages.items === undefined
        ? null
        : (
          <>
            <table class='responsive audit'>
              <caption class='visually-hidden'>{portalId === undefined ? 'Audit events of every portal' : `Audit events of portal ${portalId}`}, newest first</caption>
              <thead>
                <tr>{columns.map(column => <th key={column} scope='col'>{column}</th>)}</tr>
              </thead>
              <tbody>
                {pages.items.length === 0
                  ? <tr><td colSpan={columns.length}>No audit event{portalId === undefined ? '' : ' for this portal'} yet.</td></tr>
                  : pages.items.map(event => <AuditRow key={event.id} event={event} showPortal={showPortal} providerLabels={providerLabels} />)}
              </tbody>
            </table>
            <LoadOlder pages={pages} label='Load older' />
          </>
          )}
    </>
  )
}

interface AuditRowProps {
  readonly event: AuditEvent
  readonly showPortal: boolean
  readonly providerLabels: ReadonlyMap<string, string>
}

function AuditRow ({ event, showPortal, providerLabels }: AuditRowProps) {
  return (
    <tr>
      <td data-label='Time'><time dateTime={event.at}>{dateTime(event.at)}</time></td>
      {showPortal
        ? (
          <td data-label='Portal'>
            {event.portalId === INSTANCE ? 'instance' : <a href={portalHref(event.portalId, 'audit')}>{event.portalId}</a>}
          </td>
          )
        : null}
      <td data-label='Action'>{event.action}</td>
      <td data-label='Provider'>{providerName(providerLabels, event.provider)}</td>
      <td data-label='Who' class='break'>{event.actor}</td>
      <td data-label='Change' class='break'>{changeText(event)}</td>
    </tr>
  )
}
