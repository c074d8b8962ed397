import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { RegistryEntry } from './registry.ts'

/** The conditions Node's ESM loader matches in a package's `exports` (first match in the package's key order). */
const IMPORT_CONDITIONS: ReadonlySet<string> = new Set(['node', 'import', 'default'])
const PACKAGE_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/

/**
 * Imports the third-party provider modules listed in `LLM_PROVIDER_PACKAGES`, in order. Each specifier is either
 *
 * - an npm package name (`hubspot-llm-provider-mistral`, `@acme/hubspot-llm-provider-foo`, optionally with an
 *   exported subpath), resolved from `cwd`'s node_modules as `import` would: `exports` with the `node`, `import`
 *   and `default` conditions, else `main`, else `index.js`. ESM-only packages work;
 * - a file path, absolute or relative to `cwd` (`./providers/in-house.js`), for unpublished modules.
 *
 * Only the module's default export is taken; the registry then checks it like a built-in. A package that is not
 * installed, a missing file, a module that fails to load or one without a default export stops the boot with an
 * error naming the specifier and what to do.
 */
export async function loadProviderPackages (specifiers: readonly string[], options: { readonly cwd: string }): Promise<RegistryEntry[]> {
  const entries: RegistryEntry[] = []
  for (const specifier of specifiers) {
    const { file, origin } = isFilePath(specifier) ? locateFile(specifier, options.cwd) : locatePackage(specifier, options.cwd)
    let module: { default?: unknown }
    try {
      module = await import(pathToFileURL(file).href) as { default?: unknown }
    } catch (error) {
      throw new Error(`Provider ${origin} (from LLM_PROVIDER_PACKAGES) failed to load: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    }
    const definition = commonJsDefault(module.default)
    if (definition === undefined) {
      throw new Error(`Provider ${origin} (from LLM_PROVIDER_PACKAGES) has no default export: its main module must \`export default defineProvider({ … })\`.`)
    }
    entries.push({ definition, origin })
  }
  return entries
}

/** A CommonJS build of `export default` arrives as `{ __esModule: true, default: … }`. */
function commonJsDefault (value: unknown): unknown {
  const record = value as { __esModule?: unknown, default?: unknown } | undefined
  return typeof record === 'object' && record !== null && record.__esModule === true ? record.default : value
}

function isFilePath (specifier: string): boolean {
  return isAbsolute(specifier) || /^\.\.?([/\\]|$)/.test(specifier) || specifier.startsWith('file:')
}

function locateFile (specifier: string, cwd: string): { file: string, origin: string } {
  const path = specifier.startsWith('file:') ? fileURLToPath(specifier) : resolve(cwd, specifier)
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new Error(`Provider file "${specifier}" (from LLM_PROVIDER_PACKAGES) was not found at ${path}: fix the path (relative paths start from ${cwd}) or remove it from the list.`)
  }
  return { file: realpathSync(path), origin: `file ${path}` }
}

function locatePackage (specifier: string, cwd: string): { file: string, origin: string } {
  const [first = '', second = '', ...rest] = specifier.split('/')
  const name = first.startsWith('@') ? `${first}/${second}` : first
  const subpath = ['.', ...(first.startsWith('@') ? rest : [second, ...rest])].filter(part => part !== '').join('/')
  const origin = `package ${specifier}`
  if (!PACKAGE_NAME.test(name)) {
    throw new Error(`"${specifier}" in LLM_PROVIDER_PACKAGES is neither an npm package name nor a file path (file paths start with ./, ../ or /).`)
  }
  // Node's own lookup order: node_modules of cwd, then of each parent directory.
  const directories = createRequire(join(cwd, 'package.json')).resolve.paths(name) ?? []
  const directory = directories.map(candidate => join(candidate, name)).find(candidate => existsSync(join(candidate, 'package.json')))
  if (directory === undefined) {
    const fileHint = existsSync(resolve(cwd, specifier)) ? ` (for the file ${resolve(cwd, specifier)}, write ./${specifier})` : ''
    throw new Error(`Provider package "${name}" (from LLM_PROVIDER_PACKAGES) is not installed: run \`npm install ${name}\` in ${cwd}, or remove it from the list${fileHint}.`)
  }
  let manifest: { exports?: unknown, main?: unknown }
  try {
    manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as typeof manifest
  } catch (error) {
    throw new Error(`Provider package "${name}" has an unreadable package.json at ${directory}: reinstall it.`, { cause: error })
  }
  const target = entryPoint(manifest, subpath)
  if (target === undefined) {
    throw new Error(`Provider package "${name}" exports no "${subpath}" entry for import (its package.json "exports" needs an "import" or "default" condition): update or fix the package.`)
  }
  const file = resolve(directory, target)
  if (!existsSync(file)) {
    throw new Error(`Provider package "${name}" points at ${file}, which does not exist: reinstall or rebuild the package.`)
  }
  return { file: realpathSync(file), origin }
}

/** The file a package's `exports` (or `main`) names for `subpath` under the import conditions. */
function entryPoint (manifest: { exports?: unknown, main?: unknown }, subpath: string): string | undefined {
  const { exports } = manifest
  if (exports === undefined || exports === null) {
    if (subpath !== '.') return subpath
    return typeof manifest.main === 'string' && manifest.main !== '' ? manifest.main : 'index.js'
  }
  const isSubpathMap = typeof exports === 'object' && !Array.isArray(exports) && Object.keys(exports).some(key => key.startsWith('.'))
  if (isSubpathMap) return conditionalTarget((exports as Record<string, unknown>)[subpath])
  return subpath === '.' ? conditionalTarget(exports) : undefined
}

function conditionalTarget (value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (Array.isArray(value)) {
    for (const candidate of value) {
      const target = conditionalTarget(candidate)
      if (target !== undefined) return target
    }
    return undefined
  }
  if (typeof value === 'object' && value !== null) {
    // Conditions are matched in the package's own key order, as Node does.
    for (const [condition, nested] of Object.entries(value)) {
      if (!IMPORT_CONDITIONS.has(condition)) continue
      const target = conditionalTarget(nested)
      if (target !== undefined) return target
    }
  }
  return undefined
}
