/** A tiny hash router: #/ is the portals list, #/audit every portal's audit trail, #/portals/<id>/<tab> a portal's screen. */

import { useEffect, useState } from 'preact/hooks'

export const PORTAL_TABS = [
  { id: 'connections', label: 'Connections' },
  { id: 'assistants', label: 'Assistants' },
  { id: 'test-console', label: 'Test console' },
  { id: 'executions', label: 'Executions' },
  { id: 'spend', label: 'Spend' },
  { id: 'economy', label: 'Economy' },
  { id: 'audit', label: 'Audit' }
] as const

export type PortalTab = typeof PORTAL_TABS[number]['id']

export type Route =
  | { readonly screen: 'portals' }
  | { readonly screen: 'audit' }
  | { readonly screen: 'portal', readonly portalId: number, readonly tab: PortalTab }
  | { readonly screen: 'not-found', readonly hash: string }

/** The path without its trailing slashes; a loop, since `/\/+$/` backtracks quadratically on a long run of them. */
function withoutTrailingSlashes (path: string): string {
  let end = path.length
  while (end > 0 && path[end - 1] === '/') end--
  return path.slice(0, end)
}

export function parseHash (hash: string): Route {
  const path = withoutTrailingSlashes(hash.replace(/^#/, ''))
  if (path === '' || path === '/' || path === '/portals') return { screen: 'portals' }
  if (path === '/audit') return { screen: 'audit' }
  const match = /^\/portals\/(\d{1,16})(?:\/([a-z-]+))?$/.exec(path)
  const portalId = Number(match?.[1])
  const wanted = match?.[2] === 'test' ? 'test-console' : match?.[2] ?? 'connections'
  const tab = PORTAL_TABS.find(known => known.id === wanted)
  if (match === null || !Number.isSafeInteger(portalId) || portalId < 1 || tab === undefined) return { screen: 'not-found', hash }
  return { screen: 'portal', portalId, tab: tab.id }
}

export function portalsHref (): string {
  return '#/'
}

export function auditHref (): string {
  return '#/audit'
}

export function portalHref (portalId: number, tab: PortalTab = 'connections'): string {
  return `#/portals/${portalId}/${tab}`
}

export function navigate (href: string): void {
  window.location.hash = href.replace(/^#/, '')
}

export function useRoute (): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash))
  useEffect(() => {
    const update = () => { setRoute(parseHash(window.location.hash)) }
    window.addEventListener('hashchange', update)
    return () => { window.removeEventListener('hashchange', update) }
  }, [])
  return route
}

/** A positive whole number typed by the operator, or undefined. */
export function parsePortalId (text: string): number | undefined {
  const trimmed = text.trim()
  if (!/^\d{1,16}$/.test(trimmed)) return undefined
  const value = Number(trimmed)
  return Number.isSafeInteger(value) && value >= 1 ? value : undefined
}
