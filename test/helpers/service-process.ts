import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Test } from 'tap'
import { TEST_ADMIN_TOKEN, TEST_CLIENT_SECRET, TEST_ENCRYPTION_KEY, TEST_PUBLIC_URL } from './build-app.ts'
import { executionBody, signedHeaders } from './hubspot-request.ts'
import { HUBSPOT_STUB_ACCESS_TOKEN_PREFIX, HUBSPOT_STUB_CLIENT_ID, HUBSPOT_STUB_REFRESH_TOKEN_PREFIX, type HubSpotStub } from '../stubs/hubspot-stub.ts'
import { OPENAI_GOOD_KEY } from '../stubs/openai-stub.ts'
import { REPOSITORY } from './repository.ts'

/**
 * The service as a child process, started exactly as production starts it (`node dist/src/server.js` in the
 * repository root, the build `npm test` makes first), for tests that need a real process: SIGKILL in the middle of calls, SIGTERM and its exit code.
 * Everything listens on 127.0.0.1. Each child's stdout and stderr are kept, and printed as comments when the test
 * fails; every child still running is SIGKILLed in the test's teardown.
 */

const ROOT = REPOSITORY
const SERVER_ENTRY = 'dist/src/server.js'

export const EXECUTE_PATH = '/hubspot/actions/custom-llm'
export const ADMIN_HEADERS = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } as const

export interface ServiceExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  /** Date.now() when the process exited. */
  readonly at: number
}

export interface ServiceProcess {
  readonly name: string
  readonly pid: number
  readonly port: number
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<ServiceExit>
  /** Set once the process has exited. */
  readonly exit: ServiceExit | undefined
  /** Everything the process wrote to stdout and stderr so far, interleaved as received. */
  output (): string
  /** The JSON log lines of stdout so far, parsed (other lines skipped). */
  logs (): Array<Record<string, any>>
  /** Sends a signal unless the process has exited. */
  kill (signal: NodeJS.Signals): void
  /** Resolves with the exit, or rejects after `timeoutMs` (the process is then left running for the teardown). */
  waitForExit (timeoutMs: number): Promise<ServiceExit>
  /** `fetch` against this process. */
  request (path: string, init?: RequestInit): Promise<Response>
}

/** A free TCP port on 127.0.0.1, found by listening on 0 and closing again. */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** The settings every child gets: the test constants, loopback stubs, a short sync budget, info logs. */
export function serviceEnvironment (options: { dataDir: string, openaiBaseUrl: string, hubspotBaseUrl: string }): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    DATA_DIR: options.dataDir,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    HUBSPOT_CLIENT_SECRET: TEST_CLIENT_SECRET,
    HUBSPOT_CLIENT_ID: HUBSPOT_STUB_CLIENT_ID,
    HUBSPOT_API_BASE_URL: options.hubspotBaseUrl,
    OPENAI_BASE_URL: options.openaiBaseUrl,
    PUBLIC_URL: TEST_PUBLIC_URL,
    SYNC_BUDGET_MS: '300',
    LOG_LEVEL: 'info'
  }
}

export interface StartOptions {
  readonly readyTimeoutMs?: number
  readonly port?: number
  /** Names the child in its output (default `service #<n>`). */
  readonly name?: string
}

/** Where the request helpers below send: one child, or a load balancer in front of several. */
export type HttpTarget = Pick<ServiceProcess, 'request'>

export interface ServiceHarness {
  /** Starts a child on a free port (or `port`, to restart one in place) and resolves once `GET /ready` answers 200. */
  start (environment: Record<string, string>, options?: StartOptions): Promise<ServiceProcess>
  /** Every child started so far, in order. */
  readonly started: readonly ServiceProcess[]
  /** The output of every child so far, each under a header. */
  output (): string
}

/**
 * Children for one test. The teardown SIGKILLs whatever still runs (by its own pid) and, when the test failed,
 * prints every child's output as comments.
 */
export function serviceHarness (t: Test): ServiceHarness {
  const started: ServiceProcess[] = []
  const output = () => started.map(service => `----- ${service.name} (pid ${service.pid}, port ${service.port}, exit ${describeExit(service.exit)}) -----\n${service.output()}`).join('\n')
  t.teardown(async () => {
    for (const service of started) {
      if (service.exit === undefined) {
        service.kill('SIGKILL')
        await Promise.race([service.exited, sleep(5000)])
      }
    }
    if (!t.passing()) t.comment(`service output:\n${output()}`)
  })

  async function start (environment: Record<string, string>, options: StartOptions = {}): Promise<ServiceProcess> {
    // The port can be taken between our probe and the child's listen; try another one a few times.
    for (let attempt = 1; ; attempt++) {
      const service = spawnService(options.name ?? `service #${started.length + 1}`, { ...environment, PORT: String(options.port ?? await freePort()) })
      started.push(service)
      try {
        await waitForReady(service, options.readyTimeoutMs ?? 60_000)
        return service
      } catch (error) {
        if (attempt < 3 && options.port === undefined && service.exit !== undefined && /EADDRINUSE/.test(service.output())) continue
        throw error
      }
    }
  }

  return { start, started, output }
}

function spawnService (name: string, environment: Record<string, string>): ServiceProcess {
  // A clean environment: nothing of the test runner's (NODE_OPTIONS loaders, TAP_*) and no real credentials.
  const env: Record<string, string> = { ...environment }
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SystemRoot']) {
    const value = process.env[key]
    if (value !== undefined && env[key] === undefined) env[key] = value
  }
  const child: ChildProcess = spawn(process.execPath, [SERVER_ENTRY], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  if (child.pid === undefined) throw new Error('could not spawn the service')
  const pid = child.pid
  const port = Number(environment.PORT)
  const chunks: string[] = []
  child.stdout?.setEncoding('utf8')
  child.stderr?.setEncoding('utf8')
  child.stdout?.on('data', (chunk: string) => chunks.push(chunk))
  child.stderr?.on('data', (chunk: string) => chunks.push(chunk))
  let exit: ServiceExit | undefined
  const exited = new Promise<ServiceExit>(resolve => {
    child.on('exit', (code, signal) => {
      exit = { code, signal, at: Date.now() }
      resolve(exit)
    })
  })
  const origin = `http://127.0.0.1:${port}`
  return {
    name,
    pid,
    port,
    origin,
    exited,
    get exit () { return exit },
    output: () => chunks.join(''),
    logs: () => chunks.join('').split('\n').flatMap(line => {
      if (!line.startsWith('{')) return []
      try { return [JSON.parse(line) as Record<string, any>] } catch { return [] }
    }),
    kill (signal) { if (exit === undefined) child.kill(signal) },
    async waitForExit (timeoutMs) {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${name} did not exit within ${timeoutMs} ms`)), timeoutMs) })
      try {
        return await Promise.race([exited, timeout])
      } finally {
        clearTimeout(timer)
      }
    },
    request: async (path, init) => await fetch(origin + path, { ...init, signal: init?.signal ?? AbortSignal.timeout(15_000) })
  }
}

async function waitForReady (service: ServiceProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs
  for (;;) {
    if (service.exit !== undefined) throw new Error(`${service.name} exited (${describeExit(service.exit)}) before it was ready`)
    try {
      const response = await service.request('/ready', { signal: AbortSignal.timeout(1000) })
      if (response.status === 200) return
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${service.name} was not ready within ${timeoutMs} ms`)
    await sleep(100)
  }
}

function describeExit (exit: ServiceExit | undefined): string {
  if (exit === undefined) return 'running'
  return exit.signal === null ? `code ${String(exit.code)}` : `signal ${exit.signal}`
}

/**
 * A data directory of its own, removed at teardown. Not `t.testdir()`: that is named after the test, so two runs
 * of one file at once (a developer's and CI's on one machine) would share a database.
 */
export function serviceDataDir (t: Test): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'llm-actions-service-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  return dataDir
}

export function sleep (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

/** Resolves once `check` holds, polling every 50 ms; rejects after `timeoutMs` naming `what`. */
export async function until (what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(50)
  }
}

/** Connects the portal's OpenAI key (the stub's good key) through the admin API. */
export async function connectOpenAI (service: HttpTarget, portalId: number): Promise<void> {
  const response = await service.request(`/api/portals/${portalId}/connections/openai`, {
    method: 'PUT',
    headers: { ...ADMIN_HEADERS, 'content-type': 'application/json' },
    body: JSON.stringify({ apiKey: OPENAI_GOOD_KEY })
  })
  if (response.status !== 201) throw new Error(`connecting OpenAI answered ${response.status}: ${await response.text()}`)
}

/** Installs the app for the portal: `/oauth/install` for a state, the stub's code, then `/oauth/callback`. */
export async function installPortal (service: HttpTarget, hubspot: HubSpotStub, portalId: number): Promise<void> {
  const start = await service.request('/oauth/install', { redirect: 'manual' })
  const location = start.headers.get('location')
  if (start.status !== 302 || location === null) throw new Error(`/oauth/install answered ${start.status} without a redirect`)
  const state = new URL(location).searchParams.get('state') ?? ''
  const code = hubspot.issueAuthCode(portalId, { scopes: ['oauth', 'automation'] })
  const callback = await service.request(`/oauth/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`, { redirect: 'manual' })
  if (callback.status !== 200) throw new Error(`/oauth/callback answered ${callback.status}: ${await callback.text()}`)
}

/** A fresh "Use a custom LLM" execution body for the portal (new callbackId). */
export function customLlmBody (portalId: number): Record<string, unknown> {
  return executionBody(portalId, { provider: 'openai', model: 'gpt-4.1', prompt: 'Say hi to {{firstname}}' })
}

export interface ExecutionAnswer {
  readonly status: number
  readonly headers: Headers
  readonly json: any
}

/** POSTs an execution signed as HubSpot signs it (over PUBLIC_URL + path). */
export async function sendExecution (service: HttpTarget, body: Record<string, unknown>): Promise<ExecutionAnswer> {
  const payload = JSON.stringify(body)
  const response = await service.request(EXECUTE_PATH, { method: 'POST', headers: signedHeaders('POST', EXECUTE_PATH, payload), body: payload })
  const text = await response.text()
  let json: unknown
  try { json = JSON.parse(text) } catch { json = text }
  return { status: response.status, headers: response.headers, json }
}

/** The portal's executions as the admin API lists them (newest first). */
export async function listExecutions (service: HttpTarget, portalId: number): Promise<any[]> {
  const response = await service.request(`/api/portals/${portalId}/executions?limit=50`, { headers: ADMIN_HEADERS })
  if (response.status !== 200) throw new Error(`listing executions answered ${response.status}: ${await response.text()}`)
  return ((await response.json()) as { items: any[] }).items
}

/** How many completions each callbackId got, across single and batch calls. */
export function completionCounts (hubspot: HubSpotStub): Map<string, number> {
  const counts = new Map<string, number>()
  for (const completion of hubspot.state.completedCallbacks) counts.set(completion.callbackId, (counts.get(completion.callbackId) ?? 0) + 1)
  return counts
}

/** The secrets a child must never write: provider key, the stub's tokens, our own credentials. */
export function secretsIn (output: string, hubspot: HubSpotStub): string[] {
  const secrets = [OPENAI_GOOD_KEY, TEST_CLIENT_SECRET, TEST_ADMIN_TOKEN, TEST_ENCRYPTION_KEY, ...hubspot.issuedTokens()]
  const found = secrets.filter(secret => output.includes(secret))
  for (const prefix of [HUBSPOT_STUB_ACCESS_TOKEN_PREFIX, HUBSPOT_STUB_REFRESH_TOKEN_PREFIX]) if (output.includes(prefix)) found.push(`${prefix}…`)
  return found
}

export interface StoredExecution {
  readonly id: number
  readonly callbackId: string | null
  readonly status: string
  readonly answered: string | null
  readonly runs: number
  readonly errorCode: string | null
  readonly completionState: string | null
  readonly completionAttempts: number
  readonly completionDueAt: number | null
  readonly completionError: string | null
  readonly finishedAt: number | null
  readonly hasRequest: boolean
}

/**
 * The executions as the database holds them, read directly from DATA_DIR/app.db while no service runs (to see what
 * a stopped process left behind, before a restart resumes it). Read-only.
 */
export function storedExecutions (dataDir: string): StoredExecution[] {
  const db = new Database(join(dataDir, 'app.db'), { readonly: true, fileMustExist: true })
  try {
    const rows = db.prepare('select id, callback_id, status, answered, runs, error_code, completion_state, completion_attempts, completion_due_at, completion_error, finished_at, request is not null as has_request from executions order by id').all() as Array<Record<string, any>>
    return rows.map(row => ({
      id: row.id,
      callbackId: row.callback_id,
      status: row.status,
      answered: row.answered,
      runs: row.runs,
      errorCode: row.error_code,
      completionState: row.completion_state,
      completionAttempts: row.completion_attempts,
      completionDueAt: row.completion_due_at,
      completionError: row.completion_error,
      finishedAt: row.finished_at,
      hasRequest: row.has_request === 1
    }))
  } finally {
    db.close()
  }
}
