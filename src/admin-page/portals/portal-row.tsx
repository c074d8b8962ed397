import { api, portalPath } from '../api.ts'
import type { Budget, Connection, ListOf, Portal } from '../api-types.ts'
import { money, moneyLimit } from '../format.ts'
import { portalHref } from '../router.ts'
import { useLoad } from '../use-load.ts'
import { STATUS_TEXT } from '../portal/connection-status.ts'

interface PortalRowProps {
  readonly portal: Portal
  readonly providerLabels: ReadonlyMap<string, string>
}

const INSTALL_TEXT = { installed: 'Installed', reinstall_required: 'Reinstall needed' } as const

/** One portal at a glance; its connections and budget load per row. */
export function PortalRow ({ portal, providerLabels }: PortalRowProps) {
  const details = useLoad(async () => {
    const [connections, budget] = await Promise.all([
      api.get<ListOf<Connection>>(portalPath(portal.portalId, 'connections')),
      api.get<Budget>(portalPath(portal.portalId, 'budget'))
    ])
    return { connections: connections.items, budget }
  }, [portal.portalId])

  const pending = details.loading && details.data === undefined ? 'Loading…' : undefined
  const failed = details.error === undefined ? undefined : `Could not load: ${details.error}`
  const connections = details.data?.connections
  const budget = details.data?.budget

  return (
    <tr>
      <th scope='row' data-label='Portal'><a href={portalHref(portal.portalId)}>{portal.portalId}</a></th>
      <td data-label='HubSpot install'>{portal.installStatus === null ? 'Not installed' : INSTALL_TEXT[portal.installStatus]}</td>
      <td data-label='Connections'>
        {pending ?? failed ?? (connections === undefined || connections.length === 0
          ? 'None'
          : (
            <ul class='plain'>
              {connections.map(connection => (
                <li key={connection.provider}>
                  {providerLabels.get(connection.provider) ?? connection.provider}: {STATUS_TEXT[connection.status]}
                </li>
              ))}
            </ul>
            ))}
      </td>
      <td data-label='This month'>{pending ?? (budget === undefined ? '—' : money(budget.spentUsd))}</td>
      <td data-label='Budget'>{pending ?? (budget === undefined ? '—' : budgetText(budget))}</td>
    </tr>
  )
}

export function budgetText (budget: Budget): string {
  if (budget.monthlyLimitUsd === null) return 'No budget'
  const used = budget.monthlyLimitUsd > 0 ? Math.round((budget.spentUsd / budget.monthlyLimitUsd) * 100) : 0
  return `${moneyLimit(budget.monthlyLimitUsd)} a month, ${used}% used`
}
