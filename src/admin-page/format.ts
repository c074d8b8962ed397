/** How numbers, money and times read on the page. Money is USD in US notation; times use the operator's locale. */

const smallMoney = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 4, maximumFractionDigits: 4 })
const largeMoney = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 })

/** $0.0123 for the small amounts one execution costs, $1,234.57 from $1,000 up. */
export function money (value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'unknown'
  return Math.abs(value) < 1000 ? smallMoney.format(value) : largeMoney.format(value)
}

export function count (value: number | null | undefined): string {
  if (value === null || value === undefined) return '—'
  return value.toLocaleString()
}

export function latency (milliseconds: number | null | undefined): string {
  if (milliseconds === null || milliseconds === undefined) return '—'
  if (milliseconds < 10_000) return `${milliseconds.toLocaleString()} ms`
  return `${(milliseconds / 1000).toLocaleString(undefined, { maximumFractionDigits: 1 })} s`
}

export function dateTime (iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—'
  const time = new Date(iso)
  return Number.isNaN(time.getTime()) ? iso : time.toLocaleString()
}

/** A YYYY-MM-DD day (UTC, as the usage report counts it) in the operator's date notation. */
export function day (isoDay: string): string {
  const time = new Date(`${isoDay.slice(0, 10)}T00:00:00Z`)
  return Number.isNaN(time.getTime()) ? isoDay : time.toLocaleDateString(undefined, { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' })
}

/** Today as YYYY-MM-DD in UTC, and the first of this UTC month. */
export function utcToday (): string {
  return new Date().toISOString().slice(0, 10)
}

export function utcMonthStart (): string {
  return `${utcToday().slice(0, 7)}-01`
}

/** The day after a YYYY-MM-DD day, for the API's exclusive `to`. */
export function nextDay (isoDay: string): string {
  const time = new Date(`${isoDay}T00:00:00Z`)
  time.setUTCDate(time.getUTCDate() + 1)
  return time.toISOString().slice(0, 10)
}

const limitMoney = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 })

/** A limit the operator typed: $50.00, $0.125. */
export function moneyLimit (value: number): string {
  return limitMoney.format(value)
}
