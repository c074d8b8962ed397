import { api, portalPath } from '../api.ts'
import type { ConnectionModels, Model } from '../api-types.ts'
import type { PortalData } from '../portal/portal-page.tsx'
import { useLoad } from '../use-load.ts'

/** Assistants run on OpenAI (src/actions/assistants.ts ASSISTANT_PROVIDER). */
export const ASSISTANT_PROVIDER = 'openai'

/** The OpenAI models to suggest: the portal's offered list when OpenAI is connected, else the curated one. */
export function useAssistantModels (portal: PortalData): Model[] {
  const connected = (portal.connections.data ?? []).some(connection => connection.provider === ASSISTANT_PROVIDER)
  const offered = useLoad(async () => connected
    ? (await api.get<ConnectionModels>(portalPath(portal.portalId, 'connections', ASSISTANT_PROVIDER, 'models'))).items
    : [], [portal.portalId, connected])
  const curated = portal.providers.data?.find(provider => provider.id === ASSISTANT_PROVIDER)?.models ?? []
  const models = new Map<string, Model>()
  for (const model of [...(offered.data ?? []), ...(offered.data?.length ? [] : curated)]) models.set(model.id, model)
  return [...models.values()]
}
