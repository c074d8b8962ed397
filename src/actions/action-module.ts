import type { ActionContext } from './action-context.ts'
import type { InputFieldDefinition, InputFieldDependency } from './definitions/definition-types.ts'
import type { ActionWords } from './definitions/labels/language-copy.ts'
import type { PlanResolver } from './engine/types.ts'
import type { ActionOptions } from './field-options.ts'

/**
 * An action as one declared module, the way a provider is one: its key (the route `/hubspot/actions/<key>` and the
 * definition's identity), its input fields, how those fields become a plan, the options of its dynamic fields, and
 * its own words. The built-in list (`builtin-actions.ts`) drives the execute and options routes, the test console,
 * the definitions and the hsmeta output; adding an action is a new folder and one line there, with no route changes
 * and no edit to the shared labels.
 */
export interface ActionModule<Key extends string = string> {
  readonly key: Key
  readonly resolvePlan: PlanResolver
  /** The definition's input fields, in the order the workflow editor shows them; dynamic ones fetch `optionsUrl`. */
  readonly inputFields: (optionsUrl: string) => readonly InputFieldDefinition[]
  readonly inputFieldDependencies: readonly InputFieldDependency[]
  /**
   * Every option of one dynamic field for this portal, unfiltered and unpaged (`field-options.ts` searches and
   * pages them); an empty list for a field that has none.
   */
  readonly options: ActionOptions
  /**
   * The action's name, description and card, and its own wording of a shared field, in every label language; the
   * rest of its labels (fields, options, outputs, execution rules) are the shared ones (`definitions/labels/`).
   */
  readonly words: ActionWords
  /** What HubSpot's AI agents read when the action is offered to them as a tool (`definitions/agent-tools.ts`). */
  readonly agentDescription: string
}

export function defineAction<Key extends string> (module: ActionModule<Key>): ActionModule<Key> {
  return Object.freeze({ ...module })
}
