import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import Fastify, { type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import app, { type AppOptions } from '../../src/app.ts'
import { frameworkErrorHandler } from '../../src/error-handler.ts'
import { loggerOptions, requestIdOptions, requestLogController } from '../../src/logger-options.ts'
import { trustProxyOption } from '../../src/trust-proxy.ts'
import { sharedCluster } from './postgres-cluster.ts'
import { sharedSerializers } from './shared-serializers.ts'

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef'
export const TEST_CLIENT_SECRET = 'test-hubspot-client-secret-0000'
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64')
export const TEST_PUBLIC_URL = 'https://llm.example.test'

export interface TestApp {
  readonly app: FastifyInstance
  /** Every log line written so far (JSON text). */
  readonly logs: string[]
  readonly dataDir: string
  /** `Authorization` header for the admin API. */
  readonly admin: { authorization: string }
}

interface TapLike { teardown (fn: () => unknown): void }

/** The settings every test service starts from: its data directory, the test secrets, logging at info. */
export function testEnvironment (dataDir: string): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    HUBSPOT_CLIENT_SECRET: TEST_CLIENT_SECRET,
    PUBLIC_URL: TEST_PUBLIC_URL,
    LOG_LEVEL: 'info'
  }
}

export interface BuildAppOptions extends Omit<AppOptions, 'environment'> {
  /**
   * Boot on this existing data directory (to test a restart) instead of a fresh one. The caller owns it: it is
   * left in place when the app closes.
   */
  readonly dataDir?: string
}

/**
 * Which database test services run on: SQLite in their data folder, or with `LLM_ACTIONS_TEST_DATABASE=postgres`
 * (set by the PostgreSQL runs of the engine and route suites) a fresh database of this test run's cluster.
 */
export const TEST_DATABASE: 'sqlite' | 'postgres' = process.env.LLM_ACTIONS_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite'

/**
 * The DATABASE_URL a test service in `dataDir` uses on PostgreSQL: its own database, created on the first boot
 * and remembered in the folder, so a test that restarts the service on the same folder finds its data again.
 */
async function postgresUrlFor (dataDir: string): Promise<string> {
  const remembered = join(dataDir, 'postgres-url')
  if (existsSync(remembered)) return readFileSync(remembered, 'utf8')
  const url = await (await sharedCluster()).createDatabase()
  writeFileSync(remembered, url)
  return url
}

/** The settings a test service starts from on the database this run tests. */
export async function testDatabaseEnvironment (dataDir: string): Promise<Record<string, string>> {
  return TEST_DATABASE === 'postgres' ? { DATABASE_URL: await postgresUrlFor(dataDir) } : {}
}

/**
 * Builds the real app as `server.ts` does (fp(app) on a bare Fastify) with its own data directory and a log
 * stream the test can read. Settings are passed explicitly; process.env is never read.
 */
export async function buildApp (t: TapLike, environment: Record<string, string | undefined> = {}, buildOptions: BuildAppOptions = {}): Promise<TestApp> {
  const { dataDir: givenDataDir, ...options } = buildOptions
  const dataDir = givenDataDir ?? mkdtempSync(join(tmpdir(), 'llm-actions-test-'))
  const logs: string[] = []
  const stream = new Writable({ write (chunk, _encoding, done) { logs.push(String(chunk)); done() } })
  const fastify = Fastify({ logger: { ...loggerOptions('info'), stream }, logController: requestLogController(), ...requestIdOptions(), frameworkErrors: frameworkErrorHandler, trustProxy: trustProxyOption(environment.TRUST_PROXY), schemaController: sharedSerializers })
  await fastify.register(fp(app), {
    ...options,
    environment: { ...testEnvironment(dataDir), ...await testDatabaseEnvironment(dataDir), ...environment }
  })
  await fastify.ready()
  t.teardown(async () => {
    await fastify.close()
    if (givenDataDir === undefined) rmSync(dataDir, { recursive: true, force: true })
  })
  return { app: fastify, logs, dataDir, admin: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } }
}
