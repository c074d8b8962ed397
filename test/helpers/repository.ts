import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * `npm test` runs the tests compiled (dist/test/…, built with the service by `npm run build`); one file may still run
 * from its source through tsx (`node --import tsx test/…`). These resolve what a test reads from disk the same way in
 * both: the repository's own files from its root, and test files by the extension the running ones have.
 */

/** The repository's root: the nearest folder up that holds a package.json (dist/ holds none). */
export const REPOSITORY = (() => {
  let folder = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder)
    if (parent === folder) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`)
    folder = parent
  }
  return folder
})()

/** `.ts` when the tests run from their sources, `.js` when they run compiled. */
export const TEST_EXTENSION = import.meta.url.endsWith('.ts') ? '.ts' : '.js'

/** A module path written with `.ts` (a test file under test/, a source module), as the running tests load it. */
export function runnable (path: string): string {
  return path.endsWith('.ts') ? `${path.slice(0, -'.ts'.length)}${TEST_EXTENSION}` : path
}

/** A path under the repository's root. */
export function repositoryPath (...segments: string[]): string {
  return join(REPOSITORY, ...segments)
}
