import { api, portalPath } from '../api.ts'
import type { Connection, ConnectionList, Provider } from '../api-types.ts'
import { PORTAL_TABS, portalHref, type PortalTab } from '../router.ts'
import { useLoad, type Loaded } from '../use-load.ts'
import { useProviders } from '../use-providers.ts'
import { AssistantsScreen } from '../assistants/assistants-screen.tsx'
import { AuditScreen } from '../audit/audit-screen.tsx'
import { EconomyScreen } from '../economy/economy-screen.tsx'
import { ExecutionsScreen } from '../executions/executions-screen.tsx'
import { SpendScreen } from '../spend/spend-screen.tsx'
import { TestConsole } from '../test-console/test-console.tsx'
import { ConnectionsScreen } from './connections-screen.tsx'

export interface PortalData {
  readonly portalId: number
  readonly providers: Loaded<Provider[]>
  readonly connections: Loaded<Connection[]>
}

interface PortalPageProps {
  readonly portalId: number
  readonly tab: PortalTab
}

/** A portal's screens behind a tab-like nav; the providers and connections are shared by all of them. */
export function PortalPage ({ portalId, tab }: PortalPageProps) {
  const providers = useProviders()
  const connections = useLoad(async () => (await api.get<ConnectionList>(portalPath(portalId, 'connections'))).items, [portalId])
  const portal: PortalData = { portalId, providers, connections }
  const current = PORTAL_TABS.find(known => known.id === tab)

  return (
    <main id='main'>
      <h1 tabIndex={-1}>Portal {portalId}</h1>
      <nav class='tabs' aria-label={`Portal ${portalId} sections`}>
        <ul>
          {PORTAL_TABS.map(known => (
            <li key={known.id}>
              <a href={portalHref(portalId, known.id)} aria-current={known.id === tab ? 'page' : undefined}>{known.label}</a>
            </li>
          ))}
        </ul>
      </nav>
      <section class='tab-panel' aria-label={current?.label}>
        {providers.error === undefined ? null : <p class='error' role='alert'>Could not load the providers: {providers.error}</p>}
        {connections.error === undefined ? null : <p class='error' role='alert'>Could not load the connections: {connections.error}</p>}
        <TabContent tab={tab} portal={portal} />
      </section>
    </main>
  )
}

function TabContent ({ tab, portal }: { readonly tab: PortalTab, readonly portal: PortalData }) {
  switch (tab) {
    case 'connections': return <ConnectionsScreen portal={portal} />
    case 'assistants': return <AssistantsScreen portal={portal} />
    case 'test-console': return <TestConsole portal={portal} />
    case 'executions': return <ExecutionsScreen portalId={portal.portalId} providers={portal.providers.data ?? []} />
    case 'spend': return <SpendScreen portalId={portal.portalId} providers={portal.providers.data ?? []} />
    case 'economy': return <EconomyScreen portalId={portal.portalId} providers={portal.providers.data ?? []} />
    case 'audit': return <AuditScreen portalId={portal.portalId} providers={portal.providers.data ?? []} />
  }
}
