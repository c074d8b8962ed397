import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

/**
 * What a run measures and for how long, from the environment. The defaults keep a full run near six minutes on a
 * two-core machine; `BENCH_DURATION_S=3 BENCH_EXECUTIONS=20000` makes a quick one.
 */
export interface BenchSettings {
  /** Seconds per measurement against the 0 ms stub (BENCH_DURATION_S). */
  readonly seconds: number
  /** Seconds per measurement against the 200 ms stub: its throughput is set by the latency, so it settles fast. */
  readonly slowSeconds: number
  /** Seconds of warm-up per target before the first round. */
  readonly warmupSeconds: number
  /** Interleaved rounds; medians are taken across them (BENCH_ROUNDS). */
  readonly rounds: number
  readonly concurrencies: readonly number[]
  /** The concurrency of the 200 ms variant and of the memory phase. */
  readonly highConcurrency: number
  readonly slowLatencyMs: number
  /** Executions of the memory phase; memory is read halfway and at the end (BENCH_EXECUTIONS). */
  readonly executions: number
  /** Portals in the start-up database, each with five connections (BENCH_PORTALS). */
  readonly portals: number
  /** Portals the model-options measurement cycles through, spread evenly over the seeded ones. */
  readonly optionPortals: number
  /** Start-ups timed on the seeded database; the median is reported. */
  readonly startups: number
  /**
   * Whether the service is measured on PostgreSQL too, alone and scaled out behind haproxy (BENCH_POSTGRES, default
   * 1; 0 skips both). Its cluster's own
   * background work (checkpoints, autovacuum after a burst) shares the two cores with the measurements after it,
   * so figures meant to compare with an earlier SQLite-only run are taken with 0.
   */
  readonly postgres: boolean
  /**
   * The server entry of another build of the service to measure beside this one, in the same rounds
   * (BENCH_BASELINE: a checkout's folder with `dist/` built): a change is compared on the same machine at the same
   * time, which a shared machine's drift between two runs does not allow.
   */
  readonly baselineEntry?: string
}

function positiveNumber (name: string, fallback: number, options: { integer?: boolean } = {}): number {
  const text = process.env[name]
  if (text === undefined || text.trim() === '') return fallback
  const value = Number(text)
  if (!Number.isFinite(value) || value <= 0 || (options.integer === true && !Number.isInteger(value))) {
    throw new Error(`${name} must be a positive ${options.integer === true ? 'integer' : 'number'}, got "${text}"`)
  }
  return value
}

function baseline (): { baselineEntry?: string } {
  const folder = process.env.BENCH_BASELINE
  if (folder === undefined || folder.trim() === '') return {}
  const entry = resolve(folder, 'dist', 'src', 'server.js')
  if (!existsSync(entry)) throw new Error(`BENCH_BASELINE: ${entry} is missing: run \`npm ci\` (or \`npm run build\`) in ${folder} first`)
  return { baselineEntry: entry }
}

export function readSettings (): BenchSettings {
  const seconds = positiveNumber('BENCH_DURATION_S', 8)
  const portals = positiveNumber('BENCH_PORTALS', 10_000, { integer: true })
  return {
    seconds,
    slowSeconds: Math.max(2, seconds / 2),
    warmupSeconds: Math.min(3, seconds),
    rounds: positiveNumber('BENCH_ROUNDS', 3, { integer: true }),
    concurrencies: [1, 10, 50],
    highConcurrency: 50,
    slowLatencyMs: 200,
    executions: positiveNumber('BENCH_EXECUTIONS', 100_000, { integer: true }),
    portals,
    optionPortals: Math.min(1000, portals),
    startups: 3,
    postgres: process.env.BENCH_POSTGRES !== '0',
    ...baseline()
  }
}
