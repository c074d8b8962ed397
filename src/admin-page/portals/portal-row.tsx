import type { Portal } from '../api-types.ts'
import { money, moneyLimit } from '../format.ts'
import { statusLabel } from '../portal/connection-status.ts'
import { portalHref } from '../router.ts'

interface PortalRowProps {
  readonly portal: Portal
  readonly providerLabels: ReadonlyMap<string, string>
  /** This UTC month's spend; undefined while it loads, null when it could not be loaded. */
  readonly spentUsd: number | null | undefined
}

const INSTALL_TEXT = { installed: 'Installed', reinstall_required: 'Reinstall needed' } as const

/** One portal at a glance, from the portals list and the agency's usage report. */
export function PortalRow ({ portal, providerLabels, spentUsd }: PortalRowProps) {
  return (
    <tr>
      <th scope='row' data-label='Portal'><a href={portalHref(portal.portalId)}>{portal.portalId}</a></th>
      <td data-label='HubSpot install'>{portal.installStatus === null ? 'Not installed' : INSTALL_TEXT[portal.installStatus]}</td>
      <td data-label='Providers'>
        {portal.connections.length === 0
          ? 'None'
          : (
            <ul class='plain'>
              {portal.connections.map(({ provider, status }) => (
                <li key={provider}>
                  {providerLabels.get(provider) ?? provider}
                  {status === 'connected' ? null : <strong class={`status-${status}`}> ({statusLabel(status)})</strong>}
                </li>
              ))}
            </ul>
            )}
      </td>
      <td data-label='This month'>{spendText(spentUsd, portal.monthlyLimitUsd)}</td>
    </tr>
  )
}

/** "$1.2345 of $50.00", or "$1.2345, no budget". */
function spendText (spentUsd: number | null | undefined, limitUsd: number | null): string {
  if (spentUsd === undefined) return 'Loading…'
  const spent = money(spentUsd)
  return limitUsd === null ? `${spent}, no budget` : `${spent} of ${moneyLimit(limitUsd)}`
}
