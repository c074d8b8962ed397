import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface Manifest { readonly name: string, readonly version: string }

let cached: Manifest | undefined

/**
 * The nearest package.json above this file: `../package.json` from source, one level more from `dist/`, so the
 * spec and `/api/instances` name the version that is actually running without a build step copying it.
 */
export function serviceManifest (): Manifest {
  if (cached !== undefined) return cached
  let directory = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(directory, 'package.json')
    if (existsSync(candidate)) {
      const { name, version } = JSON.parse(readFileSync(candidate, 'utf8')) as Manifest
      cached = { name, version }
      return cached
    }
    const parent = dirname(directory)
    if (parent === directory) return { name: 'hubspot-llm-actions', version: '0.0.0' }
    directory = parent
  }
}
