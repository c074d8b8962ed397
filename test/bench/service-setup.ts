import { mkdirSync } from 'node:fs'
import { testEnvironment } from '../helpers/build-app.ts'
import { ADMIN_HEADERS } from '../helpers/service-process.ts'
import { OPENAI_GOOD_KEY } from '../stubs/openai-stub.ts'
import { spawnService, waitForHttp, type Child } from './processes.ts'

/**
 * The service's settings for the benchmark, and starting it. Defaults everywhere except what a benchmark must
 * change, each for a stated reason.
 */

/**
 * Above the highest concurrency measured. The default (16 calls at once per connection) is a deliberate cap that
 * protects a customer's provider rate limit; left on, the 200 ms stub would cap the service at 16 / 0.2 s = 80 req/s
 * by design, and the comparison would measure the cap instead of the service's overhead.
 */
export const BENCH_PROVIDER_CONCURRENCY = 64

export function benchEnvironment (dataDir: string, stubOrigin: string): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    // Production's default level (info): logging each request is part of the service's real cost.
    ...testEnvironment(dataDir),
    // Throttling is the service's own policy, not its overhead; one portal sends everything here.
    RATE_LIMIT_PER_PORTAL: '1000000000',
    PROVIDER_CONCURRENCY: String(BENCH_PROVIDER_CONCURRENCY),
    // Every vendor at the stub, and HubSpot at a closed loopback port, so nothing can leave the machine.
    OPENAI_BASE_URL: `${stubOrigin}/v1`,
    XAI_BASE_URL: `${stubOrigin}/v1`,
    ANTHROPIC_BASE_URL: stubOrigin,
    COHERE_BASE_URL: stubOrigin,
    GEMINI_BASE_URL: stubOrigin,
    HUBSPOT_API_BASE_URL: 'http://127.0.0.1:9'
  }
}

export interface StartedService {
  readonly service: Child
  /** Milliseconds from spawn to the first 200 from /ready. */
  readonly startupMs: number
}

/**
 * Spawns the service and waits for /ready. Polled every 5 ms, so start-up is timed to within a few
 * milliseconds; a refused connection costs the starting process next to nothing.
 */
export async function startService (name: string, logFolder: string, dataDir: string, stubOrigin: string, options: { environment?: Record<string, string>, entry?: string } = {}): Promise<StartedService> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const service = await spawnService(name, logFolder, { ...benchEnvironment(dataDir, stubOrigin), ...options.environment }, options.entry)
  const readyAt = await waitForHttp(service, '/ready', { timeoutMs: 60_000, intervalMs: 5 })
  return { service, startupMs: readyAt - service.spawnedAt }
}

/** Connects the portal to OpenAI through the admin API, the way an operator does (the stub accepts the key). */
export async function connectOpenAI (service: Child, portalId: number): Promise<void> {
  const response = await fetch(`${service.origin}/api/portals/${portalId}/connections/openai`, {
    method: 'PUT',
    headers: { ...ADMIN_HEADERS, 'content-type': 'application/json' },
    body: JSON.stringify({ apiKey: OPENAI_GOOD_KEY }),
    signal: AbortSignal.timeout(15_000)
  })
  if (response.status !== 201 && response.status !== 200) throw new Error(`connecting portal ${portalId} to OpenAI answered ${response.status}: ${await response.text()}`)
}
