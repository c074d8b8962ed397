import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { appendFileSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import pg from 'pg'
import { repositoryPath } from './repository.ts'

/**
 * A real PostgreSQL server for tests, run from Debian's binaries in a temporary folder: no Docker, no server the
 * machine already runs. It listens on 127.0.0.1 only (plus a unix socket inside its folder) and trusts every
 * connection, as user `postgres`. initdb and pg_ctl refuse to run as root, so as root (how the tests run here) every
 * server command runs as the OS user `postgres` that Debian's package creates.
 *
 * Settings trade durability for speed (fsync, full_page_writes and synchronous_commit off): data survives
 * stop('immediate') because the kernel still holds it, except commits of the last ~200 ms, which synchronous_commit=off
 * leaves in the server's memory; a test of crash recovery commits with `SET synchronous_commit = on`.
 *
 * One cluster serves a whole tap run (sharedCluster): test/setup/postgres-before.ts starts it and
 * test/setup/postgres-after.ts removes it. Environment variables set by the before program do not reach the test
 * files, so it leaves a state file in tap's own .tap folder named after the tap runner process (pid and start time, so a
 * reused pid never matches), the parent of before, after and every test file; a test process finds it among its
 * ancestors. Each test takes its own database from it (createDatabase). A cluster outlives the process that started it
 * (pg_ctl detaches the server), so a small watchdog process removes it once that process is gone without cleaning up
 * (Ctrl-C, SIGKILL, a timeout).
 */

export interface PostgresCluster {
  readonly port: number
  readonly host: '127.0.0.1'
  /** The temporary folder: data/ (the cluster), postgres.log, the unix socket. */
  readonly directory: string
  /** postgres://postgres@127.0.0.1:PORT/database (default `postgres`). */
  url (database?: string): string
  /** Creates a database (by default a fresh `t_` + random hex name) and answers its url. */
  createDatabase (name?: string): Promise<string>
  /** Drops it even while connections are open (WITH (FORCE)); a missing one is fine. */
  dropDatabase (name: string): Promise<void>
  /** Stops the server; the data stays on disk for start(). Not allowed on the shared cluster. */
  stop (mode?: 'fast' | 'immediate'): Promise<void>
  /** Starts it again on the same port with the same data. Not allowed on the shared cluster. */
  start (): Promise<void>
  /** Stops it and removes its folder. Not allowed on the shared cluster. */
  destroy (): Promise<void>
}

interface ClusterState { port: number, directory: string, bin: string }

const HOST = '127.0.0.1'
const OWNER = 'postgres'
const STATE_DIRECTORY = repositoryPath('.tap')
const asRoot = process.getuid?.() === 0

/** A new cluster for this caller alone; it must destroy() it. */
export async function startCluster (options: { port?: number } = {}): Promise<PostgresCluster> {
  const bin = binDirectory()
  const owner = asRoot ? ownerIds() : undefined
  const directory = mkdtempSync(join(tmpdir(), 'postgres-cluster-'))
  try {
    if (owner !== undefined) chownSync(directory, owner.uid, owner.gid)
    const data = join(directory, 'data')
    await run(join(bin, 'initdb'), ['-D', data, '-U', OWNER, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync', '--no-instructions'], directory)
    writeFileSync(join(data, 'pg_hba.conf'), `local all all trust\nhost all all ${HOST}/32 trust\n`)
    appendFileSync(join(data, 'postgresql.conf'), [
      `listen_addresses = '${HOST}'`, `unix_socket_directories = '${directory}'`,
      'fsync = off', 'synchronous_commit = off', 'full_page_writes = off', 'max_connections = 300', 'shared_buffers = 32MB', ''
    ].join('\n'))
    // A free port can be taken between finding it and the server binding it (another run starting a cluster): retry.
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? await freePort()
      appendFileSync(join(data, 'postgresql.conf'), `port = ${port}\n`) // the last setting wins
      try {
        await pgCtlStart(bin, directory)
        return bind({ port, directory, bin }, false)
      } catch (error) {
        if (options.port !== undefined || attempt === 3 || !String(error).includes('Address already in use')) throw error
      }
    }
  } catch (error) {
    rmSync(directory, { recursive: true, force: true })
    throw error
  }
}

let shared: Promise<PostgresCluster> | undefined

/**
 * The one cluster of this tap run. Run without tap's before program (`node --import tsx test/x.test.ts`), this process
 * starts one itself and removes it when it exits.
 */
export function sharedCluster (): Promise<PostgresCluster> {
  shared ??= (async () => {
    const file = runStateFiles().find(existsSync)
    if (file !== undefined) return bind(JSON.parse(readFileSync(file, 'utf8')) as ClusterState, true)
    const own = await startCluster()
    const state = { port: own.port, directory: own.directory, bin: binDirectory() }
    process.on('exit', () => {
      spawnSync(...asOwner(join(state.bin, 'pg_ctl'), ['stop', '-D', join(state.directory, 'data'), '-m', 'immediate']), { cwd: state.directory, stdio: 'ignore' })
      rmSync(state.directory, { recursive: true, force: true })
    })
    watch(process.pid, state)
    return bind(state, true)
  })()
  return shared
}

/** For the before program: starts the run's cluster and leaves its state file for the test files. */
export async function startRunCluster (): Promise<string> {
  const file = runStateFiles()[0]
  if (file === undefined) throw new Error('cannot tell the tap runner process apart')
  const cluster = await startCluster()
  const state: ClusterState = { port: cluster.port, directory: cluster.directory, bin: binDirectory() }
  mkdirSync(STATE_DIRECTORY, { recursive: true })
  writeFileSync(file, JSON.stringify(state))
  watch(process.ppid, state, file)
  return cluster.url()
}

/** For the after program: removes the run's cluster and its state file (nothing when before could not start one). */
export async function stopRunCluster (): Promise<void> {
  const file = runStateFiles()[0]
  if (file === undefined || !existsSync(file)) return
  await bind(JSON.parse(readFileSync(file, 'utf8')) as ClusterState, false).destroy()
  rmSync(file, { force: true })
}

function bind (state: ClusterState, shared: boolean): PostgresCluster {
  const { port, directory, bin } = state
  const data = join(directory, 'data')
  const url = (database = 'postgres') => `postgres://${OWNER}@${HOST}:${port}/${database}`
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url() })
    await client.connect()
    try { await client.query(sql) } finally { await client.end() }
  }
  const own = (what: string) => {
    if (shared) throw new Error(`the shared cluster belongs to the whole tap run: use startCluster() for a cluster to ${what}`)
  }
  const cluster: PostgresCluster = {
    port,
    host: HOST,
    directory,
    url,
    async createDatabase (name = `t_${randomBytes(8).toString('hex')}`) {
      await admin(`CREATE DATABASE ${identifier(name)}`)
      return url(name)
    },
    async dropDatabase (name) {
      await admin(`DROP DATABASE IF EXISTS ${identifier(name)} WITH (FORCE)`)
    },
    async stop (mode = 'fast') {
      own('stop')
      await run(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', mode, '-w'], directory)
    },
    async start () {
      own('start')
      await pgCtlStart(bin, directory)
    },
    async destroy () {
      own('destroy')
      if (existsSync(join(data, 'postmaster.pid'))) await cluster.stop('immediate')
      rmSync(directory, { recursive: true, force: true })
    }
  }
  return cluster
}

async function pgCtlStart (bin: string, directory: string): Promise<void> {
  const log = join(directory, 'postgres.log')
  try {
    await run(join(bin, 'pg_ctl'), ['start', '-D', join(directory, 'data'), '-l', log, '-w'], directory)
  } catch (error) {
    // pg_ctl only says to look at the log: the reason is in there.
    const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '(no log)'
    throw new Error(`${(error as Error).message}\n${log}:\n${tail}`)
  }
}

/** The newest /usr/lib/postgresql/<version>/bin with an initdb (Debian's layout). */
function binDirectory (): string {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).filter(v => existsSync(join(root, v, 'bin', 'initdb'))) : []
  const newest = versions.sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))[0]
  if (newest === undefined) throw new Error(`no PostgreSQL server under ${root}/*/bin: install Debian's postgresql package (apt-get install postgresql)`)
  return join(root, newest, 'bin')
}

function ownerIds (): { uid: number, gid: number } {
  const id = (flag: string) => spawnSync('id', [flag, OWNER], { encoding: 'utf8' })
  const [uid, gid] = [id('-u'), id('-g')]
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(`PostgreSQL cannot run as root and there is no OS user "${OWNER}" to run it (Debian's postgresql package creates it): ${uid.stderr.trim()}`)
  }
  return { uid: Number(uid.stdout), gid: Number(gid.stdout) }
}

function asOwner (command: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', OWNER, '--', command, ...args]] : [command, args]
}

function run (command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(...asOwner(command, args), { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', chunk => { output += chunk })
    child.stderr.on('data', chunk => { output += chunk })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (code === 0) resolve()
      else reject(new Error(`${basename(command)} ${args.join(' ')} failed (${signal ?? `exit code ${code}`}):\n${output}`))
    })
  })
}

function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject)
    server.listen(0, HOST, () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

function identifier (name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a safe database name: ${JSON.stringify(name)}`)
  return `"${name}"`
}

/**
 * The state files this process may find its run's cluster in, nearest ancestor first: the first is its parent's (what
 * before and after, children of the tap runner, write and remove). A pid alone could be a reused one, so Linux adds the
 * process's start time from /proc.
 */
function runStateFiles (): string[] {
  const files: string[] = []
  for (let pid = process.ppid, depth = 0; pid > 1 && depth < 32; depth++) {
    let stat: string[] | undefined
    try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ') } catch {}
    files.push(join(STATE_DIRECTORY, `postgres-cluster-${pid}${stat === undefined ? '' : `-${stat[19]}`}.json`))
    if (stat === undefined) break // no /proc: the parent is all we can know
    pid = Number(stat[1])
  }
  return files
}

/**
 * Removes the cluster (and `files`) once process `pid` has gone, unless someone already did; a detached process with an
 * empty environment, so tap's coverage hooks do not follow it.
 */
function watch (pid: number, state: ClusterState, ...files: string[]): void {
  const [command, args] = asOwner(join(state.bin, 'pg_ctl'), ['stop', '-D', join(state.directory, 'data'), '-m', 'immediate'])
  const script = `
    const { existsSync, rmSync } = require('node:fs'), { spawnSync } = require('node:child_process')
    const [pid, directory, stop, ...files] = process.argv.slice(1), [command, ...args] = JSON.parse(stop)
    const alive = () => { try { return process.kill(Number(pid), 0) } catch (error) { return error.code === 'EPERM' } }
    setInterval(() => {
      if (!existsSync(directory)) process.exit()
      if (alive()) return
      spawnSync(command, args, { cwd: '/', stdio: 'ignore' })
      for (const path of [directory, ...files]) rmSync(path, { recursive: true, force: true })
      process.exit()
    }, 1000)`
  spawn('env', ['-i', `PATH=${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`, process.execPath, '-e', script, String(pid), state.directory, JSON.stringify([command, ...args]), ...files],
    { detached: true, stdio: 'ignore', cwd: '/' }).unref()
}
