/**
 * The shapes of the user-facing copy, in every language HubSpot supports for custom action labels (hubspot.md §1.6).
 * What every action shares (field and option wording, outputs, execution rules, the app's name) is a LanguageCopy,
 * one file per language beside this one; what belongs to one action (its name, description, card, own wording of a
 * field) is an ActionCopy in that action's `words/` folder. Both are complete per language, so the type checker
 * refuses a missing string.
 *
 * Writing rules: short product wording a native copywriter would use in that language; HubSpot's own terms
 * where it has them (enrolled record, workflow); `{{errorMessage}}` only where the details help the user act.
 *
 * Types only, and nothing that imports an action: action modules import these, so an import back would be a cycle.
 */

import type { ReasoningEffort } from '../../../../providers/contract.ts'
import type { OutputFormat } from '../../output-format.ts'
import type { Processing } from '../../processing.ts'
import type { WordedFieldName } from '../definition-types.ts'
import type { ExecutionErrorCode } from '../execution-error-codes.ts'
import type { OutputFieldName } from '../output-field-names.ts'
import type { LabelLocale } from './label-locales.ts'

export interface FieldCopy {
  readonly label: string
  readonly description: string
}

/** One action's own words in one language. */
export interface ActionCopy {
  readonly actionName: string
  readonly actionDescription: string
  /** Summary on the action card; `{{field}}` shows that input's value. */
  readonly actionCardContent: string
  /** This action's own wording of a field, where the shared one would mislead (an assistant's overrides). */
  readonly inputFields?: Readonly<Partial<Record<WordedFieldName, FieldCopy>>>
}

/** An action's words in every label language. */
export type ActionWords = Readonly<Record<LabelLocale, ActionCopy>>

/** What every action shares, in one language. */
export interface LanguageCopy {
  /** Section name grouping this app's actions in the "Choose an action" panel. */
  readonly appDisplayName: string
  readonly inputFields: Readonly<Record<WordedFieldName, FieldCopy>>
  /** input1..3: the label for a number, the description for a placeholder such as `{{input1}}`. */
  readonly recordData: {
    readonly label: (number: number) => string
    readonly description: (placeholder: string) => string
  }
  /** A sentence appended to the provider description, naming the installed providers. */
  readonly supportedProviders: (names: string) => string
  readonly optionLabels: {
    readonly reasoningEffort: Readonly<Record<ReasoningEffort, string>>
    readonly outputFormat: Readonly<Record<OutputFormat, string>>
    readonly processing: Readonly<Record<Processing, string>>
  }
  readonly outputFields: Readonly<Record<OutputFieldName, string>>
  /** One message per execution error code, plus the fallback for any other code. */
  readonly executionRules: Readonly<Record<ExecutionErrorCode | 'fallback', string>>
}
