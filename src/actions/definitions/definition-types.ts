/**
 * The definition body, limited to what we send. Field names follow HubSpot's public spec (hubspot.md §1.3–1.6).
 * Types only, and no import of the built-in action list: the action modules and the definitions builder both
 * read these, so keeping them apart from the list keeps module loading free of cycles.
 */

import type { LabelLocale } from './labels/label-locales.ts'

export type FieldDataType = 'bool' | 'date' | 'datetime' | 'enumeration' | 'json' | 'number' | 'object_coordinates' | 'phone_number' | 'string'
export type FieldControlType = 'booleancheckbox' | 'calculation_equation' | 'checkbox' | 'date' | 'file' | 'html' | 'number' | 'phonenumber' | 'radio' | 'select' | 'text' | 'textarea'
export type SupportedValueType = 'STATIC_VALUE' | 'OBJECT_PROPERTY'

/** Input fields worded one by one in `LanguageCopy.inputFields`. */
export type WordedFieldName =
  | 'provider' | 'model' | 'fallbackProvider' | 'fallbackModel' | 'prompt' | 'temperature' | 'reasoningEffort'
  | 'maxOutputTokens' | 'outputFormat' | 'choices' | 'jsonSchema' | 'assistant' | 'processing'
/** input1..3 share one numbered wording (`LanguageCopy.recordData`). */
export type RecordDataFieldName = 'input1' | 'input2' | 'input3'
export type InputFieldName = WordedFieldName | RecordDataFieldName

/** A hard-coded option of an enumeration field, as the definition carries it. */
export interface StaticOption {
  readonly label: string
  readonly value: string
  readonly displayOrder: number
}

export interface FieldTypeDefinition {
  readonly name: string
  readonly type: FieldDataType
  readonly fieldType: FieldControlType
  /** Always sent, empty when the field has no static options: the spec marks it required. */
  readonly options: readonly StaticOption[]
  readonly optionsUrl?: string
}

export interface InputFieldDefinition {
  readonly typeDefinition: FieldTypeDefinition
  readonly supportedValueTypes: readonly SupportedValueType[]
  readonly isRequired: boolean
}

/**
 * The typed schema of an output field since the 2026-03 API (hubspot.md §9A, `FieldTypeDefinition.schema`): what a
 * later workflow step (a branch, an agent) may rely on, next to the CRM-style `type`/`fieldType` pair.
 */
export type OutputSchema =
  | { readonly type: 'INTEGER' | 'LONG', readonly minimum?: number, readonly maximum?: number }
  | { readonly type: 'DOUBLE', readonly minimum?: number, readonly maximum?: number }
  | { readonly type: 'STRING' }
  | { readonly type: 'BOOLEAN' }
  | { readonly type: 'ARRAY', readonly items: OutputSchema }
  | { readonly type: 'OBJECT', readonly properties: Readonly<Record<string, OutputSchema>> }

export interface OutputFieldTypeDefinition extends FieldTypeDefinition {
  readonly schema: OutputSchema
}

export interface OutputFieldDefinition {
  readonly typeDefinition: OutputFieldTypeDefinition
}

export type InputFieldDependency =
  | { readonly dependencyType: 'SINGLE_FIELD', readonly controllingFieldName: string, readonly dependentFieldNames: readonly string[] }
  | { readonly dependencyType: 'CONDITIONAL_SINGLE_FIELD', readonly controllingFieldName: string, readonly controllingFieldValue: string, readonly dependentFieldNames: readonly string[] }

export interface ExecutionRule {
  readonly labelName: string
  /** Output field name to the value (or any of the values) it must have. */
  readonly conditions: Readonly<Record<string, string | readonly string[]>>
}

export interface ActionLabels {
  readonly actionName: string
  readonly actionDescription: string
  readonly actionCardContent: string
  readonly appDisplayName: string
  readonly inputFieldLabels: Readonly<Record<string, string>>
  readonly inputFieldDescriptions: Readonly<Record<string, string>>
  readonly inputFieldOptionLabels: Readonly<Record<string, Readonly<Record<string, string>>>>
  readonly outputFieldLabels: Readonly<Record<string, string>>
  readonly executionRules: Readonly<Record<string, string>>
}

export interface ActionDefinition {
  readonly actionUrl: string
  /**
   * Always true: HubSpot creates definitions unpublished, and an unpublished action is only visible in the
   * developer account tied to the app, so the portals that installed the app would never see it.
   */
  readonly published: boolean
  /** We use no HubSpot-hosted functions: the service speaks HubSpot's native request and response format. */
  readonly functions: readonly never[]
  readonly objectTypes: readonly string[]
  readonly objectRequestOptions: { readonly properties: readonly string[] }
  readonly inputFields: readonly InputFieldDefinition[]
  readonly inputFieldDependencies: readonly InputFieldDependency[]
  readonly outputFields: readonly OutputFieldDefinition[]
  readonly labels: Readonly<Record<LabelLocale, ActionLabels>>
  readonly executionRules: readonly ExecutionRule[]
}
