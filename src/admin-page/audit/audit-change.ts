/**
 * An audit event's change as one short line of text: "before → after" in words for the actions the service
 * records, and for any other action the fields that changed with their values before and after.
 */

import type { AuditEvent } from '../api-types.ts'
import { dateTime } from '../format.ts'

type State = Readonly<Record<string, unknown>>

interface StateText {
  /** The object in a few words. */
  readonly text: (state: State) => string
  /** How a side where the object did not exist reads; without it a creation shows only the new object. */
  readonly absent?: string
}

const TEXT_LENGTH = 40
const LISTED_ITEMS = 5

const connection: StateText = {
  text: state => `key ending in ${short(state.keyHint)}${typeof state.baseUrl === 'string' ? ` at ${short(state.baseUrl)}` : ''}`
}

const assistant: StateText = { text: state => `${short(state.name)} (${short(state.model)})` }

const STATE_TEXT: Readonly<Record<string, StateText>> = {
  connect: connection,
  switch_key: connection,
  disconnect: connection,
  allowed_models: { text: state => Array.isArray(state.allowedModels) ? listText(state.allowedModels) : 'all models' },
  budget: { text: budgetText, absent: 'none' },
  assistant_create: assistant,
  assistant_delete: assistant,
  redeliver: { text: state => `callback ${short(state.completion)}, ${plural(Number(state.attempts), 'attempt')}` },
  sign_in: { text: state => `session until ${typeof state.expiresAt === 'string' ? dateTime(state.expiresAt) : short(state.expiresAt)}` },
  end_sessions: { text: state => plural(Number(state.sessions), 'session') }
}

export function changeText (event: AuditEvent): string {
  const { before, after } = event
  if (before === null && after === null) return event.detail ?? '—'
  const described = STATE_TEXT[event.action]
  if (described === undefined) return changedFields(before, after)
  if (before === null) return described.absent === undefined ? described.text(after ?? {}) : `${described.absent} → ${described.text(after ?? {})}`
  return `${described.text(before)} → ${after === null ? described.absent ?? 'removed' : described.text(after)}`
}

/** "name: Triage → Support triage; temperature: none → 0.2", for the fields whose values differ. */
function changedFields (before: State | null, after: State | null): string {
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])]
  const changed = fields.filter(field => JSON.stringify(before?.[field]) !== JSON.stringify(after?.[field]))
  if (changed.length === 0) return 'no field changed'
  return changed
    .map(field => before === null ? `${field}: ${short(after?.[field])}` : `${field}: ${short(before[field])} → ${short(after?.[field])}`)
    .join('; ')
}

function budgetText (state: State): string {
  const warn = typeof state.warnAtPercent === 'number' ? `, warn at ${state.warnAtPercent}%` : ''
  const zone = typeof state.timeZone === 'string' ? `, ${state.timeZone}` : ''
  return `${short(state.monthlyLimitUsd)} USD${warn}${zone}`
}

/** "gpt-4.1, gpt-5.4", or the first few and how many more. */
function listText (items: readonly unknown[]): string {
  if (items.length === 0) return 'none'
  const listed = items.slice(0, LISTED_ITEMS).map(short).join(', ')
  return items.length > LISTED_ITEMS ? `${listed} and ${items.length - LISTED_ITEMS} more` : listed
}

/** Any JSON value as a short text: none for null, long texts cut with an ellipsis. */
function short (value: unknown): string {
  if (value === null || value === undefined) return 'none'
  if (Array.isArray(value)) return listText(value)
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)
  return text.length > TEXT_LENGTH ? `${text.slice(0, TEXT_LENGTH - 1)}…` : text
}

function plural (amount: number, word: string): string {
  return Number.isFinite(amount) ? `${amount} ${word}${amount === 1 ? '' : 's'}` : `unknown ${word}s`
}
