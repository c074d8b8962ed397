import type { OutputFields } from './types.ts'

/** Output fields whose typed value is not text (hubspot.md §9A: INTEGER, DOUBLE, BOOLEAN, OBJECT…). */
const INTEGER_FIELDS: ReadonlySet<string> = new Set(['inputTokens', 'outputTokens'])

/**
 * The `typedOutputs` of a callback completion (date-versioned API): the same outputs with their real types, so a
 * workflow can branch on a number or yes/no without parsing text. `hs_execution_state` is not an output.
 */
export function typedOutputs (outputFields: OutputFields): Record<string, unknown> {
  const typed: Record<string, unknown> = {}
  for (const [name, text] of Object.entries(outputFields)) {
    if (name.startsWith('hs_')) continue
    if (INTEGER_FIELDS.has(name) || name === 'responseNumber' || name === 'costUsd') {
      const number = Number(text)
      typed[name] = Number.isFinite(number) ? number : text
    } else if (name === 'responseBoolean') {
      typed[name] = text === 'true'
    } else if (name === 'responseJson') {
      try { typed[name] = JSON.parse(text) } catch { typed[name] = text }
    } else {
      typed[name] = text
    }
  }
  return typed
}
