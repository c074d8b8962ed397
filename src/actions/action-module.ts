import type { ActionContext } from './action-context.ts'
import type { InputFieldDefinition, InputFieldDependency } from './definitions/definition-types.ts'
import type { PlanResolver } from './engine/types.ts'
import type { FieldOption, OptionsQuery } from './field-options.ts'

/**
 * An action as one declared module, the way a provider is one: its key (the route `/hubspot/actions/<key>` and the
 * definition's identity), its input fields, how those fields become a plan, and the options of its dynamic fields.
 * The built-in list (`builtin-actions.ts`) drives the execute and options routes, the test console, the definitions
 * and the hsmeta output; adding an action is a new folder and one line there, with no route changes.
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
  readonly options: (context: ActionContext, query: OptionsQuery) => Promise<readonly FieldOption[]>
}

export function defineAction<Key extends string> (module: ActionModule<Key>): ActionModule<Key> {
  return Object.freeze({ ...module })
}
