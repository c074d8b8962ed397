import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { runnable, TEST_EXTENSION } from '../helpers/repository.ts'

const MAIN = fileURLToPath(new URL(`../fixtures/run-group/${runnable('main.ts')}`, import.meta.url))

/** Runs two grouped files in a fresh node, outside this run's tap (its variables would make that tap a child). */
function runGroupedFixture (): Promise<{ code: number | null, stdout: string }> {
  const loader = TEST_EXTENSION === '.ts' ? ['--import', 'tsx'] : []
  return new Promise(resolve => {
    execFile(process.execPath, [...loader, MAIN], { env: { PATH: process.env.PATH }, timeout: 30_000 }, (error, stdout) => {
      resolve({ code: error === null ? 0 : (typeof error.code === 'number' ? error.code : null), stdout })
    })
  })
}

t.test('grouped files all run, and a root teardown waits for the last of them', async t => {
  const { code, stdout } = await runGroupedFixture()
  t.equal(code, 0, 'the group exits 0')
  t.match(stdout, /^ok \d+ - first file/m)
  const second = /^ok \d+ - second file/m.exec(stdout)
  t.ok(second, 'the file after an idle pause still ran its test')
  t.ok(stdout.indexOf('# first file teardown') > (second?.index ?? Infinity), 'the root teardown ran after the last file\'s test')
})
