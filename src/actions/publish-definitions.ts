/**
 * Upserts our action definitions into a HubSpot app: list what the app has, then create what is missing, patch
 * what differs and leave the rest alone. Safe to re-run.
 *
 * The HTTP is the HubSpot client's (`src/hubspot/definitions.ts`): which API version and paths, the developer key,
 * the timeout, and errors (`HubSpotApiError`, scrubbed of the key) all come from there. This module only decides
 * what to write.
 *
 * @see /work/shared/reference/hubspot.md §1.1–1.2, §9A
 */

import { HubSpotApiError, type HubSpotDefinitions, type RemoteDefinition } from '../hubspot/index.ts'
import type { ActionKey } from './builtin-actions.ts'
import { actionPath, type ActionDefinition, type ActionDefinitionEntry } from './definitions/build-definitions.ts'

export interface PublishOptions {
  /** The HubSpot client's definitions calls, already set to an API version and a developer key. */
  readonly hubspot: HubSpotDefinitions
  readonly appId: string | number
  readonly definitions: readonly ActionDefinitionEntry[]
  /** Progress and warnings, one line each. Never receives the developer key. */
  readonly log: (line: string) => void
}

export interface PublishResult {
  readonly key: ActionKey
  readonly action: 'created' | 'updated' | 'unchanged'
  readonly definitionId: string
}

/** Definitions per list page. HubSpot's maximum for this endpoint is not documented; 100 is its usual cap. */
const PAGE_SIZE = 100

export async function publishDefinitions (options: PublishOptions): Promise<PublishResult[]> {
  const { hubspot } = options
  const appId = Number(options.appId)
  if (!Number.isSafeInteger(appId) || appId <= 0) throw new Error(`The HubSpot app id must be a positive whole number, not "${String(options.appId)}".`)

  const existing = await listDefinitions(hubspot, appId)
  options.log(`app ${appId} has ${existing.length} action definition${existing.length === 1 ? '' : 's'} (actions API ${hubspot.actionsApiVersion})`)

  const results: PublishResult[] = []
  for (const { key, definition } of options.definitions) {
    const matches = existing.filter(candidate => servesAction(candidate.actionUrl, key))
    const current = matches[0]
    if (matches.length > 1) {
      options.log(`warning: ${matches.length} definitions serve ${actionPath(key)} (${matches.map(match => match.id).join(', ')}); updating ${current?.id} only, archive the others in HubSpot`)
    }
    if (current === undefined) {
      const created = await hubspot.create(appId, definition, key)
      results.push({ key, action: 'created', definitionId: created.id })
      continue
    }
    const patch = patchBody(definition)
    if (containsAll(current, patch)) {
      results.push({ key, action: 'unchanged', definitionId: current.id })
      continue
    }
    const updated = await hubspot.update(appId, current.id, patch, key)
    results.push({ key, action: 'updated', definitionId: updated.id })
  }
  return results
}

async function listDefinitions (hubspot: HubSpotDefinitions, appId: number): Promise<RemoteDefinition[]> {
  const all: RemoteDefinition[] = []
  const seen = new Set<string>()
  let after: string | undefined
  do {
    const page = await hubspot.listPage(appId, PAGE_SIZE, after)
    all.push(...page.results)
    after = page.after
    if (after !== undefined) {
      // A cursor seen before would loop forever.
      if (seen.has(after)) throw new HubSpotApiError(`HubSpot repeated the page cursor "${after}" while listing the definitions of app ${appId}.`, { status: 200 })
      seen.add(after)
    }
  } while (after !== undefined)
  return all
}

/** Whether a definition's actionUrl is ours for that key, whatever the host: PUBLIC_URL may have changed. */
function servesAction (actionUrl: string | undefined, key: ActionKey): boolean {
  try {
    return new URL(actionUrl ?? '').pathname.replace(/\/+$/, '').endsWith(actionPath(key))
  } catch {
    return false
  }
}

/** Everything we send on update. `functions` cannot be patched and we have none. */
function patchBody (definition: ActionDefinition): Omit<ActionDefinition, 'functions'> {
  const { functions: _functions, ...rest } = definition
  return rest
}

/**
 * Whether `actual` already holds everything in `expected`. Keys only HubSpot adds (ids, defaults such as
 * `externalOptions`) are ignored; arrays must match in length and order, since order is meaningful (fields,
 * options, rules).
 */
export function containsAll (actual: unknown, expected: unknown): boolean {
  if (expected === undefined) return true
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((item, index) => containsAll(actual[index], item))
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return false
    return Object.entries(expected).every(([key, value]) => containsAll((actual as Record<string, unknown>)[key], value))
  }
  return actual === expected
}
