import pg from 'pg'
import type { Test } from 'tap'
import { TEST_CLIENT_SECRET } from './build-app.ts'
import { executionBody } from './hubspot-request.ts'
import { testLoadBalancer, type LoadBalancer, type LoadBalancerOptions } from './load-balancer.ts'
import { sharedCluster } from './postgres-cluster.ts'
import {
  completionCounts, connectOpenAI, installPortal, sendExecution, serviceDataDir, serviceEnvironment, serviceHarness,
  type ExecutionAnswer, type ServiceHarness, type ServiceProcess
} from './service-process.ts'
import { startHubSpotStub, type HubSpotStub } from '../stubs/hubspot-stub.ts'
import { openAIResponse, startOpenAIStub, type OpenAIStub } from '../stubs/openai-stub.ts'

/**
 * Several instances of the service (children, `node dist/src/server.js`) on one PostgreSQL database of the run's
 * shared cluster, behind haproxy, with the OpenAI and HubSpot stubs in the test process. Instances are named
 * `instance-1`…: that is their INSTANCE_ID and their server name in haproxy. Every execution the helper makes
 * carries its callbackId in the prompt, so the provider's requests can be counted per execution.
 */

export const INSTANCES_PORTAL = 93939

export interface InstanceStubs {
  readonly openai: OpenAIStub
  readonly hubspot: HubSpotStub
  /** Milliseconds the OpenAI stub waits before each answer; change it at any time. */
  providerDelayMs: number
  /** Provider requests per callbackId (executions made with `body()`). */
  providerCalls (): Map<string, number>
  /** Completions HubSpot received per callbackId, single and batch calls counted. */
  completions (): Map<string, number>
}

export interface ServiceInstance {
  /** INSTANCE_ID, and the server's name in haproxy. */
  readonly id: string
  readonly port: number
  /** The current process: a restart replaces it. */
  readonly process: ServiceProcess
  /** Any signal to the current process: SIGKILL, SIGTERM, SIGSTOP and SIGCONT to pause and resume it. */
  kill (signal: NodeJS.Signals): void
  /**
   * Starts the instance again with the same INSTANCE_ID, port and settings (`environment` adds to them), once the
   * previous process has exited; resolves when `/ready` answers (haproxy's next check then sees it).
   */
  restart (environment?: Record<string, string>): Promise<ServiceProcess>
}

export interface InstancesSetup {
  readonly instances: readonly ServiceInstance[]
  readonly balancer: LoadBalancer
  readonly stubs: InstanceStubs
  readonly databaseUrl: string
  readonly portalId: number
  /** Every process started, restarts included: their output is printed when the test fails. */
  readonly services: ServiceHarness
  instance (id: string): ServiceInstance
  /** A fresh "Use a custom LLM" body for the portal (or another one), its callbackId in the prompt. */
  body (inputs?: Record<string, string>, portalId?: number): Record<string, unknown>
  /** POSTs a signed execution through the balancer (a new body when none is given). */
  execute (body?: Record<string, unknown>): Promise<ExecutionAnswer>
  /** One SQL statement on the instances' database, from the test. */
  query<Row extends Record<string, unknown>> (sql: string, parameters?: unknown[]): Promise<Row[]>
}

export interface InstancesOptions {
  /** How many instances (default 3). */
  readonly count?: number
  /** Settings for every instance, over the defaults. */
  readonly environment?: Record<string, string>
  /** EXECUTION_LEASE_MS of every instance (the service's default when absent). */
  readonly executionLeaseMs?: number
  /** Connect the portal's OpenAI key (default true) and install the app for it (default true: BLOCK needs it). */
  readonly connect?: boolean
  readonly install?: boolean
  readonly balancer?: LoadBalancerOptions
  /** OpenAI keys the stub accepts (its one good key when absent). */
  readonly goodKeys?: readonly string[]
}

/** The OpenAI stub answering "Answer to <prompt>" after `providerDelayMs`, and the HubSpot stub. */
export async function startInstanceStubs (t: Test, options: { readonly goodKeys?: readonly string[] } = {}): Promise<InstanceStubs> {
  const openai = await startOpenAIStub(options.goodKeys === undefined ? {} : { goodKeys: options.goodKeys })
  const hubspot = await startHubSpotStub({ clientSecret: TEST_CLIENT_SECRET })
  t.teardown(async () => { await openai.close(); await hubspot.close() })
  const stubs: InstanceStubs = {
    openai,
    hubspot,
    providerDelayMs: 0,
    providerCalls () {
      const counts = new Map<string, number>()
      for (const request of openai.generations()) {
        const callbackId = CALLBACK_TAG.exec(JSON.stringify(request.json ?? ''))?.[1]
        if (callbackId !== undefined) counts.set(callbackId, (counts.get(callbackId) ?? 0) + 1)
      }
      return counts
    },
    completions: () => completionCounts(hubspot)
  }
  openai.on('POST /v1/responses', openai.guarded(request => ({
    body: openAIResponse(`Answer to ${String(request.json?.input).slice(0, 120)}`, { model: request.json?.model }),
    delayMs: stubs.providerDelayMs
  })))
  return stubs
}

const CALLBACK_TAG = /\[callback (ap-[^\]\s"]+)\]/
/**
 * Three processes booting at once on a 2-core machine already busy with other test files took up to 20 s to be
 * ready (2–5 s when it is quiet); a boot that fails still fails at once.
 */
const READY_TIMEOUT_MS = 60_000
let sequence = 0

/**
 * Stubs, a fresh database, `count` instances started at the same moment on it, and haproxy in front once each is
 * ready; resolves when haproxy has seen every instance pass a check, with the portal connected (and installed)
 * through the balancer.
 */
export async function startInstances (t: Test, options: InstancesOptions = {}): Promise<InstancesSetup> {
  const stubs = await startInstanceStubs(t, options.goodKeys === undefined ? {} : { goodKeys: options.goodKeys })
  const cluster = await sharedCluster()
  const databaseName = `instances_${process.pid}_${Date.now().toString(36)}`
  const databaseUrl = await cluster.createDatabase(databaseName)
  t.teardown(() => cluster.dropDatabase(databaseName))
  // Teardowns run last first: every child is SIGKILLed before the database is dropped under it.
  const services = serviceHarness(t)

  const common = {
    ...serviceEnvironment({ dataDir: serviceDataDir(t), openaiBaseUrl: stubs.openai.baseUrl, hubspotBaseUrl: stubs.hubspot.baseUrl }),
    DATABASE_URL: databaseUrl,
    // haproxy adds X-Forwarded-For from loopback: believed, as an operator would set it behind their balancer.
    TRUST_PROXY: '127.0.0.1',
    ...(options.executionLeaseMs === undefined ? {} : { EXECUTION_LEASE_MS: String(options.executionLeaseMs) }),
    ...options.environment
  }
  const ids = Array.from({ length: options.count ?? 3 }, (_, index) => `instance-${index + 1}`)
  const first = await Promise.all(ids.map(id => services.start({ ...common, INSTANCE_ID: id }, { name: id, readyTimeoutMs: READY_TIMEOUT_MS })))
  const instances = ids.map((id, index) => serviceInstance(services, id, first[index]!, { ...common, INSTANCE_ID: id }))

  const balancer = await testLoadBalancer(t, instances.map(({ id, port }) => ({ name: id, port })), options.balancer)
  for (const { id } of instances) await balancer.waitForServerState(id, 'UP', 20_000)

  const portalId = INSTANCES_PORTAL
  if (options.connect !== false) await connectOpenAI(balancer, portalId)
  if (options.install !== false) await installPortal(balancer, stubs.hubspot, portalId)

  const body = (inputs: Record<string, string> = {}, forPortal = portalId) => {
    const callbackId = `ap-${forPortal}-${Date.now()}-${process.pid}-${++sequence}`
    const prompt = `${inputs.prompt ?? 'Say hi to {{firstname}}'} [callback ${callbackId}]`
    return executionBody(forPortal, { provider: 'openai', model: 'gpt-4.1', ...inputs, prompt }, { callbackId })
  }
  return {
    instances,
    balancer,
    stubs,
    databaseUrl,
    portalId,
    services,
    instance (id) {
      const found = instances.find(instance => instance.id === id)
      if (found === undefined) throw new Error(`no instance ${id} (there are ${ids.join(', ')})`)
      return found
    },
    body,
    execute: async (given = body()) => await sendExecution(balancer, given),
    async query<Row extends Record<string, unknown>> (sql: string, parameters: unknown[] = []) {
      const client = new pg.Client({ connectionString: databaseUrl })
      await client.connect()
      try {
        return (await client.query<Row>(sql, parameters)).rows
      } finally {
        await client.end()
      }
    }
  }
}

function serviceInstance (services: ServiceHarness, id: string, started: ServiceProcess, environment: Record<string, string>): ServiceInstance {
  let current = started
  let restarts = 0
  return {
    id,
    port: started.port,
    get process () { return current },
    kill (signal) { current.kill(signal) },
    async restart (extra = {}) {
      if (current.exit === undefined) throw new Error(`${id} (pid ${current.pid}) is still running: kill it first`)
      current = await services.start({ ...environment, ...extra }, { name: `${id} (restart ${++restarts})`, port: started.port, readyTimeoutMs: READY_TIMEOUT_MS })
      return current
    }
  }
}
