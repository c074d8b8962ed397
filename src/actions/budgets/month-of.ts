/** A calendar month in some time zone: its `YYYY-MM` name and the instants it starts and ends (end excluded). */
export interface CalendarMonth {
  readonly month: string
  readonly startMs: number
  readonly endMs: number
}

// Building a formatter costs far more than using one, and a service sees few distinct time zones.
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor (timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone)
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric'
    })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

/** The runtime's own spelling of an IANA time zone name (`europe/paris` → `Europe/Paris`), or undefined when unknown. */
export function canonicalTimeZone (name: string): string | undefined {
  try {
    return formatterFor(name).resolvedOptions().timeZone
  } catch {
    return undefined
  }
}

function wallClock (formatter: Intl.DateTimeFormat, time: number) {
  const parts: Record<string, number> = {}
  for (const part of formatter.formatToParts(time)) if (part.type !== 'literal') parts[part.type] = Number(part.value)
  return { year: parts.year as number, month: parts.month as number, day: parts.day as number, hour: parts.hour as number, minute: parts.minute as number, second: parts.second as number }
}

/** How far the zone's wall clock is ahead of UTC at `time`, in milliseconds. */
function offsetAt (formatter: Intl.DateTimeFormat, time: number): number {
  const wall = wallClock(formatter, time)
  const wholeSecond = Math.floor(time / 1000) * 1000
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second) - wholeSecond
}

/**
 * The instant the zone's wall clock reads midnight on the 1st of the month. Two passes, because the offset at
 * the guess may differ from the offset at the answer when a daylight-saving change falls near the boundary.
 */
function startOf (formatter: Intl.DateTimeFormat, year: number, monthIndex: number): number {
  const wallMidnight = Date.UTC(year, monthIndex, 1)
  const first = wallMidnight - offsetAt(formatter, wallMidnight)
  return wallMidnight - offsetAt(formatter, first)
}

/**
 * The calendar month `time` falls in, in `timeZone` (UTC when null). Months are what people budget by, so they
 * follow the zone's wall clock: a month with a daylight-saving change is an hour shorter or longer.
 */
export function monthOf (time: number, timeZone: string | null): CalendarMonth {
  if (timeZone === null || timeZone === 'UTC') {
    const date = new Date(time)
    const year = date.getUTCFullYear()
    const monthIndex = date.getUTCMonth()
    return { month: monthName(year, monthIndex), startMs: Date.UTC(year, monthIndex, 1), endMs: Date.UTC(year, monthIndex + 1, 1) }
  }
  const formatter = formatterFor(timeZone)
  const wall = wallClock(formatter, time)
  const monthIndex = wall.month - 1
  return { month: monthName(wall.year, monthIndex), startMs: startOf(formatter, wall.year, monthIndex), endMs: startOf(formatter, wall.year, monthIndex + 1) }
}

function monthName (year: number, monthIndex: number): string {
  const date = new Date(Date.UTC(year, monthIndex, 1))
  return `${String(date.getUTCFullYear()).padStart(4, '0')}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`
}
