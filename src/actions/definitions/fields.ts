/**
 * Builders of the input fields the actions share, used by each action module's `input-fields.ts`. This file must
 * never import the built-in action list: the list imports the modules, the modules import this, and an ESM cycle
 * back to the list would read its `const` before it is initialised.
 */

import { OUTPUT_FORMATS } from '../output-format.ts'
import { PROCESSING_MODES } from '../processing.ts'
import type { FieldControlType, FieldDataType, InputFieldDefinition, InputFieldDependency, InputFieldName } from './definition-types.ts'
import type { LanguageCopy } from './labels/index.ts'
import en from './labels/en.ts'

interface InputSettings {
  readonly required?: boolean
  /** Also lets the workflow user pick a record property or an earlier action's output instead of typing. */
  readonly objectProperty?: boolean
  readonly options?: InputFieldDefinition['typeDefinition']['options']
  readonly optionsUrl?: string
}

export function input (name: InputFieldName, type: FieldDataType, fieldType: FieldControlType, settings: InputSettings = {}): InputFieldDefinition {
  return {
    typeDefinition: {
      name,
      type,
      fieldType,
      options: settings.options ?? [],
      ...(settings.optionsUrl === undefined ? {} : { optionsUrl: settings.optionsUrl })
    },
    supportedValueTypes: settings.objectProperty === true ? ['STATIC_VALUE', 'OBJECT_PROPERTY'] : ['STATIC_VALUE'],
    isRequired: settings.required ?? false
  }
}

/**
 * A dropdown whose options the action's options route answers, per portal. Dynamic only: static options would
 * offer providers, models or assistants the portal does not have, which can only fail at run time.
 */
export function dynamicSelect (name: InputFieldName, optionsUrl: string, settings: { required?: boolean } = {}): InputFieldDefinition {
  return input(name, 'enumeration', 'select', { ...settings, optionsUrl })
}

type OptionLabels = LanguageCopy['optionLabels']

/** A dropdown of fixed values. The options carry English labels; other languages come from labels.inputFieldOptionLabels. */
export function staticSelect<Name extends keyof OptionLabels> (name: Name, values: ReadonlyArray<keyof OptionLabels[Name] & string>): InputFieldDefinition {
  const labels: Readonly<Record<string, string>> = en.optionLabels[name]
  return input(name, 'enumeration', 'select', { options: values.map((value, index) => ({ label: labels[value] ?? value, value, displayOrder: index })) })
}

/** The prompt and the three record-data fields it can quote as `{{input1}}`… */
export function promptFields (): InputFieldDefinition[] {
  return [
    input('prompt', 'string', 'textarea', { required: true, objectProperty: true }),
    input('input1', 'string', 'text', { objectProperty: true }),
    input('input2', 'string', 'text', { objectProperty: true }),
    input('input3', 'string', 'text', { objectProperty: true })
  ]
}

/** outputFormat and the two fields that only some formats use, in the order the editor shows them. */
export function outputFormatFields (): InputFieldDefinition[] {
  return [
    staticSelect('outputFormat', OUTPUT_FORMATS),
    // A record property may hold the allowed answers ("hot;warm;cold"), so it can come from the record too.
    input('choices', 'string', 'text', { objectProperty: true }),
    // Optional: with a schema, providers with structured output are held to it and every answer is validated.
    input('jsonSchema', 'string', 'textarea')
  ]
}

/** Standard or economy (processing.ts); optional, since empty is standard, the only way before the field existed. */
export function processingField (): InputFieldDefinition {
  return staticSelect('processing', PROCESSING_MODES)
}

/** Hides choices and jsonSchema until the format that reads them is picked. */
export const OUTPUT_FORMAT_DEPENDENCIES: readonly InputFieldDependency[] = [
  { dependencyType: 'CONDITIONAL_SINGLE_FIELD', controllingFieldName: 'outputFormat', controllingFieldValue: 'choice', dependentFieldNames: ['choices'] },
  { dependencyType: 'CONDITIONAL_SINGLE_FIELD', controllingFieldName: 'outputFormat', controllingFieldValue: 'json', dependentFieldNames: ['jsonSchema'] }
]

/**
 * Greys out a model field until its provider field has a value, and makes HubSpot send that provider along with
 * the model options fetch (hubspot.md §1.5: input data reaches an options fetch only through a dependency).
 */
export function modelDependsOnProvider (providerField: InputFieldName, modelField: InputFieldName): InputFieldDependency {
  return { dependencyType: 'SINGLE_FIELD', controllingFieldName: providerField, dependentFieldNames: [modelField] }
}
