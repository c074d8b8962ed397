// `npm run build`: dist/ from nothing. One tsc compile type-checks and emits the service, the provider package and
// the tests (tsconfig.build.json); the admin page's browser code is type-checked on its own and bundled by esbuild;
// the migrations are copied beside the code that applies them. dist/.built is written last, so a build that failed
// part-way is never taken for a finished one (src/build-if-stale.mjs).
import { execFileSync } from 'node:child_process'
import { cpSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const run = (...args) => { execFileSync(process.execPath, args, { stdio: 'inherit' }) }

/** Written as the build's last step. */
export const STAMP = 'dist/.built'

export function build () {
  rmSync('dist', { recursive: true, force: true })
  run(tsc, '-p', 'tsconfig.build.json')
  run(tsc, '-p', 'src/admin-page/tsconfig.json')
  cpSync('db/migrations', 'dist/db/migrations', { recursive: true })
  run('src/admin-page/build.mjs')
  writeFileSync(STAMP, '')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    build()
  } catch {
    // The failing step has printed why.
    process.exitCode = 1
  }
}
