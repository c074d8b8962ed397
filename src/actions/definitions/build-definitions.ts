/**
 * Pure builders of the two custom workflow action definitions, in the body shape of HubSpot's Automation
 * Actions v4 API (`POST /automation/v4/actions/{appId}`). No Fastify, no I/O: the publish CLI, the
 * `GET /hubspot/definitions` route and the hsmeta printer all start here.
 *
 * @see /work/shared/docs/contract.md §3.1–3.5 for the fields, /work/shared/reference/hubspot.md §1 for the shape.
 */

import { ERROR_CATALOGUE, type ErrorCode } from '../../../plugins/errors.ts'
import { REASONING_EFFORTS, type ReasoningEffort } from '../../../providers/contract.ts'
import { COPY, LABEL_LOCALES, type LabelLocale, type LanguageCopy } from './labels/index.ts'

export const ACTION_KEYS = ['custom-llm', 'openai-assistant'] as const
export type ActionKey = typeof ACTION_KEYS[number]

/** Where HubSpot posts executions of an action, relative to PUBLIC_URL. Publishing matches existing definitions by it. */
export function actionPath (key: ActionKey): string {
  return `/hubspot/actions/${key}`
}

/** Where HubSpot fetches an action's dynamic options, relative to PUBLIC_URL. */
export function optionsPath (key: ActionKey): string {
  return `${actionPath(key)}/options`
}

export const DEFAULT_OBJECT_TYPES: readonly string[] = ['CONTACT', 'COMPANY', 'DEAL', 'TICKET']

/**
 * Record properties HubSpot includes in every execution request under `object.properties`, so the most common
 * `{{propertyName}}` placeholders resolve without a CRM read (the default OAuth scopes carry no CRM scope). One
 * or two identifying properties per default object type; a property the enrolled object type lacks is expected
 * to be left out of the payload [INFERENCE, not confirmed against live HubSpot]. Anything else still comes through
 * input1..3 (OBJECT_PROPERTY) or the CRM fallback.
 */
export const DEFAULT_OBJECT_PROPERTIES: readonly string[] = [
  'firstname', 'lastname', 'email', 'jobtitle', // contact
  'name', 'domain', // company
  'dealname', 'dealstage', 'amount', // deal
  'subject', 'content' // ticket
]

export const OUTPUT_FORMATS = ['text', 'number', 'boolean', 'choice', 'json'] as const
export type OutputFormat = typeof OUTPUT_FORMATS[number]

/** The execution error codes of contract §3.5: each gets its own execution rule, in this order. */
export const EXECUTION_ERROR_CODES = [
  'PROVIDER_NOT_CONNECTED',
  'PROVIDER_UNKNOWN',
  'MODEL_NOT_ALLOWED',
  'PROVIDER_AUTH',
  'PROVIDER_QUOTA',
  'PROVIDER_REJECTED',
  'PROVIDER_TIMEOUT',
  'OUTPUT_FORMAT',
  'TEMPLATE_UNRESOLVED',
  'ASSISTANT_NOT_FOUND',
  'INVALID_INPUT'
] as const satisfies readonly ErrorCode[]
export type ExecutionErrorCode = typeof EXECUTION_ERROR_CODES[number]

/** The label name of the last rule, which catches every catalogue code (rules match in order, first wins). */
export const FALLBACK_RULE_NAME = 'otherError'

export const CUSTOM_LLM_INPUT_FIELDS = [
  'provider', 'model', 'prompt', 'input1', 'input2', 'input3', 'temperature', 'reasoningEffort', 'maxOutputTokens', 'outputFormat', 'choices', 'jsonSchema'
] as const
export const OPENAI_ASSISTANT_INPUT_FIELDS = [
  'assistant', 'prompt', 'input1', 'input2', 'input3', 'model', 'temperature', 'outputFormat', 'choices', 'jsonSchema'
] as const
export type InputFieldName = typeof CUSTOM_LLM_INPUT_FIELDS[number] | typeof OPENAI_ASSISTANT_INPUT_FIELDS[number]

export const OUTPUT_FIELDS = [
  'response', 'responseNumber', 'responseBoolean', 'responseChoice', 'responseJson', 'provider', 'model', 'inputTokens', 'outputTokens', 'errorCode', 'errorMessage'
] as const
export type OutputFieldName = typeof OUTPUT_FIELDS[number]

// The definition body, limited to what we send. Field names follow HubSpot's public spec (hubspot.md §1.3–1.6).

export type FieldDataType = 'bool' | 'date' | 'datetime' | 'enumeration' | 'json' | 'number' | 'object_coordinates' | 'phone_number' | 'string'
export type FieldControlType = 'booleancheckbox' | 'calculation_equation' | 'checkbox' | 'date' | 'file' | 'html' | 'number' | 'phonenumber' | 'radio' | 'select' | 'text' | 'textarea'
export type SupportedValueType = 'STATIC_VALUE' | 'OBJECT_PROPERTY'

export interface FieldOption {
  readonly label: string
  readonly value: string
  readonly displayOrder: number
}

export interface FieldTypeDefinition {
  readonly name: string
  readonly type: FieldDataType
  readonly fieldType: FieldControlType
  /** Always sent, empty when the field has no static options: the spec marks it required. */
  readonly options: readonly FieldOption[]
  readonly optionsUrl?: string
}

export interface InputFieldDefinition {
  readonly typeDefinition: FieldTypeDefinition
  readonly supportedValueTypes: readonly SupportedValueType[]
  readonly isRequired: boolean
}

export interface OutputFieldDefinition {
  readonly typeDefinition: FieldTypeDefinition
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

export interface ActionDefinitionEntry {
  readonly key: ActionKey
  readonly definition: ActionDefinition
}

export interface BuildDefinitionsOptions {
  /** PUBLIC_URL: the base URL HubSpot reaches. A trailing slash is ignored. */
  readonly publicUrl: string
  /** Installed providers, named in the provider field's description. Options themselves come from optionsUrl. */
  readonly providers: ReadonlyArray<{ readonly id: string, readonly label: string }>
  readonly objectTypes?: readonly string[]
  /** Properties sent in `object.properties`; default DEFAULT_OBJECT_PROPERTIES. */
  readonly objectProperties?: readonly string[]
}

/** Both action definitions, in the order of ACTION_KEYS. */
export function buildActionDefinitions (options: BuildDefinitionsOptions): ActionDefinitionEntry[] {
  const base = options.publicUrl.replace(/\/+$/, '')
  const context: BuildContext = {
    base,
    providerNames: options.providers.map(provider => provider.label).join(', '),
    objectTypes: [...(options.objectTypes ?? DEFAULT_OBJECT_TYPES)],
    objectProperties: [...(options.objectProperties ?? DEFAULT_OBJECT_PROPERTIES)]
  }
  return ACTION_KEYS.map(key => ({ key, definition: buildDefinition(key, context) }))
}

interface BuildContext {
  readonly base: string
  readonly providerNames: string
  readonly objectTypes: string[]
  readonly objectProperties: string[]
}

function buildDefinition (key: ActionKey, context: BuildContext): ActionDefinition {
  const inputFields = key === 'custom-llm' ? customLlmInputFields(context.base) : openaiAssistantInputFields(context.base)
  const inputFieldDependencies: InputFieldDependency[] = [
    ...(key === 'custom-llm'
      // Greys out the model until a provider is picked, and passes the provider to the model options fetch.
      ? [{ dependencyType: 'SINGLE_FIELD', controllingFieldName: 'provider', dependentFieldNames: ['model'] } as const]
      : []),
    { dependencyType: 'CONDITIONAL_SINGLE_FIELD', controllingFieldName: 'outputFormat', controllingFieldValue: 'choice', dependentFieldNames: ['choices'] },
    { dependencyType: 'CONDITIONAL_SINGLE_FIELD', controllingFieldName: 'outputFormat', controllingFieldValue: 'json', dependentFieldNames: ['jsonSchema'] }
  ]
  return {
    actionUrl: `${context.base}${actionPath(key)}`,
    published: true,
    functions: [],
    objectTypes: context.objectTypes,
    objectRequestOptions: { properties: context.objectProperties },
    inputFields,
    inputFieldDependencies,
    outputFields: outputFields(),
    labels: Object.fromEntries(LABEL_LOCALES.map(locale => [locale, buildLabels(key, COPY[locale], inputFields, context)])) as Record<LabelLocale, ActionLabels>,
    executionRules: executionRules()
  }
}

function input (name: InputFieldName, type: FieldDataType, fieldType: FieldControlType, settings: { required?: boolean, objectProperty?: boolean, options?: FieldOption[], optionsUrl?: string } = {}): InputFieldDefinition {
  return {
    typeDefinition: {
      name,
      type,
      fieldType,
      options: settings.options ?? [],
      ...(settings.optionsUrl === undefined ? {} : { optionsUrl: settings.optionsUrl })
    },
    // OBJECT_PROPERTY lets the workflow user pick a record property or an earlier action's output instead of typing.
    supportedValueTypes: settings.objectProperty === true ? ['STATIC_VALUE', 'OBJECT_PROPERTY'] : ['STATIC_VALUE'],
    isRequired: settings.required ?? false
  }
}

/** Static options carry English labels; other languages come from labels.inputFieldOptionLabels. */
function staticOptions (values: readonly string[], englishLabels: Readonly<Record<string, string>>): FieldOption[] {
  return values.map((value, index) => ({ label: englishLabels[value] ?? value, value, displayOrder: index }))
}

function sharedTailFields (): InputFieldDefinition[] {
  return [
    input('prompt', 'string', 'textarea', { required: true, objectProperty: true }),
    input('input1', 'string', 'text', { objectProperty: true }),
    input('input2', 'string', 'text', { objectProperty: true }),
    input('input3', 'string', 'text', { objectProperty: true })
  ]
}

function outputFormatField (): InputFieldDefinition {
  return input('outputFormat', 'enumeration', 'select', { options: staticOptions(OUTPUT_FORMATS, COPY.en.optionLabels.outputFormat) })
}

function choicesField (): InputFieldDefinition {
  // A record property may hold the allowed answers ("hot;warm;cold"), so it can come from the record too.
  return input('choices', 'string', 'text', { objectProperty: true })
}

function jsonSchemaField (): InputFieldDefinition {
  // Optional: with a schema, providers with structured output are held to it and every answer is validated.
  return input('jsonSchema', 'string', 'textarea')
}

function customLlmInputFields (base: string): InputFieldDefinition[] {
  const optionsUrl = `${base}${optionsPath('custom-llm')}`
  return [
    // Dynamic only: the options route lists the providers this portal has connected. Static options would offer
    // unconnected providers that can only fail with PROVIDER_NOT_CONNECTED at run time.
    input('provider', 'enumeration', 'select', { required: true, optionsUrl }),
    input('model', 'enumeration', 'select', { required: true, optionsUrl }),
    ...sharedTailFields(),
    input('temperature', 'number', 'number'),
    input('reasoningEffort', 'enumeration', 'select', { options: staticOptions(REASONING_EFFORTS, COPY.en.optionLabels.reasoningEffort) }),
    input('maxOutputTokens', 'number', 'number'),
    outputFormatField(),
    choicesField(),
    jsonSchemaField()
  ]
}

function openaiAssistantInputFields (base: string): InputFieldDefinition[] {
  const optionsUrl = `${base}${optionsPath('openai-assistant')}`
  return [
    input('assistant', 'enumeration', 'select', { required: true, optionsUrl }),
    ...sharedTailFields(),
    input('model', 'enumeration', 'select', { optionsUrl }),
    input('temperature', 'number', 'number'),
    outputFormatField(),
    choicesField(),
    jsonSchemaField()
  ]
}

const OUTPUT_TYPES: Readonly<Record<OutputFieldName, readonly [FieldDataType, FieldControlType]>> = {
  response: ['string', 'textarea'],
  responseNumber: ['number', 'number'],
  // Sent as "true" / "false", the CRM convention for bool values.
  responseBoolean: ['bool', 'booleancheckbox'],
  responseChoice: ['string', 'text'],
  responseJson: ['string', 'textarea'],
  provider: ['string', 'text'],
  model: ['string', 'text'],
  inputTokens: ['number', 'number'],
  outputTokens: ['number', 'number'],
  errorCode: ['string', 'text'],
  errorMessage: ['string', 'textarea']
}

function outputFields (): OutputFieldDefinition[] {
  return OUTPUT_FIELDS.map(name => {
    const [type, fieldType] = OUTPUT_TYPES[name]
    return { typeDefinition: { name, type, fieldType, options: [] } }
  })
}

/** PROVIDER_NOT_CONNECTED → providerNotConnected */
export function ruleLabelName (code: string): string {
  return code.toLowerCase().replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase())
}

function executionRules (): ExecutionRule[] {
  return [
    ...EXECUTION_ERROR_CODES.map(code => ({ labelName: ruleLabelName(code), conditions: { errorCode: code } })),
    // HubSpot has no wildcard condition: list every catalogue code, so any other failure (a callback-completed
    // rate limit, an internal error, a code added later) still gets a readable message.
    { labelName: FALLBACK_RULE_NAME, conditions: { errorCode: Object.keys(ERROR_CATALOGUE) } }
  ]
}

function buildLabels (key: ActionKey, copy: LanguageCopy, inputFields: readonly InputFieldDefinition[], context: BuildContext): ActionLabels {
  const fieldCopy = (name: string) => {
    if (key === 'openai-assistant' && (name === 'model' || name === 'temperature')) return copy.assistantOverrides[name]
    if (name === 'input1' || name === 'input2' || name === 'input3') {
      const number = Number(name.slice(-1))
      return { label: copy.recordData.label(number), description: copy.recordData.description(`{{${name}}}`) }
    }
    const shared = copy.inputFields[name as keyof LanguageCopy['inputFields']]
    if (name === 'provider' && context.providerNames !== '') return { ...shared, description: `${shared.description} ${copy.supportedProviders(context.providerNames)}` }
    return shared
  }
  const names = inputFields.map(field => field.typeDefinition.name)
  const optionLabels: Record<string, Readonly<Record<string, string>>> = {}
  if (names.includes('reasoningEffort')) optionLabels.reasoningEffort = copy.optionLabels.reasoningEffort
  if (names.includes('outputFormat')) optionLabels.outputFormat = copy.optionLabels.outputFormat
  return {
    actionName: copy.actions[key].actionName,
    actionDescription: copy.actions[key].actionDescription,
    actionCardContent: copy.actions[key].actionCardContent,
    appDisplayName: copy.appDisplayName,
    inputFieldLabels: Object.fromEntries(names.map(name => [name, fieldCopy(name).label])),
    inputFieldDescriptions: Object.fromEntries(names.map(name => [name, fieldCopy(name).description])),
    inputFieldOptionLabels: optionLabels,
    outputFieldLabels: Object.fromEntries(OUTPUT_FIELDS.map(name => [name, copy.outputFields[name]])),
    executionRules: {
      ...Object.fromEntries(EXECUTION_ERROR_CODES.map(code => [ruleLabelName(code), copy.executionRules[code]])),
      [FALLBACK_RULE_NAME]: copy.executionRules.fallback
    }
  }
}

export type { LabelLocale, ReasoningEffort }
