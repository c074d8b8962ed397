/**
 * `llm-actions publish`: creates or updates both action definitions in the HubSpot app, through the date-versioned
 * Automation Actions API (2026-09 unless HUBSPOT_ACTIONS_API_VERSION says 2026-03 or v4) and the developer API key.
 * Prints one line per action; safe to re-run.
 */

import { parseArgs } from 'node:util'
import { BUILTIN_PROVIDERS } from '../../providers/builtin.ts'
import { buildActionDefinitions } from '../actions/definitions/build-definitions.ts'
import { publishDefinitions } from '../actions/publish-definitions.ts'
import { ACTIONS_API_VERSIONS, DEFAULT_ACTIONS_API_VERSION, createHubSpotDefinitions, createHubSpotHttp, isActionsApiVersion, type ActionsApiVersion } from '../hubspot/index.ts'
import { readPublicUrl, type CliIo } from './print-definitions.ts'
import { isLoopbackHost } from '../../providers/allowed-hosts.ts'

export const PUBLISH_USAGE = `Usage: llm-actions publish

Creates or updates the "custom-llm" and "openai-assistant" workflow action definitions of a HubSpot app
(published, so every portal that installed the app sees them). Definitions already up to date are left alone.

Which path fits your app:
  a project app (every app created since 2026-06-23)  write the project and upload it instead:
      npx llm-actions print-definitions --format hsmeta --out hubspot-project && cd hubspot-project && hs project upload
  a legacy public app that already exists             this command, with its app id and developer API key

Environment:
  HUBSPOT_APP_ID              the app's id (required)
  HUBSPOT_DEVELOPER_API_KEY   developer API key of the account that owns the app (required)
  PUBLIC_URL                  the https base URL HubSpot reaches (required; http is accepted for localhost only)
  HUBSPOT_API_BASE_URL        default https://api.hubapi.com
  HUBSPOT_ACTIONS_API_VERSION 2026-09 (default), 2026-03, or v4 (legacy apps; HubSpot supports v4 until 2027-03-30)

Exit codes: 0 done, 1 HubSpot refused or could not be reached, 2 missing or bad settings.
`

/** The arguments after the verb. Returns the exit code. */
export async function run (argv: string[], io: CliIo): Promise<number> {
  try {
    const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false })
    if (values.help === true) {
      io.stdout(PUBLISH_USAGE)
      return 0
    }
  } catch (error) {
    io.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n\n${PUBLISH_USAGE}`)
    return 2
  }

  const settings = readSettings(io.env)
  if ('error' in settings) {
    io.stderr(`error: ${settings.error}\n`)
    return 2
  }
  for (const warning of settings.warnings) io.stderr(`warning: ${warning}\n`)

  try {
    const http = createHubSpotHttp({ apiBaseUrl: settings.apiBaseUrl, fetch: io.fetch, secrets: [settings.developerApiKey] })
    const results = await publishDefinitions({
      hubspot: createHubSpotDefinitions({ http, developerApiKey: settings.developerApiKey, actionsApiVersion: settings.actionsApiVersion }),
      appId: settings.appId,
      definitions: buildActionDefinitions({ publicUrl: settings.publicUrl, providers: BUILTIN_PROVIDERS }),
      log: line => io.stderr(`${line}\n`)
    })
    for (const result of results) io.stdout(`${result.key}: ${result.action} (definition ${result.definitionId})\n`)
    return 0
  } catch (error) {
    // The HubSpot client scrubs the developer key from its errors; nothing else here can carry it.
    io.stderr(`error: publish failed: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
}

interface PublishSettings {
  readonly appId: string
  readonly developerApiKey: string
  readonly publicUrl: string
  readonly apiBaseUrl: string
  readonly actionsApiVersion: ActionsApiVersion
  readonly warnings: string[]
}

/** Checks in a fixed order so the first problem is named alone, on one line. */
function readSettings (env: CliIo['env']): PublishSettings | { error: string } {
  const value = (name: string) => {
    const text = env[name]?.trim()
    return text === undefined || text === '' ? undefined : text
  }
  const appId = value('HUBSPOT_APP_ID')
  if (appId === undefined) return { error: 'HUBSPOT_APP_ID is not set: the id of the HubSpot app that owns the actions.' }
  if (!/^\d+$/.test(appId)) return { error: `HUBSPOT_APP_ID must be a number, not "${appId}".` }
  const developerApiKey = value('HUBSPOT_DEVELOPER_API_KEY')
  if (developerApiKey === undefined) return { error: 'HUBSPOT_DEVELOPER_API_KEY is not set: the developer API key of the account that owns the app.' }
  const rawPublicUrl = value('PUBLIC_URL')
  if (rawPublicUrl === undefined) return { error: 'PUBLIC_URL is not set: the https base URL HubSpot reaches this service at.' }
  const publicUrl = readPublicUrl(rawPublicUrl)
  if (typeof publicUrl !== 'string') return publicUrl

  const warnings: string[] = []
  const { protocol, hostname } = new URL(publicUrl)
  if (isLoopbackHost(hostname)) {
    warnings.push(`PUBLIC_URL points at ${hostname}: HubSpot cannot reach it, so only use this with a test app.`)
  } else if (protocol !== 'https:') {
    // HubSpot only calls https action URLs; publishing an http one would give actions that never run.
    return { error: `PUBLIC_URL must use https, not "${rawPublicUrl}" (http is accepted for localhost only).` }
  }

  const rawApiBaseUrl = value('HUBSPOT_API_BASE_URL') ?? 'https://api.hubapi.com'
  try {
    const parsed = new URL(rawApiBaseUrl)
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http(s)')
  } catch {
    return { error: `HUBSPOT_API_BASE_URL is not an http(s) URL: "${rawApiBaseUrl}".` }
  }
  const actionsApiVersion = value('HUBSPOT_ACTIONS_API_VERSION') ?? DEFAULT_ACTIONS_API_VERSION
  if (!isActionsApiVersion(actionsApiVersion)) {
    return { error: `HUBSPOT_ACTIONS_API_VERSION must be one of ${ACTIONS_API_VERSIONS.join(', ')}, not "${actionsApiVersion}".` }
  }
  return { appId, developerApiKey, publicUrl, apiBaseUrl: rawApiBaseUrl.replace(/\/+$/, ''), actionsApiVersion, warnings }
}
