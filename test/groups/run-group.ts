import { readdirSync } from 'node:fs'
import t from 'tap'
import { runnable, TEST_EXTENSION } from '../helpers/repository.ts'

/**
 * Runs the test files of some folders in this one process, in name order, each file's tests as they would run on
 * their own. A test file started as its own process costs about two and a half seconds of CPU before its first test
 * (tap's runner and the app, compiled; five through tsx): over a hundred of them were most of the suite's time on two
 * cores. The folders run here are left out of `.taprc`'s include; any one file still runs alone with `npx tap <file>`.
 * `slice` takes every `of`-th file from the `part`-th, so a large folder spreads over several processes; `alone`
 * names the files that must keep a process to themselves (they judge what the process has loaded), which `.taprc`
 * then includes by name.
 */
export async function runGroup (folders: readonly string[], options: { readonly slice?: { readonly part: number, readonly of: number }, readonly alone?: readonly string[] } = {}): Promise<void> {
  const { slice, alone = [] } = options
  const files = folders.flatMap(folder => readdirSync(new URL(`../${folder}/`, import.meta.url))
    .filter(name => name.endsWith(`.test${TEST_EXTENSION}`) && !alone.map(runnable).includes(`${folder}/${name}`))
    .sort()
    .map(name => `${folder}/${name}`))
  await runFiles(slice === undefined ? files : files.filter((_file, index) => index % slice.of === slice.part - 1))
}

/**
 * Runs test files (paths under test/, named by their sources: `engine/resume.test.ts`) in this process, in order.
 * Each file is loaded inside a subtest of its own, queued behind the tests of the file before: once any file gives
 * the root test a teardown, tap ends the root as soon as it sits idle for two timer turns, which the next file's
 * import and top-level awaits would otherwise leave it, dropping that file's tests unreported and running its
 * teardowns (closing its stubs) before its first test. A file that fails while loading fails its subtest, not
 * the files after it.
 */
export async function runFiles (files: readonly string[]): Promise<void> {
  // The files' own time limits were set for one file to a process.
  t.setTimeout(files.length * 120_000)
  for (const file of files) {
    await new Promise<void>(resolve => {
      void t.test(`load ${file}`, async () => {
        try {
          await import(new URL(`../${runnable(file)}`, import.meta.url).href)
        } finally {
          resolve()
        }
      })
    })
  }
}
