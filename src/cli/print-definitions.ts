/**
 * `llm-actions print-definitions`: prints every action definition, as v4 API bodies or as the hsmeta files of
 * HubSpot's projects platform, or writes a whole project for `hs project upload`, without talking to HubSpot.
 * Argument handling only: the files come from src/actions/definitions/ (project-files.ts, to-hsmeta.ts).
 */

import { parseArgs } from 'node:util'
import { BUILTIN_PROVIDERS } from '../../providers/builtin.ts'
import { ACTION_KEYS } from '../actions/builtin-actions.ts'
import { ACTIONS_API_VERSIONS } from '../hubspot/actions-api-paths.ts'
import { buildActionDefinitions } from '../actions/definitions/build-definitions.ts'
import {
  buildProjectFiles, DISTRIBUTIONS, nextSteps, PLATFORM_VERSION, writeProjectFiles, type Distribution
} from '../actions/definitions/project-files.ts'
import { hsmetaFileName, toHsmetaFiles } from '../actions/definitions/to-hsmeta.ts'

/** What a CLI verb gets from the process; injected so tests run it in memory. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>
  /** Receives whole lines, newline included. */
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly fetch: typeof globalThis.fetch
}

export const PRINT_DEFINITIONS_USAGE = `Usage: llm-actions print-definitions [--format v4|hsmeta] [--agent-tools] [--documented-only]
       llm-actions print-definitions --format hsmeta --out DIR [--distribution private|marketplace] [--agent-tools] [--documented-only] [--force]

Prints the workflow action definitions (${ACTION_KEYS.map(key => `"${key}"`).join(', ')}) as JSON, or writes a
project for HubSpot's developer platform ${PLATFORM_VERSION}.

  --format v4        (default) {"items":[{"key","definition"}]}, the bodies of HubSpot's definitions API
                     (${ACTIONS_API_VERSIONS.join(', ')}; the same body on each), as GET /hubspot/definitions
  --format hsmeta    {"files":{${ACTION_KEYS.map(key => `"${hsmetaFileName(key)}":{…}`).join(',')}}}, workflow-action
                     components of HubSpot's ${PLATFORM_VERSION} projects platform
  --out DIR          with hsmeta: write a complete project into DIR for "hs project upload" (hsproject.json,
                     src/app/app-hsmeta.json, src/app/workflow-actions/*-hsmeta.json) instead of printing
  --distribution D   with --out: the app's distribution, private (default) or marketplace
  --force            with --out: write into DIR even if it is not empty (project files are replaced; a
                     symbolic link on their path is refused, never written through)
  --agent-tools      with hsmeta: also offer both actions to HubSpot's AI agents (supportedClients AGENTS)
  --documented-only  with hsmeta: leave out objectRequestOptions and executionRules, which HubSpot does not
                     document for hsmeta files (use it if "hs project upload" rejects them)
  -h, --help         this text

Environment: PUBLIC_URL, the base URL HubSpot reaches (default http://localhost:<PORT or 3000>).
`

interface Flags {
  format?: string
  out?: string
  distribution?: string
  force?: boolean
  'agent-tools'?: boolean
  'documented-only'?: boolean
  help?: boolean
}

/** The arguments after the verb. Returns the exit code: 0 done, 2 bad arguments, settings or output folder. */
export async function run (argv: string[], io: CliIo): Promise<number> {
  let values: Flags
  try {
    values = parseArgs({
      args: argv,
      options: {
        format: { type: 'string' },
        out: { type: 'string' },
        distribution: { type: 'string' },
        force: { type: 'boolean' },
        'agent-tools': { type: 'boolean' },
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
  const problem = flagProblem(values)
  if (problem !== undefined) return usageError(io, problem)

  const publicUrl = readPublicUrl(io.env.PUBLIC_URL ?? `http://localhost:${io.env.PORT ?? 3000}`)
  if (typeof publicUrl !== 'string') {
    io.stderr(`error: ${publicUrl.error}\n`)
    return 2
  }
  const entries = buildActionDefinitions({ publicUrl, providers: BUILTIN_PROVIDERS })

  if ((values.format ?? 'v4') === 'v4') {
    io.stdout(`${JSON.stringify({ items: entries }, null, 2)}\n`)
    return 0
  }
  const hsmetaOptions = { documentedKeysOnly: values['documented-only'] === true, agentTools: values['agent-tools'] === true }
  if (values.out === undefined) {
    io.stdout(`${JSON.stringify({ files: toHsmetaFiles(entries, hsmetaOptions) }, null, 2)}\n`)
    return 0
  }
  const files = buildProjectFiles(entries, { ...hsmetaOptions, publicUrl, distribution: values.distribution as Distribution | undefined })
  const written = await writeProjectFiles(values.out, files, { force: values.force === true })
  if (!written.ok) {
    io.stderr(`error: ${written.error}\n`)
    return 2
  }
  for (const path of written.paths) io.stdout(`wrote ${path}\n`)
  io.stdout(`\n${nextSteps(values.out, publicUrl)}`)
  return 0
}

function flagProblem (values: Flags): string | undefined {
  const format = values.format ?? 'v4'
  if (format !== 'v4' && format !== 'hsmeta') return `Unknown format "${format}": use v4 or hsmeta.`
  if (format === 'v4' && (values.out !== undefined || values['documented-only'] === true || values['agent-tools'] === true)) {
    return '--out, --agent-tools and --documented-only only apply to --format hsmeta.'
  }
  if (values.out === undefined && (values.distribution !== undefined || values.force === true)) return '--distribution and --force only apply with --out.'
  if (values.out === '') return '--out needs a folder.'
  if (values.distribution !== undefined && !(DISTRIBUTIONS as readonly string[]).includes(values.distribution)) {
    return `Unknown distribution "${values.distribution}": use ${DISTRIBUTIONS.join(' or ')}.`
  }
  return undefined
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
