/**
 * A complete project of HubSpot's 2026.09 developer platform, ready for `hs project upload` (hubspot.md §9.1, §9A):
 *
 *   hsproject.json
 *   src/app/app-hsmeta.json                        the app: OAuth settings, scopes, permitted URLs
 *   src/app/workflow-actions/<key>-hsmeta.json     one workflow-action component per built-in action
 *
 * Built from PUBLIC_URL and the definitions only: nothing here reads a setting, so no secret (client secret,
 * developer key, admin token) can end up in a file.
 */

import { mkdir, readdir, stat } from 'node:fs/promises'
import type { ActionDefinitionEntry } from './build-definitions.ts'
import en from './labels/en.ts'
import { toHsmetaFiles, type HsmetaFile, type HsmetaOptions } from './to-hsmeta.ts'
import { refusalWithin, writeWithin, WriteRefused } from './write-within.ts'

/** HubSpot's newest generally available platform (2026-09-08; each version is supported for 18 months). */
export const PLATFORM_VERSION = '2026.09'
export const DEFAULT_PROJECT_NAME = 'llm-actions'
export const APP_UID = 'llm_actions_app'
export const DISTRIBUTIONS = ['private', 'marketplace'] as const
export type Distribution = typeof DISTRIBUTIONS[number]

/** Needed by the service itself: `automation` for callback completions, `oauth` as HubSpot's template lists it. */
export const REQUIRED_SCOPES: readonly string[] = ['oauth', 'automation']
/**
 * CRM reads for `{{propertyName}}` placeholders that `objectRequestOptions` did not bring (contacts, companies,
 * deals, tickets). Optional: the actions run without them, a portal that grants them gets more placeholders.
 */
export const OPTIONAL_SCOPES: readonly string[] = ['crm.objects.contacts.read', 'crm.objects.companies.read', 'crm.objects.deals.read', 'tickets']

export interface HsProjectFile {
  readonly name: string
  readonly srcDir: 'src'
  readonly platformVersion: string
}

export interface AppHsmetaFile {
  readonly uid: string
  readonly type: 'app'
  readonly config: {
    readonly name: string
    readonly description: string
    readonly distribution: Distribution
    readonly auth: {
      readonly type: 'oauth'
      readonly redirectUrls: readonly string[]
      readonly requiredScopes: readonly string[]
      readonly optionalScopes: readonly string[]
      readonly conditionallyRequiredScopes: readonly string[]
    }
    readonly permittedUrls: { readonly fetch: readonly string[], readonly iframe: readonly string[], readonly img: readonly string[] }
  }
}

export interface ProjectOptions extends HsmetaOptions {
  /** PUBLIC_URL without a trailing slash. */
  readonly publicUrl: string
  readonly distribution?: Distribution
  readonly projectName?: string
}

/** Path inside the project (always with `/`) to file content. */
export type ProjectFiles = Record<string, HsProjectFile | AppHsmetaFile | HsmetaFile>

export const WORKFLOW_ACTIONS_DIR = 'src/app/workflow-actions'

export function buildProjectFiles (entries: readonly ActionDefinitionEntry[], options: ProjectOptions): ProjectFiles {
  const base = options.publicUrl.replace(/\/+$/, '')
  const project: HsProjectFile = { name: options.projectName ?? DEFAULT_PROJECT_NAME, srcDir: 'src', platformVersion: PLATFORM_VERSION }
  const actionNames = entries.map(({ definition }) => definition.labels.en.actionName).join(', ')
  const app: AppHsmetaFile = {
    uid: APP_UID,
    type: 'app',
    config: {
      name: en.appDisplayName,
      description: `Self-hosted LLM workflow actions (${actionNames}), served by ${base}.`,
      distribution: options.distribution ?? 'private',
      auth: {
        type: 'oauth',
        redirectUrls: [`${base}/oauth/callback`],
        requiredScopes: [...REQUIRED_SCOPES],
        optionalScopes: [...OPTIONAL_SCOPES],
        conditionallyRequiredScopes: []
      },
      permittedUrls: { fetch: [base], iframe: [], img: [] }
    }
  }
  const actions = toHsmetaFiles(entries, { documentedKeysOnly: options.documentedKeysOnly, agentTools: options.agentTools })
  return {
    'hsproject.json': project,
    'src/app/app-hsmeta.json': app,
    ...Object.fromEntries(Object.entries(actions).map(([name, file]) => [`${WORKFLOW_ACTIONS_DIR}/${name}`, file]))
  }
}

export type WriteResult = { readonly ok: true, readonly paths: string[] } | { readonly ok: false, readonly error: string }

/**
 * Writes the project under `directory`, creating it. Refuses a directory that has anything in it unless `force`
 * (then files of the same name are replaced and other files are left alone), and a symbolic link anywhere below
 * it on a project file's path, before writing anything (see write-within.ts).
 */
export async function writeProjectFiles (directory: string, files: ProjectFiles, options: { force?: boolean } = {}): Promise<WriteResult> {
  const existing = await stat(directory).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
  if (existing !== undefined && !existing.isDirectory()) return { ok: false, error: `${directory} exists and is not a folder.` }
  if (existing !== undefined && options.force !== true && (await readdir(directory)).length > 0) {
    return { ok: false, error: `${directory} is not empty: choose an empty or new folder, or add --force to overwrite the project files in it.` }
  }
  for (const relative of Object.keys(files)) {
    const refusal = await refusalWithin(directory, relative)
    if (refusal !== undefined) return { ok: false, error: refusal }
  }
  await mkdir(directory, { recursive: true })
  const paths: string[] = []
  try {
    for (const [relative, content] of Object.entries(files)) paths.push(await writeWithin(directory, relative, `${JSON.stringify(content, null, 2)}\n`))
  } catch (error) {
    if (error instanceof WriteRefused) return { ok: false, error: error.message }
    throw error
  }
  return { ok: true, paths }
}

/** What the operator does after the files are written. */
export function nextSteps (directory: string, publicUrl: string, projectName: string = DEFAULT_PROJECT_NAME): string {
  const base = publicUrl.replace(/\/+$/, '')
  return `Next steps:
  1. cd ${shellQuote(directory)} && hs project upload
     (needs HubSpot's CLI, npm install -g @hubspot/cli, signed in to your developer account)
  2. In HubSpot, open the project "${projectName}", then its app's Auth tab: copy the client ID and the client secret
     into this service's settings as HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET, and restart the service.
  3. Open ${base}/oauth/install to install the app into a HubSpot account; both actions then appear in the workflow editor.
`
}

function shellQuote (value: string): string {
  return /^[\w./:@%+=,-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`
}
