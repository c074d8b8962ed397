/**
 * `llm-actions print-definitions`: prints every action definition, as v4 API bodies or as the hsmeta files of
 * HubSpot's projects platform, without talking to HubSpot.
 */

import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { BUILTIN_PROVIDERS } from '../../providers/builtin.ts'
import { ACTION_KEYS } from '../actions/builtin-actions.ts'
import { buildActionDefinitions } from '../actions/definitions/build-definitions.ts'
import { hsmetaFileName, toHsmetaFiles } from '../actions/definitions/to-hsmeta.ts'

/** What a CLI verb gets from the process; injected so tests run it in memory. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>
  /** Receives whole lines, newline included. */
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly fetch: typeof globalThis.fetch
}

export const PRINT_DEFINITIONS_USAGE = `Usage: llm-actions print-definitions [--format v4|hsmeta] [--out DIR] [--documented-only]

Prints the workflow action definitions (${ACTION_KEYS.map(key => `"${key}"`).join(', ')}) as JSON.

  --format v4        (default) {"items":[{"key","definition"}]}, the bodies of HubSpot's v4 definitions API,
                     the same as GET /hubspot/definitions
  --format hsmeta    {"files":{${ACTION_KEYS.map(key => `"${hsmetaFileName(key)}":{…}`).join(',')}}}, workflow-action
                     components of HubSpot's 2026.03 projects platform
  --out DIR          with hsmeta: write the files into DIR (e.g. src/app/workflow-actions) instead of printing them
  --documented-only  with hsmeta: leave out objectRequestOptions and executionRules, which HubSpot does not
                     document for hsmeta files (use it if "hs project upload" rejects them)
  -h, --help         this text

Environment: PUBLIC_URL, the base URL HubSpot reaches (default http://localhost:<PORT or 3000>).
`

/** The arguments after the verb. Returns the exit code: 0 done, 2 bad arguments or settings. */
export async function run (argv: string[], io: CliIo): Promise<number> {
  let values: { format?: string, out?: string, 'documented-only'?: boolean, help?: boolean }
  try {
    values = parseArgs({
      args: argv,
      options: {
        format: { type: 'string' },
        out: { type: 'string' },
        'documented-only': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      },
      strict: true,
      allowPositionals: false
    }).values
  } catch (error) {
    return usageError(io, error instanceof Error ? error.message : String(error))
  }
  if (values.help === true) {
    io.stdout(PRINT_DEFINITIONS_USAGE)
    return 0
  }
  const format = values.format ?? 'v4'
  if (format !== 'v4' && format !== 'hsmeta') return usageError(io, `Unknown format "${format}": use v4 or hsmeta.`)
  if (format === 'v4' && (values.out !== undefined || values['documented-only'] === true)) {
    return usageError(io, '--out and --documented-only only apply to --format hsmeta.')
  }

  const publicUrl = readPublicUrl(io.env.PUBLIC_URL ?? `http://localhost:${io.env.PORT ?? 3000}`)
  if (typeof publicUrl !== 'string') {
    io.stderr(`error: ${publicUrl.error}\n`)
    return 2
  }
  const entries = buildActionDefinitions({ publicUrl, providers: BUILTIN_PROVIDERS })

  if (format === 'v4') {
    io.stdout(`${JSON.stringify({ items: entries }, null, 2)}\n`)
    return 0
  }
  const files = toHsmetaFiles(entries, { documentedKeysOnly: values['documented-only'] === true })
  if (values.out === undefined) {
    io.stdout(`${JSON.stringify({ files }, null, 2)}\n`)
    return 0
  }
  await mkdir(values.out, { recursive: true })
  for (const [name, content] of Object.entries(files)) {
    const path = join(values.out, name)
    await writeFile(path, `${JSON.stringify(content, null, 2)}\n`)
    io.stdout(`wrote ${path}\n`)
  }
  return 0
}

/**
 * PUBLIC_URL without trailing slashes, or why it is unusable. Shared with `publish`, which adds its own
 * https rule.
 */
export function readPublicUrl (value: string): string | { error: string } {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return { error: `PUBLIC_URL is not a URL: "${value}".` }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { error: `PUBLIC_URL must be an http(s) URL, not "${value}".` }
  if (url.search !== '' || url.hash !== '') return { error: 'PUBLIC_URL must not have a query or fragment: action URLs are built by appending paths to it.' }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '')
}

function usageError (io: CliIo, message: string): number {
  io.stderr(`error: ${message}\n\n${PRINT_DEFINITIONS_USAGE}`)
  return 2
}
