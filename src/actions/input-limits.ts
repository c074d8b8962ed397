import { AppError, quoteExcerpt } from '../../plugins/errors.ts'
import { MAX_MODEL_ID_CHARACTERS } from '../schemas/admin/assistants.ts'
import type { InputFieldName } from './definitions/definition-types.ts'
import { MAX_SCHEMA_CHARACTERS } from './json-schema-validator.ts'
import { MAX_PROMPT_CHARACTERS } from './render-prompt.ts'

/** Provider ids are at most 40 characters (`providers/registry.ts`), assistant ids 25; room for stray spaces. */
const MAX_ID_CHARACTERS = 100
/** A number, an effort, a format or a processing mode as text. */
const MAX_SETTING_CHARACTERS = 32
/** Up to MAX_CHOICES answers of about a hundred characters each. */
const MAX_CHOICES_CHARACTERS = 10_000

/**
 * The most characters each input field of the actions takes (HubSpot sends every value as text; a number or boolean
 * is measured as it would be written). Keyed by every field name the actions declare, so a new field cannot go
 * without a limit. The prompt and the record data it quotes are bounded by the rendered prompt's own limit; the
 * largest execution these allow still fits the 1 MB body limit.
 */
export const INPUT_FIELD_LIMITS: Readonly<Record<InputFieldName, number>> = {
  provider: MAX_ID_CHARACTERS,
  fallbackProvider: MAX_ID_CHARACTERS,
  assistant: MAX_ID_CHARACTERS,
  model: MAX_MODEL_ID_CHARACTERS,
  fallbackModel: MAX_MODEL_ID_CHARACTERS,
  prompt: MAX_PROMPT_CHARACTERS,
  input1: MAX_PROMPT_CHARACTERS,
  input2: MAX_PROMPT_CHARACTERS,
  input3: MAX_PROMPT_CHARACTERS,
  temperature: MAX_SETTING_CHARACTERS,
  reasoningEffort: MAX_SETTING_CHARACTERS,
  maxOutputTokens: MAX_SETTING_CHARACTERS,
  outputFormat: MAX_SETTING_CHARACTERS,
  processing: MAX_SETTING_CHARACTERS,
  choices: MAX_CHOICES_CHARACTERS,
  jsonSchema: MAX_SCHEMA_CHARACTERS
}

/** A field no action declares is never read, but it would be stored with the execution all the same. */
const OTHER_INPUT_FIELD_LIMIT = 1_000

/** Fields named in one refusal; the rest are counted. */
const NAMED_AT_MOST = 3

function inputFieldLimit (name: string): number {
  return Object.hasOwn(INPUT_FIELD_LIMITS, name) ? INPUT_FIELD_LIMITS[name as InputFieldName] : OTHER_INPUT_FIELD_LIMIT
}

/**
 * The INVALID_INPUT error for the input fields over their limit, naming each with a short excerpt and its length;
 * undefined when every field fits. Checked before an execution is stored or any field is read, so an oversized value
 * is neither written nor echoed whole.
 */
export function inputsOverLimit (inputFields: Readonly<Record<string, unknown>>): AppError | undefined {
  const over = Object.entries(inputFields).flatMap(([name, value]) => {
    const text = asText(value)
    return text.length > inputFieldLimit(name) ? [{ name, text }] : []
  })
  if (over.length === 0) return undefined
  const named = over.slice(0, NAMED_AT_MOST).map(({ name, text }) =>
    `${quoteExcerpt(name)} takes at most ${inputFieldLimit(name).toLocaleString('en-US')} characters, got ${quoteExcerpt(text)}`)
  const more = over.length > named.length ? `; and ${over.length - named.length} more` : ''
  const subject = over.length === 1 ? 'An input field is' : `${over.length} input fields are`
  return new AppError('INVALID_INPUT', `${subject} too long: ${named.join('; ')}${more}. Shorten ${over.length === 1 ? 'it' : 'them'} in the action's settings, or in the record property ${over.length === 1 ? 'it reads' : 'they read'}.`)
}

/** More record data than any prompt could quote (MAX_PROMPT_CHARACTERS) is never needed; HubSpot sends what the definition asks for. */
export const MAX_RECORD_PROPERTY_CHARACTERS = MAX_PROMPT_CHARACTERS
/** Properties one record may carry into an execution. */
export const MAX_RECORD_PROPERTIES = 1_000

/**
 * The INVALID_INPUT error when the record data HubSpot sent (`object.properties`) is larger than any prompt could
 * use, undefined when it fits. Checked with the input fields, before anything is stored.
 */
export function recordOverLimit (object: { readonly properties?: Readonly<Record<string, unknown>> } | undefined): AppError | undefined {
  const properties = object?.properties
  if (properties === undefined) return undefined
  const names = Object.keys(properties)
  if (names.length > MAX_RECORD_PROPERTIES) {
    return new AppError('INVALID_INPUT', `The record carries ${names.length.toLocaleString('en-US')} properties; at most ${MAX_RECORD_PROPERTIES.toLocaleString('en-US')} are taken. Ask for fewer properties in the action's definition.`)
  }
  const characters = names.reduce((sum, name) => sum + name.length + asText(properties[name]).length, 0)
  if (characters <= MAX_RECORD_PROPERTY_CHARACTERS) return undefined
  return new AppError('INVALID_INPUT', `The record's properties come to ${characters.toLocaleString('en-US')} characters; at most ${MAX_RECORD_PROPERTY_CHARACTERS.toLocaleString('en-US')} are taken, more than any prompt can quote. Ask for fewer properties in the action's definition, or shorten the long ones.`)
}

function asText (value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value) ?? ''
}
