import { api } from '../api.ts'
import type { PortalList, PortalUsageReport } from '../api-types.ts'
import { useSession } from '../session-context.ts'
import { useLoad } from '../use-load.ts'
import { providerLabels, useProviders } from '../use-providers.ts'
import { OpenPortalForm } from './open-portal-form.tsx'
import { PortalRow } from './portal-row.tsx'

export function PortalsList () {
  const { hubspotInstall } = useSession()
  const portals = useLoad(async () => (await api.get<PortalList>('/api/portals')).items, [])
  // This UTC month's spend of every portal, in one report; a portal without executions is not in it.
  const usage = useLoad(async () => new Map((await api.get<PortalUsageReport>('/api/usage')).items.map(row => [row.portalId, row.costUsd])), [])
  const labels = providerLabels(useProviders().data ?? [])
  const spentUsd = (portalId: number): number | null | undefined => {
    if (usage.data !== undefined) return usage.data.get(portalId) ?? 0
    return usage.error === undefined ? undefined : null
  }

  return (
    <main id='main'>
      <h1 tabIndex={-1}>Portals</h1>
      <section class='card install' aria-labelledby='install-heading'>
        <h2 id='install-heading'>Add a portal</h2>
        <p>Install the app in a HubSpot account, or open a portal by its id to connect its first provider.</p>
        <div class='install-actions'>
          {hubspotInstall
            ? <a class='button primary' href='/oauth/install'>Install to HubSpot</a>
            : (
              <>
                <a class='button primary' role='link' aria-disabled='true' aria-describedby='install-unavailable'>Install to HubSpot</a>
                <p id='install-unavailable' class='hint'>
                  Installing is off: HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET are not set on this service.
                </p>
              </>
              )}
        </div>
        <OpenPortalForm />
      </section>

      <section aria-labelledby='portals-heading'>
        <h2 id='portals-heading'>Installed or connected accounts</h2>
        {portals.error === undefined ? null : <p class='error' role='alert'>{portals.error}</p>}
        {usage.error === undefined ? null : <p class='error' role='alert'>Could not load this month's spend: {usage.error}</p>}
        {portals.data === undefined
          ? (portals.loading ? <p>Loading portals…</p> : null)
          : portals.data.length === 0
            ? <p>No portal yet. Install the app in HubSpot, or open a portal by id and connect a provider.</p>
            : (
              <table class='responsive'>
                <caption class='visually-hidden'>Portals, with their connected providers, this month's spend and budget</caption>
                <thead>
                  <tr>
                    <th scope='col'>Portal</th>
                    <th scope='col'>HubSpot install</th>
                    <th scope='col'>Providers</th>
                    <th scope='col'>This month</th>
                  </tr>
                </thead>
                <tbody>
                  {portals.data.map(portal => <PortalRow key={portal.portalId} portal={portal} providerLabels={labels} spentUsd={spentUsd(portal.portalId)} />)}
                </tbody>
              </table>
              )}
      </section>
    </main>
  )
}
