import t, { type Test } from 'tap'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, rename, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ConformanceReport } from '../../providers/testing/index.ts'
import { conformanceCheckNames } from '../helpers/conformance-check-names.ts'
import { REPOSITORY, repositoryPath } from '../helpers/repository.ts'

/**
 * A third party's view of the package: a project of its own that depends on `hubspot-llm-actions` (a symlink to
 * this repository, as `npm link` makes), a provider and a vendor stub in plain JavaScript, and the kit run by
 * `node run.mjs` with no test runner and no loader. It exercises the "exports" map and the compiled dist/, so
 * it needs `npm run build` first (`npm test` does that).
 */
const FIXTURE = repositoryPath('test/fixtures/plain-node-consumer')
const TSC = join(REPOSITORY, 'node_modules', 'typescript', 'bin', 'tsc')

interface Finished {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `node <args>` in `cwd`, with no NODE_OPTIONS: tap puts its TypeScript loader there, and a consumer has none. */
function node (args: readonly string[], cwd: string): Promise<Finished> {
  const { NODE_OPTIONS: _loaders, ...environment } = process.env
  return new Promise(resolve => {
    execFile(process.execPath, args, { cwd, env: environment, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr })
    })
  })
}

/** The consumer project in a fresh temporary directory, removed when the tests end. */
async function consumerProject (t: Test): Promise<string> {
  const project = await mkdtemp(join(tmpdir(), 'plain-node-consumer-'))
  t.teardown(() => rm(project, { recursive: true, force: true }))
  await cp(FIXTURE, project, { recursive: true })
  // Kept as .txt in the fixture so this repository's own type check leaves it alone.
  await rename(join(project, 'consumer.ts.txt'), join(project, 'consumer.ts'))
  await mkdir(join(project, 'node_modules', '@types'), { recursive: true })
  await symlink(REPOSITORY, join(project, 'node_modules', 'hubspot-llm-actions'), 'dir')
  await symlink(join(REPOSITORY, 'node_modules', '@types', 'node'), join(project, 'node_modules', '@types', 'node'), 'dir')
  return project
}

t.test('a plain-JavaScript provider passes the kit under plain node, through the published entries', async t => {
  const built = ['dist/providers/index.js', 'dist/providers/index.d.ts', 'dist/providers/testing/index.js', 'dist/providers/testing/index.d.ts']
  const missing = built.filter(file => !existsSync(join(REPOSITORY, file)))
  if (missing.length > 0) {
    t.fail(`dist/ is not built (missing ${missing.join(', ')}): run npm run build first`)
    return
  }
  const project = await consumerProject(t)

  await t.test('node run.mjs prints a passing report listing every check', async t => {
    const finished = await node(['run.mjs'], project)
    t.equal(finished.code, 0, 'exits 0', { stderr: finished.stderr })
    let report: ConformanceReport | undefined
    try {
      report = JSON.parse(finished.stdout) as ConformanceReport
    } catch {
      t.fail('stdout is the report as JSON', { stdout: finished.stdout, stderr: finished.stderr })
      return
    }
    t.equal(report.provider, 'acme')
    t.equal(report.passed, true, 'the report passed', { failed: report.checks.filter(check => !check.passed) })
    t.same(report.checks.map(check => check.name), conformanceCheckNames({ rateLimitRetryAfterMs: 3000 }))
    t.match(finished.stderr, /^Provider conformance of "acme": 17 of 17 checks passed in \d+ ms\./, 'the text form went to stderr')
  })

  await t.test('a TypeScript consumer type-checks against both entries with nodenext resolution', async t => {
    // One file plus the package's declarations and @types/node: a few seconds, most of it checking @types/node.
    const finished = await node([TSC, '--noEmit', '-p', join(project, 'tsconfig.json')], project)
    t.equal(finished.code, 0, 'tsc reports no errors', { output: finished.stdout + finished.stderr })
  })
})
