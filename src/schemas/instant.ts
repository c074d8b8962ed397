import { Type } from '@sinclair/typebox'
import { AppError } from '../../plugins/errors.ts'

/** An ISO date (a whole UTC day) or an ISO date-time with its zone: local times would depend on the server. */
export const InstantSchema = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2}))?$' })

/** Milliseconds since the epoch of an InstantSchema value; INVALID_INPUT naming the parameter when it is no real date. */
export function parseInstant (value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  const time = Date.parse(value)
  // The pattern lets 2026-02-31 through and Date.parse rolls it into March: the date must read back unchanged.
  const sameDay = !Number.isNaN(time) && new Date(Date.parse(value.slice(0, 10))).toISOString().startsWith(value.slice(0, 10))
  if (!sameDay) throw new AppError('INVALID_INPUT', `${name} must be a date or time such as 2026-11-01 or 2026-11-01T12:00:00Z, got "${value}".`)
  return time
}
