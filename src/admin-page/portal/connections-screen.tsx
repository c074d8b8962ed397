import type { Connection } from '../api-types.ts'
import type { PortalData } from './portal-page.tsx'
import { ProviderCard } from './provider-card.tsx'

/** A card per installed provider, connected or not. */
export function ConnectionsScreen ({ portal }: { readonly portal: PortalData }) {
  const { providers, connections } = portal
  const list = connections.data ?? []

  const changed = (provider: string, connection: Connection | null) => {
    const others = list.filter(known => known.provider !== provider)
    connections.replace(connection === null ? others : [...others, connection])
  }

  if (providers.data === undefined || (connections.data === undefined && connections.loading)) {
    return providers.loading || connections.loading ? <p>Loading providers…</p> : null
  }
  return (
    <>
      <h2 class='visually-hidden'>Connections</h2>
      <p class='hint intro'>One key per provider. Keys are checked with the provider before they are stored, and never shown again.</p>
      <div class='card-grid'>
        {providers.data.map(provider => (
          <ProviderCard
            key={provider.id}
            portalId={portal.portalId}
            provider={provider}
            connection={list.find(connection => connection.provider === provider.id)}
            onChanged={connection => { changed(provider.id, connection) }}
          />
        ))}
      </div>
    </>
  )
}
