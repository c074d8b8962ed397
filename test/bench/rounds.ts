import type { BenchSettings } from './bench-settings.ts'
import { LoadError, measure, type Measurement, type Target } from './load.ts'
import type { Child } from './processes.ts'
import { generationsServed } from './targets.ts'

/**
 * The side-by-side load: every scenario (a stub latency and a concurrency) runs each target in turn, and the whole
 * list repeats round after round, so whatever drifts on the machine (heat, other tenants, a growing database)
 * touches every target alike. Each measurement also checks that the stub saw at least one generation per answer:
 * a target that answered without calling the provider would otherwise look fast.
 */

export interface Scenario {
  /** `0 ms stub` or `200 ms stub`. */
  readonly stubLabel: string
  readonly stub: Child
  readonly concurrency: number
  readonly seconds: number
  /** The floor first, then the gateway, then the service (and the service on PostgreSQL where it runs). */
  readonly targets: readonly [direct: Target, portkey: Target, service: Target, ...more: Target[]]
}

export interface ScenarioResult {
  readonly stubLabel: string
  readonly concurrency: number
  readonly seconds: number
  /** Per target name, one measurement per round. */
  readonly rounds: Record<string, Measurement[]>
  /** Requests signed while the load ran because a pool was too small (should be 0). */
  readonly signedDuringLoad: number
}

/**
 * The highest rate seen so far per stub and target, at any concurrency: it sizes the next pool of signed requests.
 * The highest, not the latest, because rates swing between rounds on a shared machine and a short pool would make
 * the generator sign during the load.
 */
export class RateMemory {
  private readonly highest = new Map<string, number>()

  record (stubLabel: string, target: string, requestsPerSecond: number): void {
    const key = `${stubLabel}|${target}`
    this.highest.set(key, Math.max(this.highest.get(key) ?? 0, requestsPerSecond))
  }

  /** Requests to prepare for `seconds` of load: twice the highest rate seen, and a margin for the first round. */
  poolSize (stubLabel: string, target: string, seconds: number): number {
    return Math.ceil((this.highest.get(`${stubLabel}|${target}`) ?? 500) * seconds * 2) + 1000
  }
}

async function measureChecked (target: Target, stub: Child, connections: number, seconds: number): Promise<Measurement> {
  const before = await generationsServed(stub)
  const measurement = await measure(target, { connections, seconds })
  const served = await generationsServed(stub) - before
  if (served < measurement.ok) throw new LoadError(`${target.name} at c=${connections}: ${measurement.ok} answers but the stub served only ${served} generations`)
  return measurement
}

/** Warm-up: every target once at high concurrency, so JIT, sockets and caches are settled before round 1. */
export async function warmUp (scenarios: readonly Scenario[], settings: BenchSettings, rates: RateMemory, log: (line: string) => void): Promise<void> {
  const seen = new Set<Target>()
  for (const scenario of scenarios) {
    for (const target of scenario.targets) {
      if (seen.has(target)) continue
      seen.add(target)
      target.requests.prepare(rates.poolSize(scenario.stubLabel, target.name, settings.warmupSeconds))
      const measurement = await measureChecked(target, scenario.stub, settings.highConcurrency, settings.warmupSeconds)
      rates.record(scenario.stubLabel, target.name, measurement.requestsPerSecond)
      log(`warm-up ${scenario.stubLabel} ${target.name}: ${measurement.requestsPerSecond.toFixed(0)} req/s at c=${settings.highConcurrency}`)
    }
  }
}

export async function runRounds (scenarios: readonly Scenario[], settings: BenchSettings, rates: RateMemory, log: (line: string) => void): Promise<ScenarioResult[]> {
  const results = scenarios.map(scenario => ({
    stubLabel: scenario.stubLabel,
    concurrency: scenario.concurrency,
    seconds: scenario.seconds,
    rounds: Object.fromEntries(scenario.targets.map(target => [target.name, [] as Measurement[]])),
    signedDuringLoad: 0
  }))
  for (let round = 1; round <= settings.rounds; round++) {
    for (const [index, scenario] of scenarios.entries()) {
      const result = results[index]!
      for (const target of scenario.targets) {
        target.requests.prepare(rates.poolSize(scenario.stubLabel, target.name, scenario.seconds))
        const measurement = await measureChecked(target, scenario.stub, scenario.concurrency, scenario.seconds)
        result.signedDuringLoad += target.requests.signedDuringLoad
        rates.record(scenario.stubLabel, target.name, measurement.requestsPerSecond)
        result.rounds[target.name]!.push(measurement)
        log(`round ${round}/${settings.rounds} ${scenario.stubLabel} c=${scenario.concurrency} ${target.name}: ` +
          `${measurement.requestsPerSecond.toFixed(0)} req/s, p50 ${measurement.p50.toFixed(2)} ms, p99 ${measurement.p99.toFixed(2)} ms`)
      }
    }
  }
  return results
}
