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

import type { ValidateFunction } from 'ajv'
import { AppError } from '../../plugins/errors.ts'
import { MAX_SCHEMA_CHARACTERS, UnusableSchemaError, validatorFor } from './json-schema-validator.ts'
import { neutraliseTagLike, tagLikePattern } from './tag-like.ts'

export { MAX_SCHEMA_CHARACTERS, MAX_SCHEMA_DEPTH } from './json-schema-validator.ts'

export type OutputFormat = 'text' | 'number' | 'boolean' | 'choice' | 'json'
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'number', 'boolean', 'choice', 'json']

/** Longest `response` (and `responseJson`) HubSpot is given, in characters (UTF-16 code units). */
export const MAX_RESPONSE_CHARACTERS = 65_536
/**
 * Longest answer read, in characters. Longer answers are cut to it (text) or refused (other formats) before any
 * pattern sees them: four times what HubSpot takes leaves room for a code fence, prose around a number and
 * pretty-printed JSON, and bounds the work one answer can cost.
 */
export const MAX_ANSWER_CHARACTERS = 4 * MAX_RESPONSE_CHARACTERS
/** Most choices a `choice` field may list (vendors cap enum sizes, and a dropdown of more is not a choice). */
export const MAX_CHOICES = 100
/** How much of a rejected answer the repair prompt quotes. */
export const REPAIR_QUOTE_CHARACTERS = 2_000

/** The typed output fields, values as text as HubSpot takes them. Only the one for the format is set. */
export interface OutputFields {
  /** `number`: a plain decimal, `.` as decimal point, no exponent or grouping (`-1234.5`). */
  responseNumber?: string
  /** `boolean`: `true` or `false`. */
  responseBoolean?: 'true' | 'false'
  /** `choice`: one of the choices, spelled exactly as in the `choices` field. */
  responseChoice?: string
  /** `json`: the JSON value, whitespace outside strings removed; numbers keep their exact digits. */
  responseJson?: string
}

export type ParsedAnswer =
  | {
    readonly ok: true
    readonly fields: OutputFields
    /**
     * The text for the `response` output field: `cleanText(answer)`, except that a structured `{"value": …}`
     * wrapper is replaced by its value (`42`, not `{"value":42}`), since the wrapper is ours, not the model's.
     */
    readonly response: string
  }
  | {
    readonly ok: false
    /** One short sentence on what was wrong: quoted in the repair prompt and used as the OUTPUT_FORMAT message. */
    readonly problem: string
  }

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
  if (format === undefined) throw new AppError('INVALID_INPUT', `Unknown output format ${JSON.stringify(raw)}: use one of ${OUTPUT_FORMATS.join(', ')}.`)
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
    throw new AppError('INVALID_INPUT', `The "choices" field needs at least two answers separated by semicolons, such as "Hot; Warm; Cold"; it has ${choices.length === 0 ? 'none' : `only "${choices[0]}"`}.`)
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

type Outcome = { fields: OutputFields } | { problem: string }

// Not preceded by a letter or digit, so "Q3" or "v2" are not numbers and "40-50" reads as 40 and 50.
const NUMBER_TOKEN = /(?<![\p{L}\p{N}_])[-+\u2212]?\d+(?:[.,]\d+)*(?:[eE][-+]?\d+)?/gu

function parseNumber (value: string | number | boolean): Outcome {
  if (typeof value === 'boolean') return { problem: 'The answer is true or false, not a number.' }
  const tokens = [...String(value).matchAll(NUMBER_TOKEN)].map(match => match[0])
  if (tokens.length === 0) return { problem: 'The answer contains no number.' }
  if (tokens.length > 1) return { problem: `The answer contains more than one number (${tokens.slice(0, 5).join(', ')}); exactly one is needed.` }
  const number = plainDecimal(tokens[0] ?? '')
  return number === undefined ? { problem: `"${tokens[0]}" is not a usable number.` } : { fields: { responseNumber: number } }
}

/** A number token as a plain decimal string, or undefined when its separators make no sense ("1.2.3"). */
function plainDecimal (token: string): string | undefined {
  const negative = /^[-\u2212]/.test(token)
  const [, mantissa = '', exponentText] = /^[-+\u2212]?([\d.,]+)(?:[eE]([-+]?\d+))?$/.exec(token) ?? []
  const exponent = exponentText === undefined ? 0 : Number(exponentText)
  if (Math.abs(exponent) > 100) return undefined
  const split = splitSeparators(mantissa)
  if (split === undefined) return undefined

  let digits = split.integer + split.fraction
  let point = split.integer.length + exponent
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits
    point = 1
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length)
  const integer = digits.slice(0, point).replace(/^0+(?=\d)/, '')
  const fraction = withoutTrailingZeros(digits.slice(point))
  const plain = fraction === '' ? integer : `${integer}.${fraction}`
  return negative && /[1-9]/.test(plain) ? `-${plain}` : plain
}

// A scan, not `/0+$/`: that pattern restarts at every zero of a run followed by another digit (quadratic).
function withoutTrailingZeros (digits: string): string {
  let end = digits.length
  while (end > 0 && digits[end - 1] === '0') end--
  return digits.slice(0, end)
}

function splitSeparators (mantissa: string): { integer: string, fraction: string } | undefined {
  const separators = mantissa.match(/[.,]/g) ?? []
  const groups = mantissa.split(/[.,]/)
  if (separators.length === 0) return { integer: mantissa, fraction: '' }
  const last = separators[separators.length - 1]
  const kinds = new Set(separators)
  if (separators.length === 1) {
    const [integer = '', fraction = ''] = groups
    const thousands = last === ',' && fraction.length === 3 && !integer.startsWith('0')
    return thousands ? { integer: integer + fraction, fraction: '' } : { integer, fraction }
  }
  if (kinds.size === 1) {
    return validGrouping(groups) ? { integer: groups.join(''), fraction: '' } : undefined
  }
  if (separators.filter(separator => separator === last).length !== 1) return undefined
  const grouped = groups.slice(0, -1)
  return validGrouping(grouped) ? { integer: grouped.join(''), fraction: groups[groups.length - 1] ?? '' } : undefined
}

function validGrouping (groups: readonly string[]): boolean {
  const [first = '', ...rest] = groups
  return first.length >= 1 && first.length <= 3 && rest.every(group => group.length === 3)
}

const TRUE_WORDS = ['true', 'yes', 'ja', 'oui', 'sí', 'wahr', 'vrai', 'verdadero']
const FALSE_WORDS = ['false', 'no', 'nein', 'non', 'falsch', 'faux', 'falso']
// Accepted only as the whole answer: in prose they mean something else ("si" is "if", digits are counts).
const EXACT_ONLY_TRUE = ['si', '1']
const EXACT_ONLY_FALSE = ['0']
// Words that make a prose answer too uncertain to file as a fact.
const HEDGES = new Set(['not', 'isn\'t', 'isnt', 'aren\'t', 'wasn\'t', 'don\'t', 'doesn\'t', 'didn\'t', 'can\'t', 'cannot', 'never', 'neither', 'nor', 'maybe', 'perhaps', 'possibly', 'probably', 'unclear', 'unknown', 'uncertain', 'depends', 'partly', 'partially', 'nicht', 'kein', 'keine', 'vielleicht', 'pas', 'peut-être', 'quizás'])
const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu

function parseBoolean (value: string | number | boolean): Outcome {
  if (typeof value === 'boolean') return { fields: { responseBoolean: value ? 'true' : 'false' } }
  const text = comparable(String(value))
  const bare = stripSurrounding(text)
  if ([...TRUE_WORDS, ...EXACT_ONLY_TRUE].includes(bare)) return { fields: { responseBoolean: 'true' } }
  if ([...FALSE_WORDS, ...EXACT_ONLY_FALSE].includes(bare)) return { fields: { responseBoolean: 'false' } }

  const words = [...text.matchAll(WORD)].map(match => match[0].replace('’', '\''))
  const saysTrue = words.some(word => TRUE_WORDS.includes(word))
  const saysFalse = words.some(word => FALSE_WORDS.includes(word))
  if (saysTrue && saysFalse) return { problem: 'The answer says both true and false (or yes and no); exactly one is needed.' }
  if (!saysTrue && !saysFalse) return { problem: 'The answer is not true or false.' }
  const hedge = words.find(word => HEDGES.has(word))
  if (hedge !== undefined) return { problem: `The answer is hedged ("${hedge}") instead of a plain true or false.` }
  return { fields: { responseBoolean: saysTrue ? 'true' : 'false' } }
}

function parseChoice (value: string | number | boolean, choices: readonly string[]): Outcome {
  if (choices.length === 0) return { problem: 'No choices were given to choose from.' }
  const text = comparable(String(value))
  const exact = choices.filter(choice => comparable(choice) === text)
  if (exact.length === 1) return { fields: { responseChoice: exact[0] } }
  const bare = stripSurrounding(text)
  const stripped = choices.filter(choice => stripSurrounding(comparable(choice)) === bare)
  if (stripped.length === 1) return { fields: { responseChoice: stripped[0] } }

  const spans: Span[] = []
  for (const choice of choices) {
    const needle = comparable(choice)
    for (const start of wholeWordOccurrences(text, needle)) spans.push({ choice, start, end: start + needle.length })
  }
  const mentioned = new Set(outermostSpans(spans).map(span => span.choice))
  // In the order of the choices field, as the problem message lists them.
  const named = [...new Set(choices)].filter(choice => mentioned.has(choice))
  const list = choices.join('; ')
  if (named.length === 0) return { problem: `The answer is not one of the choices (${list}).` }
  if (named.length > 1) return { problem: `The answer names more than one choice (${named.join(', ')}); exactly one of ${list} is needed.` }

  const outside = blankedOut(text, outermostSpans(spans))
  const hedge = [...outside.matchAll(WORD)].map(match => match[0].replace('’', '\'')).find(word => HEDGES.has(word))
  if (hedge !== undefined) return { problem: `The answer is hedged ("${hedge}") instead of naming one choice.` }
  return { fields: { responseChoice: named[0] } }
}

/** Where a choice is named in an answer: `text.slice(start, end)` is the choice in `comparable` form. */
interface Span {
  readonly choice: string
  readonly start: number
  readonly end: number
}

/**
 * Where `needle` occurs in `text` as a whole word (no letter or digit touching either end), left to right, not
 * overlapping, as a global regular expression with look-behind and look-ahead would find them. Knuth-Morris-Pratt
 * finds every candidate in time linear in both lengths, whatever they repeat; a regular expression or `indexOf`
 * from each position costs their product on `aaaa…` against a long run of `a`.
 */
function wholeWordOccurrences (text: string, needle: string): number[] {
  if (needle === '') return []
  // fallback[i]: length of the longest proper prefix of needle[0..i] that is also its suffix.
  const fallback = new Int32Array(needle.length)
  for (let index = 1, matched = 0; index < needle.length; index++) {
    while (matched > 0 && needle.charCodeAt(index) !== needle.charCodeAt(matched)) matched = fallback[matched - 1] ?? 0
    if (needle.charCodeAt(index) === needle.charCodeAt(matched)) matched++
    fallback[index] = matched
  }
  const starts: number[] = []
  let free = 0 // where the next accepted occurrence may start: accepted ones do not overlap
  for (let index = 0, matched = 0; index < text.length; index++) {
    while (matched > 0 && text.charCodeAt(index) !== needle.charCodeAt(matched)) matched = fallback[matched - 1] ?? 0
    if (text.charCodeAt(index) === needle.charCodeAt(matched)) matched++
    if (matched < needle.length) continue
    const start = index + 1 - needle.length
    if (start >= free && !letterOrDigitBefore(text, start) && !letterOrDigitAt(text, index + 1)) {
      starts.push(start)
      free = index + 1
    }
    matched = fallback[matched - 1] ?? 0
  }
  return starts
}

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u

/** Whether the code point that ends just before `index` is a letter or digit (a surrogate pair counts whole). */
function letterOrDigitBefore (text: string, index: number): boolean {
  if (index === 0) return false
  const pairStart = index >= 2 && isLowSurrogate(text.charCodeAt(index - 1)) && isHighSurrogate(text.charCodeAt(index - 2))
  return LETTER_OR_DIGIT.test(text.slice(pairStart ? index - 2 : index - 1, index))
}

/** Whether the code point that starts at `index` is a letter or digit. */
function letterOrDigitAt (text: string, index: number): boolean {
  const codePoint = text.codePointAt(index)
  return codePoint !== undefined && LETTER_OR_DIGIT.test(String.fromCodePoint(codePoint))
}

function isHighSurrogate (code: number): boolean {
  return code >= 0xD800 && code <= 0xDBFF
}

function isLowSurrogate (code: number): boolean {
  return code >= 0xDC00 && code <= 0xDFFF
}

/**
 * The spans not inside a longer one ("hot" inside "very hot" is not a mention of Hot), in order of position.
 * Sorted by start, longest first, a span is inside a longer one exactly when a span of an earlier position (or
 * the same start and a greater end) reaches as far as it does; equal spans (two spellings of one choice) keep
 * each other. One pass after the sort, where comparing every pair would be quadratic in the mentions.
 */
function outermostSpans (spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((one, other) => one.start - other.start || other.end - one.end)
  const kept: Span[] = []
  let furthestBefore = -1 // furthest end of the spans sorted before the current run of equal spans
  let furthest = -1
  for (let index = 0; index < sorted.length; index++) {
    const span = sorted[index]
    const previous = sorted[index - 1]
    if (span === undefined) continue
    if (previous === undefined || previous.start !== span.start || previous.end !== span.end) furthestBefore = furthest
    if (furthestBefore < span.end) kept.push(span)
    furthest = Math.max(furthest, span.end)
  }
  return kept
}

/** `text` with every span replaced by as many spaces, built in one pass. */
function blankedOut (text: string, spans: readonly Span[]): string {
  const parts: string[] = []
  let cursor = 0
  for (const span of spans) {
    if (span.start > cursor) parts.push(text.slice(cursor, span.start))
    if (span.end > cursor) parts.push(' '.repeat(span.end - Math.max(cursor, span.start)))
    cursor = Math.max(cursor, span.end)
  }
  parts.push(text.slice(cursor))
  return parts.join('')
}

function parseJsonAnswer (cleaned: string, schema: Readonly<Record<string, unknown>> | undefined): ParsedAnswer {
  let source = cleaned
  let value: unknown
  try {
    value = JSON.parse(cleaned)
  } catch (error) {
    const { candidates, incomplete } = embeddedJson(cleaned)
    if (incomplete) return { ok: false, problem: 'The answer contains incomplete JSON: a bracket or brace is never closed.' }
    if (candidates.length === 0) return { ok: false, problem: `The answer is not valid JSON (${(error as Error).message}).` }
    if (candidates.length > 1) return { ok: false, problem: 'The answer contains more than one JSON value; exactly one is needed.' }
    source = candidates[0]?.source ?? ''
    value = candidates[0]?.value
  }
  if (schema !== undefined) {
    let validate: ValidateFunction
    try {
      validate = validatorFor(schema)
    } catch (error) {
      if (error instanceof UnusableSchemaError) return { ok: false, problem: error.message }
      return { ok: false, problem: `The JSON schema cannot be used: ${(error as Error).message}` }
    }
    if (!validate(value)) {
      const first = validate.errors?.[0]
      const where = first === undefined || first.instancePath === '' ? 'the value' : first.instancePath
      return { ok: false, problem: `The JSON does not match the schema: ${where} ${first?.message ?? 'is invalid'}.` }
    }
  }
  const compact = minifyJson(source)
  if (compact.length > MAX_RESPONSE_CHARACTERS) {
    return { ok: false, problem: `The JSON is ${compact.length} characters long; at most ${MAX_RESPONSE_CHARACTERS} fit in HubSpot.` }
  }
  return { ok: true, fields: { responseJson: compact }, response: capCharacters(cleaned, MAX_RESPONSE_CHARACTERS) }
}

/**
 * Balanced `{…}` / `[…]` spans outside strings that parse as JSON, left to right; a span that does not parse is
 * skipped whole, so a fragment of broken JSON is never taken for the answer. `incomplete` when a bracket never
 * closes (an answer cut off at the token limit): what follows it is inside that unfinished value.
 */
function embeddedJson (text: string): { candidates: Array<{ source: string, value: unknown }>, incomplete: boolean } {
  const candidates: Array<{ source: string, value: unknown }> = []
  let index = 0
  while (index < text.length) {
    const character = text[index]
    if (character !== '{' && character !== '[') {
      index++
      continue
    }
    const end = balancedEnd(text, index)
    if (end === undefined) return { candidates, incomplete: true }
    const source = text.slice(index, end + 1)
    try {
      candidates.push({ source, value: JSON.parse(source) })
    } catch {
      // Prose in brackets, or broken JSON: skipped whole.
    }
    index = end + 1
  }
  return { candidates, incomplete: false }
}

function balancedEnd (text: string, start: number): number | undefined {
  let depth = 0
  let inString = false
  for (let index = start; index < text.length; index++) {
    const character = text[index]
    if (inString) {
      if (character === '\\') index++
      else if (character === '"') inString = false
    } else if (character === '"') {
      inString = true
    } else if (character === '{' || character === '[') {
      depth++
    } else if (character === '}' || character === ']') {
      depth--
      if (depth === 0) return index
    }
  }
  return undefined
}

/** Removes JSON whitespace outside strings. Only called on text that parsed, so the result is the same value. */
function minifyJson (source: string): string {
  let result = ''
  let inString = false
  for (let index = 0; index < source.length; index++) {
    const character = source[index] ?? ''
    if (inString) {
      result += character
      if (character === '\\') result += source[++index] ?? ''
      else if (character === '"') inString = false
    } else if (character === '"') {
      inString = true
      result += character
    } else if (character !== ' ' && character !== '\t' && character !== '\n' && character !== '\r') {
      result += character
    }
  }
  return result
}

/** The value of a structured `{"value": …}` answer (any single key), if the text is one. */
function unwrapValue (text: string): string | number | boolean | undefined {
  if (!text.startsWith('{')) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isPlainObject(parsed)) return undefined
  const values = Object.values(parsed)
  const value = values[0]
  if (values.length !== 1) return undefined
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined
}

const FENCE_MARKERS = ['```', '~~~'] as const
// The characters after which a multiline `^` matches: a line may end in any of them.
const LINE_BREAK = /[\n\r\u2028\u2029]/

/**
 * One code fence wrapping the whole (trimmed) answer removed: an opening line that starts with ``` or ~~~, then
 * the content, then the same marker at the very end, optionally on a line of its own after spaces or tabs. Read
 * by scanning, not with `^(```|~~~)[^\n]*\n([\s\S]*?)\n?[ \t]*\1$`, whose lazy content and `[ \t]*` competed
 * for every run of spaces (quadratic on a fence followed by whitespace); the content is the same.
 */
function stripFence (answer: string): string {
  const text = answer.trim()
  const marker = FENCE_MARKERS.find(candidate => text.startsWith(candidate))
  const firstLineEnd = text.indexOf('\n')
  if (marker === undefined || firstLineEnd === -1) return text
  const afterOpening = text.slice(firstLineEnd + 1)
  if (!afterOpening.endsWith(marker)) return text
  let end = afterOpening.length - marker.length
  while (end > 0 && (afterOpening[end - 1] === ' ' || afterOpening[end - 1] === '\t')) end--
  if (end > 0 && afterOpening[end - 1] === '\n') end--
  const inner = afterOpening.slice(0, end)
  // A fence line inside means two blocks with prose between them, not one wrapping block.
  if (inner.split(LINE_BREAK).some(startsFenceLine)) return text
  return inner.trim()
}

/** Whether a line is a fence line: spaces or tabs only (not other whitespace), then ``` or ~~~. */
function startsFenceLine (line: string): boolean {
  let index = 0
  while (line[index] === ' ' || line[index] === '\t') index++
  return FENCE_MARKERS.some(candidate => line.startsWith(candidate, index))
}

function capCharacters (text: string, limit: number): string {
  if (text.length <= limit) return text
  const cut = text.slice(0, limit)
  const last = cut.charCodeAt(cut.length - 1)
  return last >= 0xD800 && last <= 0xDBFF ? cut.slice(0, -1) : cut
}

/** Case-folded, compatibility-normalised, spacing collapsed: the form answers and choices are compared in. */
function comparable (text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim()
}

/**
 * `text` without the characters other than letters and digits at either end. A scan from both ends, not
 * `/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu`: the second alternative restarted at every character of a punctuation
 * run in the middle of the text and ran to its end (quadratic).
 */
function stripSurrounding (text: string): string {
  const characters = [...text]
  let start = 0
  let end = characters.length
  while (start < end && !LETTER_OR_DIGIT.test(characters[start] ?? '')) start++
  while (end > start && !LETTER_OR_DIGIT.test(characters[end - 1] ?? '')) end--
  return characters.slice(start, end).join('')
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
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
