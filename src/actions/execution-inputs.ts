import { REASONING_EFFORTS, type ReasoningEffort } from '../../providers/contract.ts'
import { AppError, quoteExcerpt } from '../../plugins/errors.ts'

/** HubSpot sends every input as a string (or leaves it out); an empty string means "not set". */
export type RawInputs = Readonly<Record<string, unknown>>

export function optionalText (inputs: RawInputs, name: string): string | undefined {
  const value = inputs[name]
  if (value === undefined || value === null) return undefined
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined
  if (text === undefined) throw new AppError('INVALID_INPUT', `The field "${name}" must be text.`)
  return text.trim() === '' ? undefined : text
}

export function requiredText (inputs: RawInputs, name: string, label: string): string {
  const text = optionalText(inputs, name)
  if (text === undefined) throw new AppError('INVALID_INPUT', `${label} is empty: fill in the "${name}" field of the action.`)
  return text
}

export function optionalNumber (inputs: RawInputs, name: string, range: { min: number, max: number, integer?: boolean }): number | undefined {
  const text = optionalText(inputs, name)
  if (text === undefined) return undefined
  const value = Number(text.trim())
  if (!Number.isFinite(value) || value < range.min || value > range.max || (range.integer === true && !Number.isInteger(value))) {
    throw new AppError('INVALID_INPUT', `The field "${name}" must be ${range.integer === true ? 'a whole number' : 'a number'} from ${range.min} to ${range.max}, got ${quoteExcerpt(text)}.`)
  }
  return value
}

/** One of a select field's values, matched trimmed and regardless of case; anything else is refused naming them all. */
export function optionalEnumeration<Value extends string> (inputs: RawInputs, name: string, values: readonly Value[]): Value | undefined {
  const text = optionalText(inputs, name)?.trim().toLowerCase()
  if (text === undefined) return undefined
  if (!(values as readonly string[]).includes(text)) throw new AppError('INVALID_INPUT', `The field "${name}" must be ${oneOf(values)}, got ${quoteExcerpt(text)}.`)
  return text as Value
}

export function optionalEffort (inputs: RawInputs, name = 'reasoningEffort'): ReasoningEffort | undefined {
  return optionalEnumeration(inputs, name, REASONING_EFFORTS)
}

/** ["low", "medium", "high"] → "low, medium or high" */
function oneOf (values: readonly string[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1) ?? ''}`
}
