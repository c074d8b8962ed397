import type { BenchSettings } from './bench-settings.ts'
import type { Measurement } from './load.ts'
import type { MemoryResult } from './memory-phase.ts'
import type { ScenarioResult } from './rounds.ts'
import { median, type StartupResult } from './startup-phase.ts'

/**
 * Rounds reduced to one number each (the median across rounds), and the targets checked against them.
 * Differences and ratios are taken within each round first, then the median of those, so a slow round lowers
 * both sides of the comparison instead of one.
 */

export const DIRECT = 'direct'
export const PORTKEY = 'portkey'
export const SERVICE = 'service'
export const SERVICE_ON_POSTGRES = 'service-postgres'
export const BASELINE = 'baseline'
/** The service on PostgreSQL, `instances` of it behind haproxy (the scaling table). */
export const behindHaproxy = (instances: number): string => `postgres×${instances} haproxy`

export interface TargetSummary {
  readonly target: string
  readonly requestsPerSecond: number
  readonly p50: number
  readonly p95: number
  readonly p99: number
  /** Over the direct target in the same round (undefined for the direct target itself). */
  readonly addedP50?: number
  readonly addedP99?: number
}

export interface ScenarioSummary {
  readonly stubLabel: string
  readonly concurrency: number
  readonly seconds: number
  readonly targets: readonly TargetSummary[]
  readonly servicePerPortkey: number
  readonly servicePerDirect: number
  readonly signedDuringLoad: number
}

export interface Goal {
  readonly goal: string
  readonly measured: string
  readonly pass: boolean
  readonly note?: string
}

function roundsOf (result: ScenarioResult, target: string): Measurement[] {
  const rounds = result.rounds[target]
  if (rounds === undefined || rounds.length === 0) throw new Error(`no measurements of ${target} at c=${result.concurrency}`)
  return rounds
}

/** The median over rounds of `value(target's round, direct's round)`. */
function perRound (result: ScenarioResult, target: string, value: (own: Measurement, direct: Measurement) => number): number {
  const direct = roundsOf(result, DIRECT)
  return median(roundsOf(result, target).map((own, round) => value(own, direct[round]!)))
}

export function summarizeScenario (result: ScenarioResult): ScenarioSummary {
  const targets = Object.keys(result.rounds).map(target => {
    const rounds = roundsOf(result, target)
    const summary: TargetSummary = {
      target,
      requestsPerSecond: median(rounds.map(round => round.requestsPerSecond)),
      p50: median(rounds.map(round => round.p50)),
      p95: median(rounds.map(round => round.p95)),
      p99: median(rounds.map(round => round.p99))
    }
    if (target === DIRECT) return summary
    return { ...summary, addedP50: perRound(result, target, (own, direct) => own.p50 - direct.p50), addedP99: perRound(result, target, (own, direct) => own.p99 - direct.p99) }
  })
  const portkey = roundsOf(result, PORTKEY)
  return {
    stubLabel: result.stubLabel,
    concurrency: result.concurrency,
    seconds: result.seconds,
    targets,
    servicePerPortkey: median(roundsOf(result, SERVICE).map((own, round) => own.requestsPerSecond / portkey[round]!.requestsPerSecond)),
    servicePerDirect: perRound(result, SERVICE, (own, direct) => own.requestsPerSecond / direct.requestsPerSecond),
    signedDuringLoad: result.signedDuringLoad
  }
}

export const MEBIBYTE = 2 ** 20

export function growth (from: number, to: number): number {
  return (to - from) / from * 100
}

const inMilliseconds = (value: number): string => `${value.toFixed(2)} ms`

export function checkGoals (settings: BenchSettings, scenarios: readonly ScenarioSummary[], startup: StartupResult, memory: MemoryResult): Goal[] {
  const goals: Goal[] = []
  const fastAt = (concurrency: number) => scenarios.find(scenario => scenario.stubLabel === '0 ms stub' && scenario.concurrency === concurrency)
  const service = (scenario: ScenarioSummary | undefined) => scenario?.targets.find(target => target.target === SERVICE)

  const high = fastAt(50)
  if (high !== undefined) {
    goals.push({ goal: 'c=50, 0 ms stub: service req/s ≥ 3× Portkey', measured: `${high.servicePerPortkey.toFixed(2)}×`, pass: high.servicePerPortkey >= 3 })
    goals.push({ goal: 'c=50, 0 ms stub: service req/s ≥ 25 % of direct', measured: `${(high.servicePerDirect * 100).toFixed(1)} %`, pass: high.servicePerDirect >= 0.25 })
  }
  const single = service(fastAt(1))
  if (single?.addedP50 !== undefined && single.addedP99 !== undefined) {
    goals.push({ goal: 'c=1, 0 ms stub: added p50 ≤ 0.5 ms', measured: inMilliseconds(single.addedP50), pass: single.addedP50 <= 0.5 })
    goals.push({ goal: 'c=1, 0 ms stub: added p99 ≤ 2 ms', measured: inMilliseconds(single.addedP99), pass: single.addedP99 <= 2 })
  }

  const [, half, full] = memory.readings
  if (half !== undefined && full !== undefined) {
    const shortRun = full.executions < 100_000 ? `measured after ${full.executions} executions; the target is for 100,000` : undefined
    goals.push({
      goal: 'RSS ≤ 150 MiB after 100k executions',
      measured: `${(full.rssBytes / MEBIBYTE).toFixed(1)} MiB`,
      pass: full.rssBytes <= 150 * MEBIBYTE,
      ...(shortRun === undefined ? {} : { note: shortRun })
    })
    const halfToFull = growth(half.rssBytes, full.rssBytes)
    goals.push({
      goal: 'RSS growth < 10 % from 50k to 100k',
      measured: `${halfToFull.toFixed(1)} %`,
      pass: halfToFull < 10,
      ...(shortRun === undefined ? {} : { note: `from ${half.executions} to ${full.executions} executions` })
    })
  }

  goals.push({
    goal: 'start-up ≤ 1 s with 10k portals',
    measured: `${startup.startupMedianMs.toFixed(0)} ms`,
    pass: startup.startupMedianMs <= 1000,
    ...(settings.portals === 10_000 ? {} : { note: `with ${startup.portals} portals` })
  })
  goals.push({ goal: 'model options p99 ≤ 5 ms', measured: inMilliseconds(startup.options.p99), pass: startup.options.p99 <= 5 })
  return goals
}
