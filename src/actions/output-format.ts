/**
 * Typed answers (contract §3.4): the `outputFormat` a workflow asks for, how the model is told about it, and how
 * its answer becomes HubSpot output fields. Pure functions: no Fastify, no providers.
 *
 * How the execution path uses this module:
 *
 *   const { format, choices, schema } = outputSettings(inputFields)      // INVALID_INPUT on bad settings
 *   instructions = joinInstructions(assistantInstructions, recordDataInstructions, formatInstructions(format, choices, schema))
 *   requested.jsonSchema = jsonSchemaFor(format, choices, schema)        // decideParameters drops it for models
 *                                                                        // without structured output
 *   const result = await provider.invoke(...)
 *   let parsed = parseAnswer(format, result.text, { choices, schema })
 *   if (!parsed.ok) {                                                    // one repair attempt, same settings
 *     const retry = await provider.invoke({ ..., prompt: repairPrompt(format, parsed.problem, result.text, choices, { schema, originalPrompt: prompt }) })
 *     parsed = parseAnswer(format, retry.text, { choices, schema })
 *     if (!parsed.ok) throw new AppError('OUTPUT_FORMAT', parsed.problem)  // or outputFormatError(parsed.problem)
 *   }
 *   outputFields = { response: parsed.response, ...parsed.fields, provider, model, … }
 *
 * Structured output: for number, boolean and choice, `jsonSchemaFor` asks for `{"value": …}` (an object schema,
 * as vendors require). `parseAnswer` accepts both shapes, wrapped and bare, whether or not the schema was sent,
 * so the caller never has to track which one went out. For json, the user's own schema (if any, and if its root is
 * an object) is sent as is and the answer is the JSON itself, never unwrapped.
 */

import { AppError, quoteExcerpt } from '../../plugins/errors.ts'
import { MAX_SCHEMA_CHARACTERS, UnusableSchemaError, validatorFor } from './json-schema-validator.ts'
import type { ParsedAnswer } from './answers/answer-fields.ts'
import { capCharacters, comparable, isPlainObject, MAX_ANSWER_CHARACTERS, MAX_RESPONSE_CHARACTERS, stripFence } from './answers/answer-text.ts'
import { parseBoolean } from './answers/parse-boolean.ts'
import { parseChoice } from './answers/parse-choice.ts'
import { parseJsonAnswer, unwrapValue } from './answers/parse-json-answer.ts'
import { parseNumber } from './answers/parse-number.ts'
import { neutraliseTagLike, tagLikePattern } from './tag-like.ts'

export type { OutputFields, ParsedAnswer } from './answers/answer-fields.ts'
export { MAX_ANSWER_CHARACTERS, MAX_RESPONSE_CHARACTERS } from './answers/answer-text.ts'

export { MAX_SCHEMA_CHARACTERS, MAX_SCHEMA_DEPTH } from './json-schema-validator.ts'

export type OutputFormat = 'text' | 'number' | 'boolean' | 'choice' | 'json'
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'number', 'boolean', 'choice', 'json']

/** Most choices a `choice` field may list (vendors cap enum sizes, and a dropdown of more is not a choice). */
export const MAX_CHOICES = 100
/** How much of a rejected answer the repair prompt quotes. */
export const REPAIR_QUOTE_CHARACTERS = 2_000

export interface OutputSettings {
  readonly format: OutputFormat
  /** The parsed choices for `choice`, else empty. */
  readonly choices: string[]
  /** The user's JSON Schema for `json`, when one was given. */
  readonly schema?: Record<string, unknown>
}

/**
 * Reads and checks the format-related input fields in one go (`outputFormat`, `choices`, `jsonSchema`): empty
 * `outputFormat` means text; choices are parsed only for `choice`, the schema only for `json`.
 *
 * @throws AppError INVALID_INPUT for an unknown format, too few choices or an unusable schema.
 */
export function outputSettings (input: { readonly outputFormat?: unknown, readonly choices?: unknown, readonly jsonSchema?: unknown }): OutputSettings {
  const format = parseOutputFormat(input.outputFormat)
  if (format === 'choice') return { format, choices: parseChoices(typeof input.choices === 'string' ? input.choices : undefined) }
  if (format === 'json') {
    const schema = parseJsonSchemaInput(input.jsonSchema)
    return schema === undefined ? { format, choices: [] } : { format, choices: [], schema }
  }
  return { format, choices: [] }
}

/** `outputFormat` as HubSpot sends it; absent or empty is `text`. @throws AppError INVALID_INPUT when unknown. */
export function parseOutputFormat (raw: unknown): OutputFormat {
  if (raw === undefined || raw === null || raw === '') return 'text'
  const format = OUTPUT_FORMATS.find(known => typeof raw === 'string' && known === raw.trim().toLowerCase())
  if (format === undefined) throw new AppError('INVALID_INPUT', `Unknown output format ${quoteExcerpt(typeof raw === 'string' ? raw : JSON.stringify(raw) ?? String(raw))}: use one of ${OUTPUT_FORMATS.join(', ')}.`)
  return format
}

/**
 * The `choices` field: split on `;`, trimmed, empties dropped, duplicates dropped regardless of case (the first
 * spelling is kept).
 *
 * @throws AppError INVALID_INPUT with fewer than two choices or more than MAX_CHOICES.
 */
export function parseChoices (raw: string | undefined): string[] {
  const seen = new Set<string>()
  const choices: string[] = []
  for (const part of (raw ?? '').split(';')) {
    const choice = part.trim()
    const key = comparable(choice)
    if (choice === '' || seen.has(key)) continue
    seen.add(key)
    choices.push(choice)
  }
  if (choices.length < 2) {
    throw new AppError('INVALID_INPUT', `The "choices" field needs at least two answers separated by semicolons, such as "Hot; Warm; Cold"; it has ${choices.length === 0 ? 'none' : `only ${quoteExcerpt(choices[0] ?? '')}`}.`)
  }
  if (choices.length > MAX_CHOICES) {
    throw new AppError('INVALID_INPUT', `The "choices" field lists ${choices.length} answers; at most ${MAX_CHOICES} are allowed.`)
  }
  return choices
}

/**
 * The `response` text: trimmed, one Markdown code fence wrapping the whole answer removed (```json … ```,
 * ``` … ``` or ~~~ … ~~~), then capped at MAX_RESPONSE_CHARACTERS without splitting a surrogate pair (an emoji
 * straddling the limit is dropped whole).
 */
export function cleanText (answer: string): string {
  return capCharacters(stripFence(capCharacters(answer, MAX_ANSWER_CHARACTERS)), MAX_RESPONSE_CHARACTERS)
}

/**
 * The system-instruction sentence(s) for a format; undefined for text. Send them whether or not a JSON schema is
 * sent as well: models without structured output rely on them, and with it they do no harm.
 */
export function formatInstructions (format: OutputFormat, choices: readonly string[] = [], schema?: Readonly<Record<string, unknown>>): string | undefined {
  switch (format) {
    case 'number':
      return 'Answer with a single number only: digits, with an optional leading minus sign and a decimal point, no thousands separators, units or words.'
    case 'boolean':
      return 'Answer with exactly true or false, nothing else.'
    case 'choice':
      return `Answer with exactly one of these choices, spelled as given, and nothing else: ${choices.join('; ')}`
    case 'json':
      return 'Answer with one valid JSON value only, no prose, no code fences.' +
        (schema === undefined ? '' : ` It must match this JSON Schema: ${JSON.stringify(schema)}`)
    case 'text':
      return undefined
  }
}

/**
 * The JSON schema to request structured output with (`InvokeRequest.jsonSchema`, passed through
 * `decideParameters`, which drops it for models without `structuredOutput`), or undefined when none applies.
 *
 * - number, boolean, choice: `{"value": …}` objects in OpenAI's strict form (additionalProperties false, all
 *   required); the answer then arrives as `{"value": 42}`, which `parseAnswer` unwraps.
 * - json: the user's schema, unchanged, when its root is `type: "object"` (vendors only take object roots);
 *   otherwise undefined, and the schema is enforced by the instructions and `parseAnswer` alone. The user's
 *   schema is never rewritten, so it may not satisfy a vendor's strict mode: see `strictModeProblem`.
 * - text: undefined.
 */
export function jsonSchemaFor (format: OutputFormat, choices: readonly string[] = [], schema?: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  const wrap = (value: Record<string, unknown>): Record<string, unknown> =>
    ({ type: 'object', properties: { value }, required: ['value'], additionalProperties: false })
  switch (format) {
    case 'number': return wrap({ type: 'number' })
    case 'boolean': return wrap({ type: 'boolean' })
    case 'choice': return wrap({ type: 'string', enum: [...choices] })
    case 'json': return schema !== undefined && schema.type === 'object' ? { ...schema } : undefined
    case 'text': return undefined
  }
}

/**
 * Why a schema would be refused by OpenAI-style strict structured output, or undefined when it fits: the root must
 * be an object, and every object must set `additionalProperties: false` and list all its properties in
 * `required`. The caller may use it to skip sending a user's schema to such a vendor (the answer is then still
 * validated by `parseAnswer`).
 */
export function strictModeProblem (schema: Readonly<Record<string, unknown>>): string | undefined {
  if (schema.type !== 'object') return 'the root of the schema is not {"type": "object"}'
  return strictProblemAt(schema, '#')
}

/**
 * The optional `jsonSchema` input (a JSON Schema as text, or an already parsed object). Empty is undefined.
 * Drafts 2020-12 (the default), 2019-09 and 07 are understood, chosen by `$schema`. `format` keywords are
 * annotations only (not checked), and unknown keywords are ignored, so vendor extensions pass.
 *
 * `pattern` and `patternProperties` must be RE2 syntax (no look-around or back-references): see
 * `json-schema-validator.ts`.
 *
 * @throws AppError INVALID_INPUT when the text is too long, not JSON, not a JSON object, nested more than
 * MAX_SCHEMA_DEPTH levels, not a valid schema, or uses a pattern RE2 cannot run.
 */
export function parseJsonSchemaInput (raw: unknown): Record<string, unknown> | undefined {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return undefined
  let schema: unknown = raw
  if (typeof raw === 'string') {
    if (raw.length > MAX_SCHEMA_CHARACTERS) {
      throw new AppError('INVALID_INPUT', `The JSON schema is ${raw.length} characters long; at most ${MAX_SCHEMA_CHARACTERS} are allowed.`)
    }
    try {
      schema = JSON.parse(raw)
    } catch (error) {
      throw new AppError('INVALID_INPUT', `The JSON schema is not valid JSON: ${(error as Error).message}`)
    }
  }
  if (!isPlainObject(schema)) {
    throw new AppError('INVALID_INPUT', 'The JSON schema must be a JSON object, such as {"type": "object", "properties": {"score": {"type": "number"}}}.')
  }
  try {
    validatorFor(schema)
  } catch (error) {
    if (error instanceof UnusableSchemaError) throw new AppError('INVALID_INPUT', error.message)
    throw new AppError('INVALID_INPUT', `The JSON schema is not a valid JSON Schema (drafts 2020-12, 2019-09 and 07 are supported): ${(error as Error).message}`)
  }
  return schema
}

/**
 * Reads a model's answer as the format asks. Never throws. Lenient where the intent is unambiguous, strict
 * where it is not (a wrong typed value in a CRM is worse than one repair round):
 *
 * - All but json: a structured `{"value": x}` answer (or any single-property object with a text, number or
 *   boolean value) is unwrapped first; so is one wrapping code fence.
 * - number → `responseNumber`: exactly one number must appear ("The answer is 42." → 42; "40-50" → not ok);
 *   digits glued to a letter before them are not numbers ("Q3 revenue was 42" → 42). `1,234.5` and `1.234,5` are grouped thousands; a single comma followed by exactly three digits is a
 *   thousands separator (`1,234` → 1234, the models' habit), any other single comma is a decimal comma (`3,5` →
 *   3.5, `0,125` → 0.125); a single dot is always a decimal point. Exponents are expanded (`1.5e3` → 1500).
 * - boolean → `responseBoolean`: the whole answer, stripped of punctuation and quotes, is one of true/false,
 *   yes/no, ja/nein, oui/non, sí/si/no, wahr/falsch, vrai/faux, verdadero/falso, 1/0 (any case); or prose
 *   naming only one side ("Yes, they are a decision maker.") with no hedging or negation (not, maybe, unclear, …).
 * - choice → `responseChoice`: the answer equals one choice ignoring case, spacing, quotes and surrounding
 *   punctuation; or prose names exactly one choice as a whole word ("Choice: Hot." → Hot), again without hedging
 *   or negation outside the choice itself. A choice inside a longer one counts once ("Very hot" is not also "Hot").
 * - json → `responseJson`: the answer (fence stripped) must parse as JSON; failing that, a single JSON object or
 *   array embedded in prose is taken when it is the only one that parses. Then validated against `schema`.
 *   Never unwrapped: `{"value": 1}` is a legitimate JSON answer.
 * - text → no typed field.
 *
 * An answer longer than MAX_ANSWER_CHARACTERS is cut to that length for text, and refused for the other formats.
 */
export function parseAnswer (format: OutputFormat, answerText: string, options: { readonly choices?: readonly string[], readonly schema?: Readonly<Record<string, unknown>> } = {}): ParsedAnswer {
  if (format !== 'text' && answerText.length > MAX_ANSWER_CHARACTERS) {
    return { ok: false, problem: `The answer is ${answerText.length} characters long; at most ${MAX_ANSWER_CHARACTERS} are read.` }
  }
  const cleaned = stripFence(capCharacters(answerText, MAX_ANSWER_CHARACTERS))
  if (format === 'text') return { ok: true, fields: {}, response: capCharacters(cleaned, MAX_RESPONSE_CHARACTERS) }
  if (format === 'json') return parseJsonAnswer(cleaned, options.schema)

  const wrapped = unwrapValue(cleaned)
  const response = capCharacters(wrapped === undefined ? cleaned : String(wrapped), MAX_RESPONSE_CHARACTERS)
  const value = wrapped ?? cleaned
  const outcome = format === 'number'
    ? parseNumber(value)
    : format === 'boolean' ? parseBoolean(value) : parseChoice(value, options.choices ?? [])
  return 'problem' in outcome ? { ok: false, problem: outcome.problem } : { ok: true, fields: outcome.fields, response }
}

/**
 * The prompt for the one repair attempt. Providers are called single-turn, so pass `originalPrompt` (the rendered
 * prompt) to repeat the task; send it with the same instructions and JSON schema as the first call. The rejected
 * answer is quoted (at most REPAIR_QUOTE_CHARACTERS) inside `<previous-answer>` tags that it cannot close.
 */
export function repairPrompt (format: OutputFormat, problem: string, previousAnswer: string, choices: readonly string[] = [], options: { readonly schema?: Readonly<Record<string, unknown>>, readonly originalPrompt?: string } = {}): string {
  const trimmed = previousAnswer.trim()
  const quoted = trimmed.length > REPAIR_QUOTE_CHARACTERS
    ? capCharacters(trimmed, REPAIR_QUOTE_CHARACTERS) + ' [… cut]'
    : trimmed
  const neutralised = neutraliseTagLike(quoted, PREVIOUS_ANSWER_LIKE)
  const lines = [
    `Your previous answer could not be used: ${problem}`,
    '<previous-answer>',
    neutralised,
    '</previous-answer>',
    formatInstructions(format, choices, options.schema) ?? 'Answer again.',
    'Reply with the corrected answer only.'
  ]
  const repair = lines.join('\n')
  return options.originalPrompt === undefined ? repair : `${options.originalPrompt}\n\n${repair}`
}

const PREVIOUS_ANSWER_LIKE = tagLikePattern(['previous', 'answer'])

/** The OUTPUT_FORMAT error once the repair attempt failed too, with the last problem as its message. */
export function outputFormatError (problem: string): AppError {
  return new AppError('OUTPUT_FORMAT', `The answer did not fit the requested format, even after one repair attempt: ${problem}`)
}

function strictProblemAt (schema: unknown, path: string): string | undefined {
  if (!isPlainObject(schema)) return undefined
  if (schema.type === 'object' || isPlainObject(schema.properties)) {
    const properties = isPlainObject(schema.properties) ? Object.keys(schema.properties) : []
    const required = Array.isArray(schema.required) ? schema.required : []
    if (schema.additionalProperties !== false) return `${path} does not set "additionalProperties": false`
    const optional = properties.find(name => !required.includes(name))
    if (optional !== undefined) return `${path} does not list "${optional}" in "required"`
  }
  const children: Array<[string, unknown]> = []
  for (const keyword of ['properties', '$defs', 'definitions']) {
    const map = schema[keyword]
    if (isPlainObject(map)) for (const [name, child] of Object.entries(map)) children.push([`${path}/${keyword}/${name}`, child])
  }
  for (const keyword of ['anyOf', 'allOf', 'oneOf', 'prefixItems']) {
    const list = schema[keyword]
    if (Array.isArray(list)) list.forEach((child, index) => children.push([`${path}/${keyword}/${index}`, child]))
  }
  if (schema.items !== undefined) children.push([`${path}/items`, schema.items])
  for (const [childPath, child] of children) {
    const problem = strictProblemAt(child, childPath)
    if (problem !== undefined) return problem
  }
  return undefined
}
