/**
 * Pure builders of the action definitions, in the body shape of HubSpot's Automation Actions v4 API
 * (`POST /automation/v4/actions/{appId}`). No Fastify, no I/O: the publish CLI, the `GET /hubspot/definitions`
 * route and the hsmeta printer all start here. What is particular to an action (its fields, their dependencies, its
 * words) comes from its module in the built-in list; everything here applies to every action.
 *
 * @see /work/shared/docs/contract.md §3.1–3.5 for the fields, /work/shared/reference/hubspot.md §1 for the shape.
 */

import { ERROR_CATALOGUE } from '../../../plugins/errors.ts'
import type { ActionModule } from '../action-module.ts'
import { BUILTIN_ACTIONS, type ActionKey } from '../builtin-actions.ts'
import type {
  ActionDefinition, ActionLabels, ExecutionRule, FieldControlType, FieldDataType, FieldTypeDefinition, InputFieldDefinition, OutputFieldDefinition,
  OutputSchema
} from './definition-types.ts'
import { EXECUTION_ERROR_CODES } from './execution-error-codes.ts'
import { COPY, LABEL_LOCALES, type ActionCopy, type FieldCopy, type LabelLocale, type LanguageCopy } from './labels/index.ts'
import { OUTPUT_FIELDS, type OutputFieldName } from './output-field-names.ts'

export type {
  ActionDefinition, ActionLabels, ExecutionRule, FieldControlType, FieldDataType, FieldTypeDefinition, InputFieldDefinition,
  InputFieldDependency, InputFieldName, OutputFieldDefinition, OutputFieldTypeDefinition, OutputSchema, StaticOption, SupportedValueType
} from './definition-types.ts'
export { EXECUTION_ERROR_CODES, type ExecutionErrorCode } from './execution-error-codes.ts'
export { OUTPUT_FIELDS, type OutputFieldName } from './output-field-names.ts'

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

/** The label name of the last rule, which catches every catalogue code (rules match in order, first wins). */
export const FALLBACK_RULE_NAME = 'otherError'

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

/** Every built-in action's definition, in the order of BUILTIN_ACTIONS. */
export function buildActionDefinitions (options: BuildDefinitionsOptions): ActionDefinitionEntry[] {
  const context: BuildContext = {
    base: options.publicUrl.replace(/\/+$/, ''),
    providerNames: options.providers.map(provider => provider.label).join(', '),
    objectTypes: [...(options.objectTypes ?? DEFAULT_OBJECT_TYPES)],
    objectProperties: [...(options.objectProperties ?? DEFAULT_OBJECT_PROPERTIES)]
  }
  return BUILTIN_ACTIONS.map(action => ({ key: action.key, definition: buildDefinition(action, context) }))
}

interface BuildContext {
  readonly base: string
  readonly providerNames: string
  readonly objectTypes: string[]
  readonly objectProperties: string[]
}

function buildDefinition (action: ActionModule<ActionKey>, context: BuildContext): ActionDefinition {
  const inputFields = action.inputFields(`${context.base}${optionsPath(action.key)}`)
  return {
    actionUrl: `${context.base}${actionPath(action.key)}`,
    published: true,
    functions: [],
    objectTypes: context.objectTypes,
    objectRequestOptions: { properties: context.objectProperties },
    inputFields,
    inputFieldDependencies: action.inputFieldDependencies,
    outputFields: outputFields(),
    labels: Object.fromEntries(LABEL_LOCALES.map(locale => [locale, buildLabels(action, locale, inputFields, context)])) as Record<LabelLocale, ActionLabels>,
    executionRules: executionRules()
  }
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
  costUsd: ['number', 'number'],
  errorCode: ['string', 'text'],
  errorMessage: ['string', 'textarea']
}

/**
 * The typed schema of each output (hubspot.md §9A), what a branch or an agent can rely on. Synchronous answers
 * still carry every value as a string (HubSpot's rule); the schema says what that string holds.
 */
export const OUTPUT_SCHEMAS: Readonly<Record<OutputFieldName, OutputSchema>> = {
  response: { type: 'STRING' },
  responseNumber: { type: 'DOUBLE' },
  responseBoolean: { type: 'BOOLEAN' },
  // The allowed answers are the workflow's own `choices` input, unknown here: a plain string.
  responseChoice: { type: 'STRING' },
  // Definitions are static, one per action for every workflow: a workflow's own jsonSchema input is not known at
  // definition time, so the JSON answer is declared as its serialised text, not as an OBJECT with properties.
  responseJson: { type: 'STRING' },
  provider: { type: 'STRING' },
  model: { type: 'STRING' },
  inputTokens: { type: 'INTEGER', minimum: 0 },
  outputTokens: { type: 'INTEGER', minimum: 0 },
  // Present only when the price of every model that answered is known (see the usage report's unpriced count).
  costUsd: { type: 'DOUBLE', minimum: 0 },
  errorCode: { type: 'STRING' },
  errorMessage: { type: 'STRING' }
}

function outputFields (): OutputFieldDefinition[] {
  return OUTPUT_FIELDS.map(name => {
    const [type, fieldType] = OUTPUT_TYPES[name]
    return { typeDefinition: { name, type, fieldType, options: [], schema: OUTPUT_SCHEMAS[name] } }
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

/** A field's label and description in one language: the action's own wording first, then the shared one. */
function fieldCopy (key: ActionKey, words: ActionCopy, copy: LanguageCopy, name: string, context: BuildContext): FieldCopy {
  const recordData = /^input([1-9])$/.exec(name)
  if (recordData !== null) return { label: copy.recordData.label(Number(recordData[1])), description: copy.recordData.description(`{{${name}}}`) }
  const worded = name as keyof LanguageCopy['inputFields']
  const own = words.inputFields?.[worded]
  if (own !== undefined) return own
  const shared = copy.inputFields[worded] as FieldCopy | undefined
  // Loud at build time (and so in the definitions test), not an empty label in HubSpot.
  if (shared === undefined) throw new Error(`No wording for the input field "${name}" of ${key}: add it to LanguageCopy.inputFields.`)
  if (name === 'provider' && context.providerNames !== '') return { ...shared, description: `${shared.description} ${copy.supportedProviders(context.providerNames)}` }
  return shared
}

/** One language's labels: the action's own words from its module, the rest shared by every action. */
function buildLabels (action: ActionModule<ActionKey>, locale: LabelLocale, inputFields: readonly InputFieldDefinition[], context: BuildContext): ActionLabels {
  const words = action.words[locale]
  const copy = COPY[locale]
  const names = inputFields.map(field => field.typeDefinition.name)
  const copies = names.map(name => [name, fieldCopy(action.key, words, copy, name, context)] as const)
  return {
    actionName: words.actionName,
    actionDescription: words.actionDescription,
    actionCardContent: words.actionCardContent,
    appDisplayName: copy.appDisplayName,
    inputFieldLabels: Object.fromEntries(copies.map(([name, { label }]) => [name, label])),
    inputFieldDescriptions: Object.fromEntries(copies.map(([name, { description }]) => [name, description])),
    inputFieldOptionLabels: Object.fromEntries(inputFields.flatMap(({ typeDefinition }) => hasOptionLabels(copy, typeDefinition)
      ? [[typeDefinition.name, copy.optionLabels[typeDefinition.name]]]
      : [])),
    outputFieldLabels: Object.fromEntries(OUTPUT_FIELDS.map(name => [name, copy.outputFields[name]])),
    executionRules: {
      ...Object.fromEntries(EXECUTION_ERROR_CODES.map(code => [ruleLabelName(code), copy.executionRules[code]])),
      [FALLBACK_RULE_NAME]: copy.executionRules.fallback
    }
  }
}

/** Fields with static options get their option labels translated; dynamic options are the options route's. */
function hasOptionLabels (copy: LanguageCopy, field: FieldTypeDefinition): field is FieldTypeDefinition & { name: keyof LanguageCopy['optionLabels'] } {
  return field.options.length > 0 && Object.hasOwn(copy.optionLabels, field.name)
}

export type { LabelLocale }
