// `npm test` runs part of the suite against dist/ (the service as production starts it, the published provider
// package), so dist/ must match the sources. This builds it again only when a file the build reads is newer than
// the last build: a fresh `npm ci`, whose `prepare` has just built it, is not built a second time (most of a minute
// on two cores), while an edited, added or pulled source always is.
import { execSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** Written by `npm run build` as its last step. */
const STAMP = 'dist/.built'
const INPUTS = ['src', 'plugins', 'providers', 'db', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']

/** The latest change under `path`: a folder's own time changes when an entry is added, removed or renamed. */
function newest (path) {
  const stats = statSync(path)
  if (!stats.isDirectory()) return stats.mtimeMs
  return readdirSync(path).reduce((latest, entry) => Math.max(latest, newest(join(path, entry))), stats.mtimeMs)
}

const builtAt = existsSync(STAMP) ? statSync(STAMP).mtimeMs : Number.NEGATIVE_INFINITY
const changedAt = Math.max(...INPUTS.filter(path => existsSync(path)).map(newest))
if (changedAt > builtAt) {
  execSync('npm run build', { stdio: 'inherit' })
} else {
  console.log('dist/ is newer than every source; not built again')
}
