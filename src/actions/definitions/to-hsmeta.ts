/**
 * Converts v4 action definitions into `*-hsmeta.json` workflow-action files of HubSpot's projects platform
 * (2026.03 and later), for operators who ship the actions with `hs project upload` instead of the v4 API.
 *
 * @see /work/shared/reference/hubspot.md §9.2 for the documented keys.
 */

import { findAction, type ActionKey } from '../builtin-actions.ts'
import { supportedClients, type SupportedClient } from './agent-tools.ts'
import type { ActionDefinitionEntry } from './build-definitions.ts'
import type { ActionDefinition } from './definition-types.ts'

/**
 * An action's stable component uid (`custom-llm` → `custom_llm_action`), derived from its key, which never changes
 * either: it is the action's route. Community reports say an action's URL cannot change under the same uid, so a
 * new PUBLIC_URL is a new actionUrl, not a new action.
 */
export function hsmetaUid (key: ActionKey): string {
  return `${key.replaceAll('-', '_')}_action`
}

export interface HsmetaConfig {
  readonly actionUrl: string
  /** The v4 `published` under its hsmeta name. */
  readonly isPublished: boolean
  /** WORKFLOWS, and with `agentTools` also AGENTS (with its toolType and llmConfig). */
  readonly supportedClients: readonly SupportedClient[]
  readonly inputFields: ActionDefinition['inputFields']
  readonly inputFieldDependencies: ActionDefinition['inputFieldDependencies']
  readonly outputFields: ActionDefinition['outputFields']
  readonly objectTypes: ActionDefinition['objectTypes']
  readonly labels: ActionDefinition['labels']
  /** Not in the documented hsmeta table (unconfirmed); left out with `documentedKeysOnly`. */
  readonly objectRequestOptions?: ActionDefinition['objectRequestOptions']
  /** Not in the documented hsmeta table (unconfirmed); left out with `documentedKeysOnly`. */
  readonly executionRules?: ActionDefinition['executionRules']
}

export interface HsmetaFile {
  readonly uid: string
  readonly type: 'workflow-action'
  readonly config: HsmetaConfig
}

export interface HsmetaOptions {
  /**
   * Leave out the keys hsmeta is not documented to take (objectRequestOptions, executionRules). Off by default:
   * both carry behaviour (record properties in the payload, readable failure messages) and the documented table
   * we have is cut off, so they are sent unless an upload rejects them. `functions` is never written: we have none.
   */
  readonly documentedKeysOnly?: boolean
  /** Also offer the action to HubSpot's AI agents (`supportedClients` AGENTS). Off by default. */
  readonly agentTools?: boolean
}

export function hsmetaFileName (key: ActionKey): string {
  return `${key}-hsmeta.json`
}

export function toHsmeta (key: ActionKey, definition: ActionDefinition, options: HsmetaOptions = {}): HsmetaFile {
  return {
    uid: hsmetaUid(key),
    type: 'workflow-action',
    config: {
      actionUrl: definition.actionUrl,
      isPublished: definition.published,
      supportedClients: supportedClients(agentDescription(key), options.agentTools === true),
      inputFields: definition.inputFields,
      inputFieldDependencies: definition.inputFieldDependencies,
      outputFields: definition.outputFields,
      objectTypes: definition.objectTypes,
      labels: definition.labels,
      ...(options.documentedKeysOnly === true
        ? {}
        : { objectRequestOptions: definition.objectRequestOptions, executionRules: definition.executionRules })
    }
  }
}

/** The action's own description for agents, from its module: the words travel with the action, not with its key. */
function agentDescription (key: ActionKey): string {
  const action = findAction(key)
  if (action === undefined) throw new Error(`No built-in action "${key}".`)
  return action.agentDescription
}

/** File name to file content, ready to write under `src/app/workflow-actions/` of a project. */
export function toHsmetaFiles (entries: readonly ActionDefinitionEntry[], options: HsmetaOptions = {}): Record<string, HsmetaFile> {
  return Object.fromEntries(entries.map(({ key, definition }) => [hsmetaFileName(key), toHsmeta(key, definition, options)]))
}
