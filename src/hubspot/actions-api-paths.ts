/**
 * Where the Automation Actions API lives, per version: the date-versioned `2026-09` (the default: HubSpot's newest,
 * released 2026-09-08; each date version is supported for 18 months) and `2026-03`, or the numbered `v4` (legacy
 * apps; HubSpot supports it until 2027-03-30). The one place that knows the path shapes, so definitions and
 * callbacks cannot disagree about which version is in use. The date versions differ in the date only: HubSpot's
 * specs give them the same paths and bodies.
 *
 * @see /work/shared/reference/hubspot.md §1.1, §5.2–5.3, §9A, §9B
 */

/** Newest first: the first is the default. */
export const ACTIONS_API_VERSIONS = ['2026-09', '2026-03', 'v4'] as const
export type ActionsApiVersion = typeof ACTIONS_API_VERSIONS[number]
export const DEFAULT_ACTIONS_API_VERSION: ActionsApiVersion = ACTIONS_API_VERSIONS[0]

export function isActionsApiVersion (value: string): value is ActionsApiVersion {
  return (ACTIONS_API_VERSIONS as readonly string[]).includes(value)
}

/** `/automation/actions/2026-09/{appId}[/{definitionId}]` or `/automation/v4/actions/{appId}[/{definitionId}]`. */
export function definitionsPath (version: ActionsApiVersion, appId: number, definitionId?: string): string {
  const collection = version === 'v4' ? `/automation/v4/actions/${appId}` : `/automation/actions/${version}/${appId}`
  return definitionId === undefined ? collection : `${collection}/${encodeURIComponent(definitionId)}`
}

/** The single completion path with a callbackId, the batch path without one. */
export function callbackCompletionPath (version: ActionsApiVersion, callbackId?: string): string {
  const callbacks = version === 'v4' ? '/automation/v4/actions/callbacks' : `/automation/actions/callbacks/${version}`
  return callbackId === undefined ? `${callbacks}/complete` : `${callbacks}/${encodeURIComponent(callbackId)}/complete`
}
