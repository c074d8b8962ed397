/**
 * The actions' user-facing copy in every language HubSpot supports for custom action labels (hubspot.md §1.6).
 * One file per language, each a complete LanguageCopy, so the type checker refuses a missing string.
 *
 * Writing rules: short product wording a native copywriter would use in that language; HubSpot's own terms
 * where it has them (enrolled record, workflow); `{{errorMessage}}` only where the details help the user act.
 */

import type { ReasoningEffort } from '../../../../providers/contract.ts'
import type { ActionKey } from '../../builtin-actions.ts'
import type { OutputFormat } from '../../output-format.ts'
import type { ExecutionErrorCode, OutputFieldName } from '../build-definitions.ts'
import type { WordedFieldName } from '../definition-types.ts'
import de from './de.ts'
import en from './en.ts'
import es from './es.ts'
import fr from './fr.ts'
import ja from './ja.ts'
import nl from './nl.ts'
import ptBr from './pt-br.ts'

/** English first: HubSpot requires it and falls back to it. */
export const LABEL_LOCALES = ['en', 'de', 'fr', 'ja', 'es', 'pt-br', 'nl'] as const
export type LabelLocale = typeof LABEL_LOCALES[number]

export interface FieldCopy {
  readonly label: string
  readonly description: string
}

export interface ActionCopy {
  readonly actionName: string
  readonly actionDescription: string
  /** Summary on the action card; `{{field}}` shows that input's value. */
  readonly actionCardContent: string
  /** This action's own wording of a field, where the shared one would mislead (an assistant's overrides). */
  readonly inputFields?: Readonly<Partial<Record<WordedFieldName, FieldCopy>>>
}

export interface LanguageCopy {
  /** Section name grouping this app's actions in the "Choose an action" panel. */
  readonly appDisplayName: string
  readonly actions: Readonly<Record<ActionKey, ActionCopy>>
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
  }
  readonly outputFields: Readonly<Record<OutputFieldName, string>>
  /** One message per execution error code, plus the fallback for any other code. */
  readonly executionRules: Readonly<Record<ExecutionErrorCode | 'fallback', string>>
}

export const COPY: Readonly<Record<LabelLocale, LanguageCopy>> = { en, de, fr, ja, es, 'pt-br': ptBr, nl }
