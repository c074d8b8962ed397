import t from 'tap'
import { canonicalTimeZone, monthOf } from '../../src/actions/budgets/month-of.ts'

const at = (iso: string) => Date.parse(iso)

t.test('a UTC month runs from midnight on the 1st to midnight on the next 1st', async t => {
  t.same(monthOf(at('2026-02-14T12:00:00Z'), null), { month: '2026-02', startMs: at('2026-02-01T00:00:00Z'), endMs: at('2026-03-01T00:00:00Z') })
  t.same(monthOf(at('2026-12-31T23:59:59.999Z'), 'UTC'), { month: '2026-12', startMs: at('2026-12-01T00:00:00Z'), endMs: at('2027-01-01T00:00:00Z') }, 'December ends at the new year')
  t.equal(monthOf(at('2027-01-01T00:00:00Z'), null).month, '2027-01', 'the end instant belongs to the next month')
})

t.test('in a time zone, the month follows its wall clock', async t => {
  // 23:30 UTC on 31 January is already February in Paris (UTC+1) but still January in New York (UTC-5).
  const time = at('2026-01-31T23:30:00Z')
  t.same(monthOf(time, 'Europe/Paris'), { month: '2026-02', startMs: at('2026-01-31T23:00:00Z'), endMs: at('2026-02-28T23:00:00Z') })
  t.same(monthOf(time, 'America/New_York'), { month: '2026-01', startMs: at('2026-01-01T05:00:00Z'), endMs: at('2026-02-01T05:00:00Z') })
  t.same(monthOf(at('2026-06-10T00:00:00Z'), 'Asia/Kolkata'), { month: '2026-06', startMs: at('2026-05-31T18:30:00Z'), endMs: at('2026-06-30T18:30:00Z') }, 'half-hour offsets')
})

t.test('a month with a daylight-saving change is an hour shorter or longer', async t => {
  // Paris moves to summer time on 29 March 2026: March starts at UTC+1 and ends at UTC+2.
  const march = monthOf(at('2026-03-15T12:00:00Z'), 'Europe/Paris')
  t.same(march, { month: '2026-03', startMs: at('2026-02-28T23:00:00Z'), endMs: at('2026-03-31T22:00:00Z') })
  t.equal(march.endMs - march.startMs, 31 * 24 * 3600_000 - 3600_000, 'one hour short')
  t.equal(monthOf(at('2026-03-31T21:59:59Z'), 'Europe/Paris').month, '2026-03', 'the last summer-time hour of March')
  t.equal(monthOf(at('2026-03-31T22:00:00Z'), 'Europe/Paris').month, '2026-04', 'midnight on 1 April, summer time')
  // New York moves back on 1 November 2026, so October ends at UTC-4 and November at UTC-5.
  const november = monthOf(at('2026-11-15T12:00:00Z'), 'America/New_York')
  t.same(november, { month: '2026-11', startMs: at('2026-11-01T04:00:00Z'), endMs: at('2026-12-01T05:00:00Z') })
  t.equal(november.endMs - november.startMs, 30 * 24 * 3600_000 + 3600_000, 'one hour long')
})

t.test('consecutive months meet without a gap or an overlap', async t => {
  for (const zone of [null, 'Europe/Paris', 'America/Los_Angeles', 'Australia/Sydney', 'Pacific/Chatham']) {
    let month = monthOf(at('2025-12-15T00:00:00Z'), zone)
    for (let step = 0; step < 14; step++) {
      const next = monthOf(month.endMs, zone)
      t.equal(next.startMs, month.endMs, `${zone ?? 'UTC'} ${month.month} → ${next.month}`)
      t.equal(monthOf(month.endMs - 1, zone).month, month.month)
      month = next
    }
  }
})

t.test('time zone names are checked and spelled the runtime\'s way', async t => {
  t.equal(canonicalTimeZone('europe/paris'), 'Europe/Paris')
  t.equal(canonicalTimeZone('UTC'), 'UTC')
  t.equal(canonicalTimeZone('Mars/Olympus_Mons'), undefined)
  t.equal(canonicalTimeZone(''), undefined)
})
