/**
 * Compiles a workflow's own JSON Schema (the `jsonSchema` input) into a validator, safely for a service that runs
 * every portal on one event loop:
 *
 * - `pattern` and `patternProperties` run on RE2 (`re2js`, a pure-JavaScript port: no native build, no download
 *   at install time), whose matching time is linear in the input. With the native `RegExp`, `^(a+)+$` against 28
 *   `a`s and a `!` blocks the process for about 20 seconds. RE2 has no look-around and no back-references: a
 *   schema using them is refused as unusable rather than run on a backtracking engine.
 * - The schema's size (MAX_SCHEMA_CHARACTERS, as JSON) and nesting depth (MAX_SCHEMA_DEPTH) are bounded before
 *   Ajv sees it, so compiling stays cheap and nothing recurses without limit.
 */

import { Ajv } from 'ajv'
import { Ajv2019 } from 'ajv/dist/2019.js'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { Options, ValidateFunction } from 'ajv'
import type { RegExpEngine, RegExpLike } from 'ajv/dist/types/index.js'
import { RE2JS } from 're2js'

/** Longest JSON Schema accepted, in characters of its JSON text: the schema is also quoted in the instructions. */
export const MAX_SCHEMA_CHARACTERS = 20_000
/** Deepest nesting of objects and arrays a JSON Schema may have (the root object is level 1). */
export const MAX_SCHEMA_DEPTH = 32

/** Why a schema was refused before or while compiling: a full sentence, safe to show to the workflow's author. */
export class UnusableSchemaError extends Error {
  override readonly name = 'UnusableSchemaError'
}

/**
 * Ajv's `code.regExp` engine: JSON Schema patterns compiled by RE2, which cannot backtrack. Ajv only calls
 * `test`, an unanchored search like `RegExp.prototype.test`. The `u` flag Ajv passes is implied: RE2 always
 * matches by code point.
 */
export const linearRegExp: RegExpEngine = Object.assign(
  (pattern: string): RegExpLike => {
    try {
      return RE2JS.compile(RE2JS.translateRegExp(pattern))
    } catch (error) {
      throw new UnusableSchemaError(`The pattern ${JSON.stringify(pattern)} cannot be used: patterns run on a linear-time engine (RE2) without look-ahead, look-behind or back-references (${(error as Error).message}).`)
    }
  },
  // Only read when Ajv writes standalone code, which this service never does.
  { code: 'linearRegExp' }
)

/** The Ajv instance for a schema, chosen by its `$schema` (2020-12 by default, 2019-09 or 07). Exported for tests. */
export function ajvFor (schema: Readonly<Record<string, unknown>>): Ajv | Ajv2019 | Ajv2020 {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : ''
  const options: Options = { strict: false, allErrors: false, validateFormats: false, logger: false, code: { regExp: linearRegExp } }
  if (dialect.includes('draft-07')) return new Ajv(options)
  return dialect.includes('2019-09') ? new Ajv2019(options) : new Ajv2020(options)
}

// Compiled validators by schema text. Each schema gets its own Ajv instance: two user schemas may share an `$id`,
// and a shared instance would also keep every schema it ever saw; evicting the instance frees both.
const VALIDATOR_CACHE_SIZE = 100
const validators = new Map<string, ValidateFunction>()

/**
 * The validator for a schema, compiled once and cached (least recently used first out).
 *
 * @throws UnusableSchemaError when the schema is too deep or too long, or a pattern is not supported by RE2.
 * @throws Error (Ajv's) when the schema is not a valid JSON Schema.
 */
export function validatorFor (schema: Readonly<Record<string, unknown>>): ValidateFunction {
  // Depth first: serialising the schema for its size and cache key recurses once per level.
  const depth = nestingDepth(schema, MAX_SCHEMA_DEPTH)
  if (depth > MAX_SCHEMA_DEPTH) {
    throw new UnusableSchemaError(`The JSON schema is nested more than ${MAX_SCHEMA_DEPTH} levels deep; at most ${MAX_SCHEMA_DEPTH} levels of objects and arrays are allowed.`)
  }
  const key = JSON.stringify(schema)
  if (key.length > MAX_SCHEMA_CHARACTERS) {
    throw new UnusableSchemaError(`The JSON schema is ${key.length} characters long; at most ${MAX_SCHEMA_CHARACTERS} are allowed.`)
  }
  const cached = validators.get(key)
  if (cached !== undefined) {
    validators.delete(key)
    validators.set(key, cached)
    return cached
  }
  const validate = ajvFor(schema).compile(schema)
  validators.set(key, validate)
  if (validators.size > VALIDATOR_CACHE_SIZE) {
    const oldest = validators.keys().next().value
    if (oldest !== undefined) validators.delete(oldest)
  }
  return validate
}

/**
 * How deeply objects and arrays nest in a JSON value (a scalar is 0), counted without recursion and without
 * looking further once `limit` is passed, so a hostile value costs at most its size.
 */
export function nestingDepth (value: unknown, limit: number): number {
  let deepest = 0
  const pending: Array<{ value: unknown, depth: number }> = [{ value, depth: 1 }]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue
    deepest = Math.max(deepest, next.depth)
    if (deepest > limit) return deepest
    for (const child of Object.values(next.value)) pending.push({ value: child, depth: next.depth + 1 })
  }
  return deepest
}
