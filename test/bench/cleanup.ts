import { rmSync } from 'node:fs'

/**
 * Everything the benchmark must undo, however it ends: child processes (killed by their own pid) and temporary
 * folders. A normal end calls `cleanUp()`; a thrown error, Ctrl-C or SIGTERM gets the same through the handlers
 * installed by `installCleanupHandlers()`, so no stub, gateway or service outlives the run.
 */

export interface OwnedProcess {
  readonly name: string
  readonly pid: number
  /** True once the process has exited. */
  exited (): boolean
  /** Asks the process to stop, and kills it if it has not exited after `graceMs`. */
  stop (graceMs?: number): Promise<void>
}

const processes = new Set<OwnedProcess>()
const folders = new Set<string>()
const teardowns = new Set<() => Promise<void>>()
let cleaning: Promise<void> | undefined

export function ownProcess (child: OwnedProcess): void {
  processes.add(child)
}

export function forgetProcess (child: OwnedProcess): void {
  processes.delete(child)
}

export function ownFolder (folder: string): void {
  folders.add(folder)
}

/** Anything else to undo at the end, before the folders go (a PostgreSQL cluster stops itself this way). */
export function ownTeardown (teardown: () => Promise<void>): void {
  teardowns.add(teardown)
}

/** Stops every child still running and removes every folder; safe to call more than once. */
export async function cleanUp (): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all([...processes].map(async child => { await child.stop(2000).catch(() => undefined) }))
    processes.clear()
    await Promise.all([...teardowns].map(async teardown => { await teardown().catch(() => undefined) }))
    teardowns.clear()
    for (const folder of folders) rmSync(folder, { recursive: true, force: true })
    folders.clear()
  })()
  await cleaning
}

/** Last resort when the event loop is gone (`process.exit` elsewhere): SIGKILL by pid, remove folders. */
function cleanUpNow (): void {
  for (const child of processes) {
    if (!child.exited()) {
      try { process.kill(child.pid, 'SIGKILL') } catch { /* already gone */ }
    }
  }
  for (const folder of folders) rmSync(folder, { recursive: true, force: true })
}

export function installCleanupHandlers (): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping children and removing temporary folders\n`)
      cleanUp().finally(() => process.exit(130))
    })
  }
  process.on('exit', cleanUpNow)
}
