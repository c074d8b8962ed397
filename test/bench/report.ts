import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import type { BenchSettings } from './bench-settings.ts'
import type { MemoryResult } from './memory-phase.ts'
import type { ScenarioResult } from './rounds.ts'
import type { StartupResult } from './startup-phase.ts'
import { behindHaproxy, growth, MEBIBYTE, SERVICE, SERVICE_ON_POSTGRES, type Goal, type ScenarioSummary, type TargetSummary } from './summary.ts'

/** The printed table and test/bench/results/latest.json. */

export interface Report {
  readonly at: string
  readonly machine: ReturnType<typeof machine> & {
    /** One-minute load averages when the run began and ended: other work on the machine shows here. */
    readonly loadAverage: { readonly before: number, readonly after: number }
  }
  readonly settings: BenchSettings & { readonly serviceProviderConcurrency: number }
  readonly notes: readonly string[]
  readonly load: readonly ScenarioSummary[]
  readonly startup: StartupResult
  readonly memory: MemoryResult
  /** Portkey's resident memory after all rounds, for scale. */
  readonly portkeyRssBytes: number
  readonly goals: readonly Goal[]
  readonly rounds: readonly ScenarioResult[]
  readonly runSeconds: number
}

export function machine (): { readonly cores: number, readonly totalMemoryBytes: number, readonly node: string, readonly cpu: string, readonly platform: string } {
  return { cores: availableParallelism(), totalMemoryBytes: totalmem(), node: process.version, cpu: cpus()[0]?.model ?? 'unknown', platform: `${process.platform} ${process.arch}` }
}

const number = (value: number | undefined, digits = 2): string => value === undefined || Number.isNaN(value) ? '' : value.toFixed(digits)
const inMebibytes = (bytes: number): string => `${(bytes / MEBIBYTE).toFixed(1)} MiB`
const thousands = (count: number): string => count % 1000 === 0 ? `${count / 1000}k` : String(count)

function table (rows: readonly string[][], rightAligned: ReadonlySet<number>): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map(row => row[column]?.length ?? 0)))
  return rows.map(row => row.map((cell, column) => rightAligned.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n')
}

export function formatReport (report: Report): string {
  const { settings, startup, memory } = report
  const lines: string[] = []
  const { cores, totalMemoryBytes, node, cpu, loadAverage } = report.machine
  lines.push(`hubspot-llm-actions benchmark, ${report.at}`)
  lines.push(`${cpu}, ${cores} cores, ${(totalMemoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${node}; all processes on 127.0.0.1, run took ${(report.runSeconds / 60).toFixed(1)} min; ` +
    `load average ${loadAverage.before.toFixed(2)} before, ${loadAverage.after.toFixed(2)} after`)
  lines.push('')
  lines.push(`Load: medians of ${settings.rounds} interleaved rounds, ${settings.seconds} s per measurement (200 ms stub: ${settings.slowSeconds} s); +p50/+p99 = over direct in the same round`)

  const rows: string[][] = [['stub', 'c', 'target', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', '+p50 ms', '+p99 ms', 'service/portkey', 'service/direct']]
  for (const scenario of report.load) {
    scenario.targets.forEach((target, index) => {
      const first = index === 0
      rows.push([
        first ? scenario.stubLabel : '',
        first ? String(scenario.concurrency) : '',
        target.target,
        number(target.requestsPerSecond, 0),
        number(target.p50), number(target.p95), number(target.p99),
        number(target.addedP50), number(target.addedP99),
        first ? `${number(scenario.servicePerPortkey)}×` : '',
        first ? `${number(scenario.servicePerDirect)}×` : ''
      ])
    })
  }
  lines.push(table(rows, new Set([1, 3, 4, 5, 6, 7, 8, 9, 10])))
  const signed = report.load.reduce((sum, scenario) => sum + scenario.signedDuringLoad, 0)
  if (signed > 0) lines.push(`(${signed} requests had to be signed during load: the pools were too small)`)
  lines.push('')
  lines.push(...formatScaling(report.load))

  lines.push(`Start-up, spawn → /ready 200, ${startup.portals} portals × 5 connections: median ${startup.startupMedianMs.toFixed(0)} ms ` +
    `(${startup.startupsMs.map(value => value.toFixed(0)).join(', ')} ms; seeding took ${(startup.seedMs / 1000).toFixed(1)} s)`)
  lines.push(`Model options, c=1 over ${startup.options.portals} portals of that database: p50 ${number(startup.options.p50)} ms, ` +
    `p95 ${number(startup.options.p95)} ms, p99 ${number(startup.options.p99)} ms (${startup.options.requests} requests, ${number(startup.options.requestsPerSecond, 0)} req/s)`)

  const [before, half, full] = memory.readings
  if (before !== undefined && half !== undefined && full !== undefined) {
    lines.push(`Service memory (VmRSS), executions at c=${memory.concurrency} (${number(memory.requestsPerSecond, 0)} req/s): ` +
      `before ${inMebibytes(before.rssBytes)}, after ${thousands(half.executions)} ${inMebibytes(half.rssBytes)}, after ${thousands(full.executions)} ${inMebibytes(full.rssBytes)}; ` +
      `growth ${thousands(half.executions)}→${thousands(full.executions)} ${growth(half.rssBytes, full.rssBytes).toFixed(1)} %, before→${thousands(full.executions)} ${growth(before.rssBytes, full.rssBytes).toFixed(1)} %`)
  }
  lines.push(`Portkey memory (VmRSS) after the rounds, for scale: ${inMebibytes(report.portkeyRssBytes)}`)
  lines.push('')

  lines.push('Targets')
  lines.push(table(report.goals.map(goal => [goal.pass ? 'PASS' : 'MISS', goal.goal, goal.measured, goal.note === undefined ? '' : `(${goal.note})`]), new Set([2])))
  lines.push('')
  for (const note of report.notes) lines.push(`note: ${note}`)
  return lines.join('\n')
}

/** The scaling table (the c=50 rows of SQLite and of 1…n instances on PostgreSQL); no lines when it was not measured. */
function formatScaling (load: readonly ScenarioSummary[]): string[] {
  const scenario = load.find(candidate => candidate.targets.some(target => target.target === behindHaproxy(1)))
  if (scenario === undefined) return []
  const named = (name: string) => scenario.targets.find(target => target.target === name)
  const behind = scenario.targets.flatMap((_, index) => named(behindHaproxy(index + 1)) ?? [])
  const one = behind[0]!.requestsPerSecond
  const rows: string[][] = [['target', 'instances', 'database', 'balancer', 'req/s', 'p50 ms', 'p99 ms', 'of ×1']]
  const row = (target: TargetSummary | undefined, instances: number, database: string, balancer: string, ratio = '') => {
    if (target !== undefined) rows.push([target.target, String(instances), database, balancer, number(target.requestsPerSecond, 0), number(target.p50), number(target.p99), ratio])
  }
  row(named(SERVICE), 1, 'SQLite', 'none')
  row(named(SERVICE_ON_POSTGRES), 1, 'PostgreSQL', 'none')
  behind.forEach((target, index) => row(target, index + 1, 'PostgreSQL', 'haproxy', `${number(target.requestsPerSecond / one)}×`))
  return [`Scaling: ${scenario.stubLabel}, c=${scenario.concurrency}, same rounds as above; every instance on this one machine`, table(rows, new Set([1, 4, 5, 6, 7])), '']
}

export function writeReport (report: Report): string {
  const folder = join(import.meta.dirname, 'results')
  mkdirSync(folder, { recursive: true })
  const file = join(folder, 'latest.json')
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n')
  return file
}
