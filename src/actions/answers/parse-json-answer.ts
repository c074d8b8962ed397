import type { ValidateFunction } from 'ajv'
import { UnusableSchemaError, validatorFor } from '../json-schema-validator.ts'
import type { ParsedAnswer } from './answer-fields.ts'
import { capCharacters, isPlainObject, MAX_RESPONSE_CHARACTERS } from './answer-text.ts'

export function parseJsonAnswer (cleaned: string, schema: Readonly<Record<string, unknown>> | undefined): ParsedAnswer {
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
export function unwrapValue (text: string): string | number | boolean | undefined {
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
