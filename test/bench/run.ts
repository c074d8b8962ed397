/**
 * `npm run bench`: the service side by side with the floor (calling the provider directly) and with Portkey's
 * open-source gateway, all in front of one OpenAI stub, every piece its own process on loopback. Also times the
 * start-up on 10,000 portals, the model dropdown on that database, and the service's memory over 100,000
 * executions. The service runs on SQLite (the default) and, where Debian's PostgreSQL is installed, again on a
 * throwaway PostgreSQL cluster against the 0 ms stub; where haproxy is installed too, one, two and three instances
 * on that database behind haproxy at c=50 (the scaling table). Prints a table with the targets and writes
 * test/bench/results/latest.json.
 *
 * Settings: BENCH_DURATION_S (8), BENCH_EXECUTIONS (100000), BENCH_ROUNDS (3), BENCH_PORTALS (10000), BENCH_POSTGRES (1).
 * Quick run: `BENCH_DURATION_S=3 BENCH_EXECUTIONS=20000 npm run bench`.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { findHaproxy } from '../helpers/load-balancer.ts'
import { readSettings } from './bench-settings.ts'
import { cleanUp, installCleanupHandlers, ownFolder } from './cleanup.ts'
import { runMemoryPhase } from './memory-phase.ts'
import { residentMemory, startPortkey, startStub } from './processes.ts'
import { formatReport, machine, writeReport, type Report } from './report.ts'
import { RateMemory, runRounds, warmUp, type Scenario } from './rounds.ts'
import { BENCH_PROVIDER_CONCURRENCY, connectOpenAI, startService } from './service-setup.ts'
import { startPostgresServices } from './postgres-service.ts'
import { SCALING_INSTANCES, startScalingTargets } from './scaling.ts'
import { runStartupPhase } from './startup-phase.ts'
import { BASELINE, checkGoals, DIRECT, PORTKEY, SERVICE, SERVICE_ON_POSTGRES, summarizeScenario } from './summary.ts'
import { directTarget, latestProviderCall, portkeyTarget, serviceTarget } from './targets.ts'

const log = (line: string): void => { process.stderr.write(`bench: ${line}\n`) }

function portkeyVersion (): string {
  const manifest = new URL('../../node_modules/@portkey-ai/gateway/package.json', import.meta.url)
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version
}

async function main (): Promise<void> {
  const began = performance.now()
  const loadBefore = loadavg()[0] ?? 0
  const settings = readSettings()
  if (!existsSync(fileURLToPath(new URL('../../dist/src/server.js', import.meta.url)))) {
    throw new Error('dist/src/server.js is missing: run `npm run build` first (`npm run bench` does)')
  }
  const extra = (settings.postgres ? 1 : 0) + (settings.baselineEntry === undefined ? 0 : 1)
  const scaling = settings.postgres ? SCALING_INSTANCES : 0
  const measurements = settings.rounds * (settings.concurrencies.length * (3 + extra) * settings.seconds + scaling * settings.seconds + (settings.baselineEntry === undefined ? 3 : 4) * settings.slowSeconds)
  if (loadBefore > 0.5) log(`the machine is already busy (load average ${loadBefore.toFixed(2)}): expect noisy numbers`)
  log(`about ${Math.ceil(measurements / 60)} min of measured load, plus warm-up, start-up and ${settings.executions} executions for memory`)

  const runFolder = mkdtempSync(join(tmpdir(), 'llm-actions-bench-'))
  ownFolder(runFolder)
  log(`logs and data in ${runFolder} (removed at the end)`)

  const [fastStub, slowStub, portkey] = await Promise.all([startStub(runFolder, 0), startStub(runFolder, settings.slowLatencyMs), startPortkey(runFolder)])
  const startup = await runStartupPhase(settings, runFolder, fastStub, log)

  const [{ service }, { service: slowService }] = await Promise.all([
    startService('service', runFolder, join(runFolder, 'data'), fastStub.origin),
    startService(`service-${settings.slowLatencyMs}ms`, runFolder, join(runFolder, 'data-slow'), slowStub.origin)
  ])
  await connectOpenAI(service, 1)
  await connectOpenAI(slowService, 1)
  if (!settings.postgres) log('no service-postgres target and no scaling table: BENCH_POSTGRES=0')
  // Without haproxy the scaling table is left out (startScalingTargets says so), and one instance is enough.
  const postgresInstances = findHaproxy() === undefined ? 1 : SCALING_INSTANCES
  const postgresServices = settings.postgres ? await startPostgresServices(SERVICE_ON_POSTGRES, postgresInstances, runFolder, fastStub.origin, log) : undefined
  const postgresService = postgresServices?.[0]
  const scalingTargets = postgresServices === undefined ? [] : await startScalingTargets(postgresServices, log)
  const baseline = settings.baselineEntry === undefined ? undefined : await startBaselines(settings.baselineEntry, runFolder, fastStub.origin, slowStub.origin, settings.slowLatencyMs)

  const fastLabel = '0 ms stub'
  const slowLabel = `${settings.slowLatencyMs} ms stub`
  const fastService = serviceTarget(SERVICE, service)
  const memory = await runMemoryPhase(settings, service, fastService, log)

  // What the service sent the stub: the other targets send exactly that.
  const call = await latestProviderCall(fastStub)
  // One set of objects for every 0 ms scenario, so each target is warmed up once.
  const fastTargets = [
    directTarget(DIRECT, fastStub, call),
    portkeyTarget(PORTKEY, portkey, fastStub, call),
    fastService,
    ...(baseline === undefined ? [] : [serviceTarget(BASELINE, baseline.fast)]),
    ...(postgresService === undefined ? [] : [serviceTarget(SERVICE_ON_POSTGRES, postgresService)])
  ] as const
  const scenarios: Scenario[] = [
    ...settings.concurrencies.map(concurrency => ({
      stubLabel: fastLabel,
      stub: fastStub,
      concurrency,
      seconds: settings.seconds,
      // The scaling targets at one concurrency only: they are there to compare with each other and with SQLite.
      targets: concurrency === settings.highConcurrency ? [...fastTargets, ...scalingTargets] as const : fastTargets
    })),
    {
      stubLabel: slowLabel,
      stub: slowStub,
      concurrency: settings.highConcurrency,
      seconds: settings.slowSeconds,
      targets: [
        directTarget(DIRECT, slowStub, call),
        portkeyTarget(PORTKEY, portkey, slowStub, call),
        serviceTarget(SERVICE, slowService),
        ...(baseline === undefined ? [] : [serviceTarget(BASELINE, baseline.slow)])
      ] as const
    }
  ]

  const rates = new RateMemory()
  rates.record(fastLabel, SERVICE, memory.requestsPerSecond)
  await warmUp(scenarios, settings, rates, log)
  const rounds = await runRounds(scenarios, settings, rates, log)

  const portkeyRssBytes = residentMemory(portkey.pid)

  const load = rounds.map(summarizeScenario)
  const report: Report = {
    at: new Date().toISOString(),
    machine: { ...machine(), loadAverage: { before: loadBefore, after: loadavg()[0] ?? 0 } },
    settings: { ...settings, serviceProviderConcurrency: BENCH_PROVIDER_CONCURRENCY },
    notes: [
      `Portkey ${portkeyVersion()} passes POST /v1/responses through to the stub (x-portkey-provider: openai, x-portkey-custom-host: <stub>/v1); ` +
        'every measurement checked that the stub served at least one generation per answer, for all three targets.',
      `direct and Portkey send the body the service's OpenAI SDK sends (${Buffer.byteLength(call.body)} bytes); ` +
        'the service gets a signed HubSpot execution with a fresh callbackId per request.',
      ...(settings.baselineEntry === undefined ? [] : [`${BASELINE} is ${settings.baselineEntry}, started the same way, measured in the same rounds.`]),
      `${SERVICE_ON_POSTGRES} is the same service with DATABASE_URL on a local PostgreSQL cluster (same machine, default pool of 10), 0 ms stub only.`,
      ...(scalingTargets.length === 0 ? [] : [`the scaling rows are ${SCALING_INSTANCES} instances on that one database (${SERVICE_ON_POSTGRES} the first), behind haproxy ` +
        `(round robin, /ready checked every second), at c=${settings.highConcurrency}; every process shares the machine's ${machine().cores} cores.`]),
      `the service runs as in production (node dist/src/server.js, LOG_LEVEL=info to a file) except PROVIDER_CONCURRENCY=${BENCH_PROVIDER_CONCURRENCY} ` +
        '(default 16 per connection would cap the 200 ms variant at 80 req/s by design) and RATE_LIMIT_PER_PORTAL=1e9.',
      `the load generator (autocannon, one thread) shares the machine's ${machine().cores} cores with the stub and the target: the direct floor is partly the generator's own limit.`,
      'memory is read after 1 s without load (no forced GC: the service runs without --expose-gc, as in production).'
    ],
    load,
    startup,
    memory,
    portkeyRssBytes,
    goals: checkGoals(settings, load, startup, memory),
    rounds,
    runSeconds: (performance.now() - began) / 1000
  }
  process.stdout.write(`\n${formatReport(report)}\n`)
  log(`written: ${writeReport(report)}`)
}

/** The baseline build against both stubs, connected like the service. */
async function startBaselines (entry: string, runFolder: string, fastOrigin: string, slowOrigin: string, slowLatencyMs: number) {
  const [{ service: fast }, { service: slow }] = await Promise.all([
    startService(BASELINE, runFolder, join(runFolder, 'data-baseline'), fastOrigin, { entry }),
    startService(`${BASELINE}-${slowLatencyMs}ms`, runFolder, join(runFolder, 'data-baseline-slow'), slowOrigin, { entry })
  ])
  await connectOpenAI(fast, 1)
  await connectOpenAI(slow, 1)
  return { fast, slow }
}

installCleanupHandlers()
try {
  await main()
} catch (error) {
  process.stderr.write(`\nbench failed: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
} finally {
  await cleanUp()
}
