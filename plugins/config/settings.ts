import { hostname } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import type { Env } from './env-schema.ts'
import { parseKeyring, type KeyringKey } from '../keyring/keyring.ts'
import { isPostgresUrl, redactedUrl } from '../../db/database.ts'
import { loadOrCreateSecrets } from './secrets-file.ts'
import { readPriceOverrides, type PriceOverrides } from './prices-file.ts'

/** The service's settings, resolved from the validated environment. Holds secrets: never log it. */
export interface Settings {
  readonly port: number
  readonly host: string
  readonly dataDir: string
  readonly databaseUrl: string
  /** PostgreSQL connections in this instance's pool. */
  readonly databasePoolSize: number
  /** Names this instance in logs, metrics, `/api/instances`, the audit trail and the leases it holds. */
  readonly instanceId: string
  /** How long this instance owns its running executions and pending completions without renewing them. */
  readonly executionLeaseMs: number
  /** Economy mode (contract §3.1 `processing`): how its executions are gathered into provider batches, and how long they may wait. */
  readonly economy: {
    readonly batchWindowMs: number
    readonly batchMax: number
    readonly maxWaitMs: number
  }
  readonly publicUrl: string
  readonly logLevel: string
  readonly hubspot: {
    readonly clientSecret?: string
    readonly clientId?: string
    readonly appId?: string
    readonly developerApiKey?: string
    readonly apiBaseUrl: string
    readonly oauthScopes: string
    /** HUBSPOT_SIGNATURE_V2: whether requests signed with v2 only (no timestamp, so replayable) are accepted. */
    readonly acceptV2Signatures: boolean
    /** Which actions API paths callback completion and `publish` use: `2026-09`, `2026-03`, or `v4` (legacy apps). */
    readonly actionsApiVersion: Env['HUBSPOT_ACTIONS_API_VERSION']
  }
  readonly encryptionKeys: readonly KeyringKey[]
  readonly adminToken: string
  /** METRICS_TOKEN: the bearer token `GET /metrics` needs; undefined leaves it open (a scraper on a private network). */
  readonly metricsToken?: string
  /** Operator base URL per built-in provider id. */
  readonly providerBaseUrls: Readonly<Record<string, string | undefined>>
  readonly allowedProviderHosts: readonly string[]
  readonly providerPackages: readonly string[]
  readonly syncBudgetMs: number
  readonly providerTimeoutMs: number
  readonly rateLimitPerPortal: number
  readonly maxInFlight: number
  readonly storePrompts: boolean
  /** PRICES_FILE: USD per million tokens by provider and model, winning over the bundled price table. */
  readonly priceOverrides: PriceOverrides
  /** Provider calls running at once per connection; more wait in a queue of at most `providerQueueLimit`. */
  readonly providerConcurrency: number
  readonly providerQueueLimit: number
  /** How long a graceful shutdown waits for running provider calls before leaving them to the next start. */
  readonly shutdownGraceMs: number
  /** Where generated secrets were written on this boot, if they were (logged, never their values). */
  readonly generatedSecretsFile?: string
}

export class SettingsError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'SettingsError'
  }
}

export function resolveSettings (env: Env): Settings {
  const dataDir = isAbsolute(env.DATA_DIR) ? env.DATA_DIR : resolve(env.DATA_DIR)
  const databaseUrl = env.DATABASE_URL ?? `sqlite:${join(dataDir, 'app.db')}`
  if (!isPostgresUrl(databaseUrl) && !databaseUrl.startsWith('sqlite:')) {
    throw new SettingsError(`DATABASE_URL must be sqlite:<file>, postgres://… or postgresql://…, got "${redactedUrl(databaseUrl)}"`)
  }
  const needsGenerated = env.ADMIN_TOKEN === undefined || (env.ENCRYPTION_KEY === undefined && env.ENCRYPTION_KEYS === undefined)
  // Instances sharing a PostgreSQL database must share their secrets, so none is generated into one machine's folder.
  if (needsGenerated && isPostgresUrl(databaseUrl)) {
    const missing = env.ENCRYPTION_KEY === undefined && env.ENCRYPTION_KEYS === undefined ? 'ENCRYPTION_KEY (or ENCRYPTION_KEYS)' : 'ADMIN_TOKEN'
    throw new SettingsError(`${missing} must be set when DATABASE_URL is PostgreSQL: every instance must use the same secrets, so none is generated`)
  }
  const generated = needsGenerated ? loadOrCreateSecrets(dataDir) : undefined

  let encryptionKeys: KeyringKey[]
  try {
    encryptionKeys = parseKeyring({
      ENCRYPTION_KEY: env.ENCRYPTION_KEY ?? (env.ENCRYPTION_KEYS === undefined ? generated?.secrets.ENCRYPTION_KEY : undefined),
      ENCRYPTION_KEYS: env.ENCRYPTION_KEYS
    })
  } catch (error) {
    throw new SettingsError((error as Error).message)
  }

  let priceOverrides: PriceOverrides = {}
  try {
    if (env.PRICES_FILE !== undefined) priceOverrides = readPriceOverrides(env.PRICES_FILE)
  } catch (error) {
    throw new SettingsError((error as Error).message)
  }

  return {
    port: env.PORT,
    host: env.HOST,
    dataDir,
    databaseUrl,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    // Host name and process id by default: a restarted process is a new instance, and the old one's leases run out.
    instanceId: env.INSTANCE_ID ?? `${hostname()}-${process.pid}`.slice(0, 100),
    executionLeaseMs: env.EXECUTION_LEASE_MS,
    economy: { batchWindowMs: env.ECONOMY_BATCH_WINDOW_MS, batchMax: env.ECONOMY_BATCH_MAX, maxWaitMs: env.ECONOMY_MAX_WAIT_MS },
    publicUrl: httpUrl('PUBLIC_URL', env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    logLevel: env.LOG_LEVEL,
    hubspot: {
      clientSecret: env.HUBSPOT_CLIENT_SECRET,
      clientId: env.HUBSPOT_CLIENT_ID,
      appId: env.HUBSPOT_APP_ID,
      developerApiKey: env.HUBSPOT_DEVELOPER_API_KEY,
      apiBaseUrl: httpUrl('HUBSPOT_API_BASE_URL', env.HUBSPOT_API_BASE_URL).replace(/\/+$/, ''),
      oauthScopes: env.HUBSPOT_OAUTH_SCOPES,
      acceptV2Signatures: env.HUBSPOT_SIGNATURE_V2,
      actionsApiVersion: env.HUBSPOT_ACTIONS_API_VERSION
    },
    encryptionKeys,
    adminToken: env.ADMIN_TOKEN ?? generated?.secrets.ADMIN_TOKEN ?? '',
    metricsToken: env.METRICS_TOKEN,
    providerBaseUrls: {
      openai: optionalUrl('OPENAI_BASE_URL', env.OPENAI_BASE_URL),
      anthropic: optionalUrl('ANTHROPIC_BASE_URL', env.ANTHROPIC_BASE_URL),
      cohere: optionalUrl('COHERE_BASE_URL', env.COHERE_BASE_URL),
      xai: optionalUrl('XAI_BASE_URL', env.XAI_BASE_URL),
      gemini: optionalUrl('GEMINI_BASE_URL', env.GEMINI_BASE_URL)
    },
    allowedProviderHosts: list(env.ALLOWED_PROVIDER_HOSTS).map(host => host.toLowerCase()),
    providerPackages: list(env.LLM_PROVIDER_PACKAGES),
    syncBudgetMs: env.SYNC_BUDGET_MS,
    providerTimeoutMs: env.PROVIDER_TIMEOUT_MS,
    rateLimitPerPortal: env.RATE_LIMIT_PER_PORTAL,
    maxInFlight: env.MAX_IN_FLIGHT,
    storePrompts: env.STORE_PROMPTS,
    priceOverrides,
    providerConcurrency: env.PROVIDER_CONCURRENCY,
    providerQueueLimit: env.PROVIDER_QUEUE_LIMIT,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    generatedSecretsFile: generated?.created === true ? generated.file : undefined
  }
}

function list (value: string | undefined): string[] {
  return (value ?? '').split(',').map(item => item.trim()).filter(item => item !== '')
}

function optionalUrl (name: string, value: string | undefined): string | undefined {
  return value === undefined ? undefined : httpUrl(name, value).replace(/\/+$/, '')
}

function httpUrl (name: string, value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new SettingsError(`${name} must be an absolute http(s) URL, got "${value}"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SettingsError(`${name} must use http or https, got "${url.protocol}"`)
  return value
}
