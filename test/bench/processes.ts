import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { freePort } from '../helpers/service-process.ts'
import { forgetProcess, ownProcess, type OwnedProcess } from './cleanup.ts'

/**
 * The benchmark's child processes: the OpenAI stub, Portkey's gateway and the service, each on its own loopback
 * port, each writing to a log file in the run's temporary folder (never to a pipe the benchmark would have to
 * drain and keep).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const PORTKEY_ENTRY = 'node_modules/@portkey-ai/gateway/build/start-server.js'
const SERVICE_ENTRY = 'dist/src/server.js'

/**
 * Portkey's start script has a `--port=` flag but no host: @hono/node-server then listens on every interface.
 * This preload gives a bare `listen(port)` the host 127.0.0.1, so the gateway stays on loopback like the rest.
 */
const LOOPBACK_ONLY = 'data:text/javascript,' + encodeURIComponent(
  'import net from "node:net";' +
  'const listen = net.Server.prototype.listen;' +
  'net.Server.prototype.listen = function (...args) {' +
  '  if (typeof args[0] === "number" && typeof args[1] !== "string") args.splice(1, 0, "127.0.0.1");' +
  '  return listen.apply(this, args) }'
)

export interface Child extends OwnedProcess {
  readonly port: number
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  readonly logFile: string
  /** performance.now() when it was spawned. */
  readonly spawnedAt: number
  /** The last lines of its log, for error messages. */
  logTail (lines?: number): string
}

interface SpawnOptions {
  readonly name: string
  readonly args: readonly string[]
  readonly port: number
  readonly logFolder: string
  readonly environment?: Record<string, string>
  /** Discard stdout (Portkey draws a spinner there); stderr still goes to the log. */
  readonly discardStdout?: boolean
}

function spawnChild (options: SpawnOptions): Child {
  // A clean environment: none of the caller's NODE_OPTIONS loaders, settings or credentials.
  const env: Record<string, string> = { ...options.environment }
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[key]
    if (value !== undefined && env[key] === undefined) env[key] = value
  }
  const logFile = join(options.logFolder, `${options.name}.log`)
  const logDescriptor = openSync(logFile, 'a')
  const spawnedAt = performance.now()
  const child = spawn(process.execPath, options.args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', options.discardStdout === true ? 'ignore' : logDescriptor, logDescriptor]
  })
  // The child holds its own copy of the descriptor.
  closeSync(logDescriptor)
  if (child.pid === undefined) throw new Error(`could not spawn ${options.name}`)
  const pid = child.pid
  let hasExited = false
  const exited = new Promise<void>(resolve => child.once('exit', () => { hasExited = true; resolve() }))
  const handle: Child = {
    name: options.name,
    pid,
    port: options.port,
    origin: `http://127.0.0.1:${options.port}`,
    logFile,
    spawnedAt,
    exited: () => hasExited,
    async stop (graceMs = 5000) {
      if (!hasExited) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => { if (!hasExited) child.kill('SIGKILL') }, graceMs)
        await exited
        clearTimeout(timer)
      }
      forgetProcess(handle)
    },
    logTail (lines = 20) {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
      } catch {
        return '(no log)'
      }
    }
  }
  ownProcess(handle)
  return handle
}

/**
 * Resolves with performance.now() at the first 200 from `path`, polled every `intervalMs`; rejects when the child
 * exits first or `timeoutMs` passes.
 */
export async function waitForHttp (child: Child, path: string, options: { timeoutMs?: number, intervalMs?: number } = {}): Promise<number> {
  const deadline = performance.now() + (options.timeoutMs ?? 30_000)
  for (;;) {
    if (child.exited()) throw new Error(`${child.name} exited before ${path} answered 200; its log ends:\n${child.logTail()}`)
    try {
      const response = await fetch(child.origin + path, { signal: AbortSignal.timeout(1000) })
      await response.arrayBuffer()
      if (response.status === 200) return performance.now()
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`${child.name} did not answer ${path} with 200 in time; its log ends:\n${child.logTail()}`)
    await new Promise(resolve => setTimeout(resolve, options.intervalMs ?? 50))
  }
}

/** The OpenAI stub, answering after `latencyMs`. */
export async function startStub (logFolder: string, latencyMs: number): Promise<Child> {
  const port = await freePort()
  const child = spawnChild({ name: `stub-${latencyMs}ms`, args: ['--import', 'tsx', 'test/bench/stub-server.ts', String(port), String(latencyMs)], port, logFolder })
  await waitForHttp(child, '/__bench/stats')
  return child
}

/** Portkey's open-source gateway, headless (no UI, no log stream). */
export async function startPortkey (logFolder: string): Promise<Child> {
  const port = await freePort()
  const child = spawnChild({
    name: 'portkey',
    args: ['--import', LOOPBACK_ONLY, PORTKEY_ENTRY, `--port=${port}`, '--headless'],
    port,
    logFolder,
    discardStdout: true
  })
  await waitForHttp(child, '/')
  return child
}

/**
 * The service as production starts it, on a free port. Resolves once it is spawned, not ready: callers time the
 * start-up with `waitForHttp(service, '/ready')`.
 */
export async function spawnService (name: string, logFolder: string, environment: Record<string, string>, entry = SERVICE_ENTRY): Promise<Child> {
  const port = await freePort()
  return spawnChild({ name, args: [entry], port, logFolder, environment: { ...environment, PORT: String(port) } })
}

/** The process's resident memory in bytes (VmRSS of /proc/<pid>/status). */
export function residentMemory (pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (match === null) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(match[1]) * 1024
}
