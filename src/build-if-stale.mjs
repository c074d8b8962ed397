// `npm test` runs the compiled tests against dist/ (the service as production starts it, the published provider
// package), so dist/ must match the sources. This builds it again only when a file the build reads is newer than
// the last build: a fresh `npm ci`, whose `prepare` runs this, builds once, and `npm test` after it not again, while
// an edited, added or pulled source always is. Two of these at once (`.ci/run` builds while `npm ci` still compiles
// SQLite, and `prepare` may come before that build ends) take turns under a lock: the second finds dist/ fresh.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { build, STAMP } from './build.mjs'

const INPUTS = ['src', 'plugins', 'providers', 'db', 'test', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']
/** Left out of the inputs: what tests write under test/ as they run. */
const OUTPUTS = new Set([join('test', 'artifacts'), join('test', 'bench', 'results')])
const LOCK = 'node_modules/.cache/build-lock'

/** The latest change under `path`: a folder's own time changes when an entry is added, removed or renamed. */
function newest (path) {
  if (OUTPUTS.has(path)) return Number.NEGATIVE_INFINITY
  const stats = statSync(path)
  if (!stats.isDirectory()) return stats.mtimeMs
  return readdirSync(path).reduce((latest, entry) => Math.max(latest, newest(join(path, entry))), stats.mtimeMs)
}

/** Whether the process that took the lock is gone (killed mid-build): its lock is then free to take. */
function abandoned () {
  try {
    process.kill(Number(readFileSync(join(LOCK, 'pid'), 'utf8')), 0)
    return false
  } catch (error) {
    return error.code !== 'EPERM'
  }
}

async function withLock (work) {
  mkdirSync('node_modules/.cache', { recursive: true })
  for (let waited = false; ;) {
    try {
      mkdirSync(LOCK)
      break
    } catch (error) {
      if (error.code !== 'EEXIST') throw error
      // Between another's mkdir and its pid file the lock looks abandoned: only a lock a second old can be.
      if (abandoned() && Date.now() - statSync(LOCK).mtimeMs > 1000) { rmSync(LOCK, { recursive: true, force: true }); continue }
      if (!waited) console.log('another build of this folder is under way; waiting for it')
      waited = true
      await sleep(250)
    }
  }
  writeFileSync(join(LOCK, 'pid'), String(process.pid))
  try {
    work()
  } finally {
    rmSync(LOCK, { recursive: true, force: true })
  }
}

try {
  await withLock(() => {
    const builtAt = existsSync(STAMP) ? statSync(STAMP).mtimeMs : Number.NEGATIVE_INFINITY
    const changedAt = Math.max(...INPUTS.filter(path => existsSync(path)).map(newest))
    if (changedAt > builtAt) build()
    else console.log('dist/ is newer than every source; not built again')
  })
} catch {
  // The failing step has printed why.
  process.exitCode = 1
}
