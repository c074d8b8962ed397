import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import type { Test } from 'tap'
import { freePort, sleep } from './service-process.ts'

/**
 * Debian's haproxy in front of service instances, as a child process (`haproxy -f <file> -db`) with a configuration
 * generated into a temporary folder: round robin over the servers, each checked with `GET /ready` every 200 ms and
 * taken out (or back) after one check, so a killed instance is out within a fraction of a second and a paused one
 * within the check timeout. A refused connection is retried on another server (`option redispatch`); a request that
 * dies with its server is not, since that is HubSpot's to retry. Its runtime API (a unix socket in the same folder)
 * takes servers out and back.
 */

export const BACKEND = 'app'

export interface BalancedServer {
  /** The `server` name in haproxy (an instance's INSTANCE_ID). */
  readonly name: string
  readonly port: number
}

/** Administrative states `set server` accepts. */
export type ServerAdminState = 'maint' | 'ready' | 'drain'
/** The first word of `show stat`'s status column. */
export type ServerStatus = 'UP' | 'DOWN' | 'MAINT' | 'DRAIN'

export interface ServerStat {
  /** As haproxy prints it: `UP`, `DOWN`, `MAINT`, `DRAIN`, `UP 1/2` while changing, `MAINT (resolution)`, … */
  readonly status: string
  /** The last check's result, `L7OK`, `L4CON`, `L7STS`, … (`INI` before the first; `* ` while one runs). */
  readonly checkStatus: string
  /** Requests sent to this server so far. */
  readonly requests: number
}

export interface LoadBalancer {
  readonly pid: number
  readonly port: number
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  /** `fetch` through the balancer. */
  request (path: string, init?: RequestInit): Promise<Response>
  /** One runtime API command; resolves with haproxy's answer. */
  command (line: string): Promise<string>
  /** `set server app/<name> state …`; rejects with haproxy's message when it refuses. */
  setServerState (name: string, state: ServerAdminState): Promise<void>
  /** Every server of the backend, from `show stat`. */
  servers (): Promise<Map<string, ServerStat>>
  /** Resolves once haproxy itself reports the server in that state, after a check where one applies. */
  waitForServerState (name: string, state: ServerStatus, timeoutMs?: number): Promise<void>
  /** haproxy's own output: alerts and warnings, among them every server going down or up and why. */
  output (): string
  /** Stops haproxy and removes its folder; safe to call twice. */
  close (): Promise<void>
}

export interface LoadBalancerOptions {
  /** Between health checks (default 200 ms). */
  readonly checkIntervalMs?: number
  /**
   * How long a check waits for `/ready` (default 2 s): one slow answer takes a server out, and on a busy 2-core
   * machine a healthy instance can take a second to answer.
   */
  readonly checkTimeoutMs?: number
  /** How long a request may wait for its server's answer (default 60 s: a call runs up to 30 s). */
  readonly serverTimeoutMs?: number
}

/** Where haproxy is, or undefined; Debian puts it in /usr/sbin, which a non-root PATH may lack. */
export function findHaproxy (): string | undefined {
  const folders = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin']
  return folders.filter(folder => folder !== '').map(folder => join(folder, 'haproxy')).find(existsSync)
}

/** The whole configuration: one frontend on `port`, backend `app` with one checked server per entry. */
export function haproxyConfig (servers: readonly BalancedServer[], paths: { port: number, socket: string }, options: LoadBalancerOptions = {}): string {
  const interval = options.checkIntervalMs ?? 200
  const serverTimeout = options.serverTimeoutMs ?? 60_000
  return [
    'global',
    `  stats socket ${paths.socket} level admin`,
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  option forwardfor',
    '  retries 3',
    '  option redispatch 1',
    '  timeout connect 1s',
    `  timeout client ${serverTimeout}ms`,
    `  timeout server ${serverTimeout}ms`,
    '  timeout http-request 10s',
    '  timeout queue 5s',
    `  timeout check ${options.checkTimeoutMs ?? 2000}ms`,
    'frontend web',
    `  bind 127.0.0.1:${paths.port}`,
    `  default_backend ${BACKEND}`,
    `backend ${BACKEND}`,
    '  balance roundrobin',
    '  option httpchk',
    '  http-check send meth GET uri /ready',
    '  http-check expect status 200',
    `  default-server inter ${interval}ms fastinter ${interval}ms downinter ${interval}ms fall 1 rise 1`,
    ...servers.map(server => `  server ${server.name} 127.0.0.1:${server.port} check`),
    ''
  ].join('\n')
}

/** Starts haproxy in front of `servers`; resolves once its runtime API answers (its port is bound by then). */
export async function startLoadBalancer (servers: readonly BalancedServer[], options: LoadBalancerOptions = {}): Promise<LoadBalancer> {
  const haproxy = findHaproxy()
  if (haproxy === undefined) throw new Error('haproxy is not installed: apt-get install haproxy (Debian\'s package; .ci/run installs it)')
  // The port can be taken between our probe and haproxy's bind; try another one a few times.
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnBalancer(haproxy, servers, await freePort(), options)
    } catch (error) {
      if (attempt === 3 || !/cannot bind|Address already in use/i.test(String(error))) throw error
    }
  }
}

async function spawnBalancer (haproxy: string, servers: readonly BalancedServer[], port: number, options: LoadBalancerOptions): Promise<LoadBalancer> {
  const folder = mkdtempSync(join(tmpdir(), 'haproxy-'))
  const socket = join(folder, 'haproxy.sock')
  const configFile = join(folder, 'haproxy.cfg')
  writeFileSync(configFile, haproxyConfig(servers, { port, socket }, options))
  const child = spawn(haproxy, ['-f', configFile, '-db'], { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] })
  const chunks: string[] = []
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk))
  let exited = false
  const exit = new Promise<void>(resolve => child.once('close', () => { exited = true; resolve() }))
  child.once('error', error => chunks.push(`spawn error: ${error.message}\n`))
  const output = () => chunks.join('')
  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM')
        if (await Promise.race([exit.then(() => true), sleep(2000).then(() => false)]) === false) child.kill('SIGKILL')
        await exit
      }
      rmSync(folder, { recursive: true, force: true })
    })()
    return closing
  }
  const command = (line: string) => runtimeCommand(socket, line)
  const serverStats = async () => parseServerStats(await command('show stat'))
  const origin = `http://127.0.0.1:${port}`

  const balancer: LoadBalancer = {
    pid: child.pid ?? -1,
    port,
    origin,
    request: async (path, init) => await fetch(origin + path, { ...init, signal: init?.signal ?? AbortSignal.timeout(35_000) }),
    command,
    async setServerState (name, state) {
      const answer = (await command(`set server ${BACKEND}/${name} state ${state}`)).trim()
      if (answer !== '') throw new Error(`haproxy refused to set ${name} to ${state}: ${answer}`)
    },
    servers: serverStats,
    async waitForServerState (name, state, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const last = (await serverStats()).get(name)
        if (last === undefined) throw new Error(`haproxy has no server ${BACKEND}/${name}`)
        if (inState(last, state)) return
        if (Date.now() > deadline) throw new Error(`haproxy did not see ${name} ${state} within ${timeoutMs} ms (status ${last.status}, last check ${last.checkStatus})`)
        await sleep(50)
      }
    },
    output,
    close
  }

  try {
    const deadline = Date.now() + 10_000
    for (;;) {
      if (exited) throw new Error(`haproxy exited before it was ready:\n${output()}`)
      if (await balancer.servers().then(() => true, () => false)) break
      if (Date.now() > deadline) throw new Error(`haproxy's runtime API did not answer within 10 s:\n${output()}`)
      await sleep(25)
    }
    return balancer
  } catch (error) {
    await close()
    throw error
  }
}

/**
 * A server is UP only once a check passed: haproxy counts a server up before its first check. Maintenance and
 * drain are administrative, so they hold at once; DOWN also covers a server that failed its first check.
 */
function inState (stat: ServerStat, state: ServerStatus): boolean {
  const [word] = stat.status.split(' ')
  if (word !== state) return false
  return state !== 'UP' || /^L[467]OK$/.test(stat.checkStatus)
}

/** Parses `show stat` (CSV with a `# ` header) into this backend's servers by name. */
export function parseServerStats (csv: string): Map<string, ServerStat> {
  const [header, ...rows] = csv.trim().split('\n')
  if (header === undefined || !header.startsWith('# ')) throw new Error(`not a show stat answer: ${csv.slice(0, 200)}`)
  const columns = header.slice(2).split(',')
  const at = (name: string) => columns.indexOf(name)
  const [proxy, server, status, check, total] = ['pxname', 'svname', 'status', 'check_status', 'stot'].map(at) as [number, number, number, number, number]
  const servers = new Map<string, ServerStat>()
  for (const row of rows) {
    const cells = row.split(',')
    const name = cells[server] ?? ''
    if (cells[proxy] !== BACKEND || name === 'BACKEND' || name === 'FRONTEND') continue
    servers.set(name, { status: cells[status] ?? '', checkStatus: cells[check] ?? '', requests: Number(cells[total] ?? 0) })
  }
  return servers
}

/** Sends one line to haproxy's runtime API socket, which answers and closes. */
function runtimeCommand (socket: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const connection = connect(socket)
    let answer = ''
    connection.setEncoding('utf8')
    connection.setTimeout(5000, () => connection.destroy(new Error(`haproxy's runtime API did not answer "${line}" within 5 s`)))
    connection.on('data', (chunk: string) => { answer += chunk })
    connection.on('error', reject)
    connection.on('close', hadError => { if (!hadError) resolve(answer) })
    connection.end(`${line}\n`)
  })
}

/** A balancer for one test: stopped in its teardown, its output printed when the test failed. */
export async function testLoadBalancer (t: Test, servers: readonly BalancedServer[], options: LoadBalancerOptions = {}): Promise<LoadBalancer> {
  const balancer = await startLoadBalancer(servers, options)
  t.teardown(async () => {
    if (!t.passing()) t.comment(`haproxy output:\n${balancer.output()}`)
    await balancer.close()
  })
  return balancer
}
