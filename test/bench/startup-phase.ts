import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { BenchSettings } from './bench-settings.ts'
import { measure, type Latency } from './load.ts'
import type { Child } from './processes.ts'
import { seedPortals } from './seed-portals.ts'
import { startService } from './service-setup.ts'
import { modelOptionsRequest, OPTIONS_PATH, RepeatingSource } from './signed-requests.ts'

/**
 * Start-up and the model dropdown on a large database: seeds `portals` × 5 connections, times spawn → /ready
 * several times, then measures the model-options route one request at a time on the last instance.
 */

export interface StartupResult {
  readonly portals: number
  readonly connections: number
  readonly seedMs: number
  /** Each timed start, in order. */
  readonly startupsMs: readonly number[]
  readonly startupMedianMs: number
  readonly options: Latency & { readonly requests: number, readonly portals: number, readonly requestsPerSecond: number }
}

export function median (values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export async function runStartupPhase (settings: BenchSettings, runFolder: string, stub: Child, log: (line: string) => void): Promise<StartupResult> {
  const dataDir = join(runFolder, 'seeded-data')
  const seedStarted = performance.now()
  const { connections } = seedPortals(dataDir, settings.portals)
  const seedMs = performance.now() - seedStarted
  log(`seeded ${settings.portals} portals × 5 connections (${connections} encrypted keys) in ${(seedMs / 1000).toFixed(1)} s`)

  // Each start but the last is stopped again; the last one serves the options measurement.
  const startupsMs: number[] = []
  let service: Child | undefined
  for (let attempt = 1; attempt <= settings.startups; attempt++) {
    await service?.stop()
    const started = await startService(`service-seeded-${attempt}`, runFolder, dataDir, stub.origin)
    startupsMs.push(started.startupMs)
    log(`start-up ${attempt}/${settings.startups}: ${started.startupMs.toFixed(0)} ms to /ready`)
    service = started.service
  }
  if (service === undefined) throw new Error('no start-up was timed')

  // Portals spread over the whole database, so the lookups are not all in one corner of its indexes.
  const step = Math.max(1, Math.floor(settings.portals / settings.optionPortals))
  const portalIds = Array.from({ length: settings.optionPortals }, (_, index) => 1 + index * step)
  const target = {
    name: 'model options',
    origin: service.origin,
    requests: new RepeatingSource('POST', OPTIONS_PATH, portalIds.map(modelOptionsRequest)),
    accepts: (body: string) => body.includes('"value":"gpt-5.4"')
  }
  // One pass first: each portal's live model list is fetched from the stub once, then served from the cache, as
  // HubSpot's repeated dropdown fetches are.
  await measure(target, { connections: 1, amount: portalIds.length })
  const options = await measure(target, { connections: 1, seconds: settings.seconds })
  log(`model options: p50 ${options.p50.toFixed(2)} ms, p99 ${options.p99.toFixed(2)} ms over ${options.ok} requests`)
  await service.stop()

  return {
    portals: settings.portals,
    connections,
    seedMs,
    startupsMs,
    startupMedianMs: median(startupsMs),
    options: { p50: options.p50, p95: options.p95, p99: options.p99, requests: options.ok, portals: portalIds.length, requestsPerSecond: options.requestsPerSecond }
  }
}
