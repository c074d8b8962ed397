import type { Test } from 'tap'
import type { AppOptions } from '../../src/app.ts'
import { buildApp, TEST_CLIENT_SECRET, type TestApp } from './build-app.ts'
import { executionBody, signedHeaders } from './hubspot-request.ts'
import { HUBSPOT_STUB_CLIENT_ID, startHubSpotStub, type HubSpotStub } from '../stubs/hubspot-stub.ts'
import { OPENAI_GOOD_KEY, openAIResponse, startOpenAIStub, type OpenAIStub, type OpenAIStubOptions } from '../stubs/openai-stub.ts'

export type InjectResponse = Awaited<ReturnType<TestApp['app']['inject']>>

export const PORTAL = 70707
export const EXECUTE_PATH = '/hubspot/actions/custom-llm'

export interface DurableSetup extends TestApp {
  readonly openai: OpenAIStub
  readonly hubspot: HubSpotStub
  /** Milliseconds the OpenAI stub waits before each answer; change it at any time. */
  providerDelayMs: number
  /** POSTs a signed execution; resolves with the HTTP response. */
  execute (body: Record<string, unknown>): Promise<InjectResponse>
  /** A fresh "Use a custom LLM" body with a new callbackId. */
  body (inputs?: Record<string, string>): Record<string, unknown>
  /** Installs the app for the portal through the real OAuth routes and the stub's consent. */
  install (portalId?: number): Promise<void>
  /**
   * A restart of the process: closes this app, runs `whileStopped`, and starts a new app on the same data directory,
   * settings and stubs (the connection and the install are in the database already). Use the returned setup after.
   */
  restart (whileStopped?: () => unknown): Promise<DurableSetup>
}

/**
 * The real app against a loopback OpenAI (answering "Answer to <prompt>" after `providerDelayMs`) and a loopback
 * HubSpot (OAuth, callback API), with PORTAL connected to OpenAI. Settings are the test's to choose.
 */
export async function durableSetup (t: Test, environment: Record<string, string> = {}, options: { install?: boolean, clock?: AppOptions['clock'], setTimer?: AppOptions['setTimer'], openai?: OpenAIStubOptions, extraProviders?: AppOptions['extraProviders'] } = {}): Promise<DurableSetup> {
  const openai = await startOpenAIStub(options.openai)
  const hubspot = await startHubSpotStub({ clientSecret: TEST_CLIENT_SECRET })
  t.teardown(async () => { await openai.close(); await hubspot.close() })
  const settings = {
    OPENAI_BASE_URL: openai.baseUrl,
    HUBSPOT_CLIENT_ID: HUBSPOT_STUB_CLIENT_ID,
    HUBSPOT_API_BASE_URL: hubspot.baseUrl,
    SYNC_BUDGET_MS: '300',
    ...environment
  }
  const appOptions = {
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.setTimer === undefined ? {} : { setTimer: options.setTimer }),
    ...(options.extraProviders === undefined ? {} : { extraProviders: options.extraProviders })
  }
  // Shared by every app of this setup (restarts included): the stub reads it at each answer.
  const stubState = { providerDelayMs: 0 }
  const around = (built: TestApp): DurableSetup => ({
    ...built,
    openai,
    hubspot,
    get providerDelayMs () { return stubState.providerDelayMs },
    set providerDelayMs (delayMs: number) { stubState.providerDelayMs = delayMs },
    async execute (body) {
      const payload = JSON.stringify(body)
      return await built.app.inject({ method: 'POST', url: EXECUTE_PATH, headers: signedHeaders('POST', EXECUTE_PATH, payload), payload })
    },
    body (inputs = {}) {
      return executionBody(PORTAL, { provider: 'openai', model: 'gpt-4.1', prompt: 'Say hi to {{firstname}}', ...inputs })
    },
    async install (portalId = PORTAL) {
      const start = await built.app.inject({ url: '/oauth/install' })
      const state = new URL(String(start.headers.location)).searchParams.get('state') ?? ''
      const code = hubspot.issueAuthCode(portalId, { scopes: ['oauth', 'automation'] })
      const callback = await built.app.inject({ url: `/oauth/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}` })
      if (callback.statusCode !== 200) throw new Error(`install failed: ${callback.statusCode} ${callback.body}`)
    },
    async restart (whileStopped) {
      await built.app.close()
      await whileStopped?.()
      return around(await buildApp(t, settings, { ...appOptions, dataDir: built.app.config.dataDir }))
    }
  })
  const setup = around(await buildApp(t, settings, appOptions))
  openai.on('POST /v1/responses', openai.guarded(request => ({
    body: openAIResponse(`Answer to ${String(request.json?.input).slice(0, 80)}`, { model: request.json?.model }),
    delayMs: stubState.providerDelayMs
  })))
  const connect = await setup.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai`, headers: setup.admin, payload: { apiKey: OPENAI_GOOD_KEY } })
  if (connect.statusCode !== 201) throw new Error(`connect failed: ${connect.body}`)
  if (options.install !== false) await setup.install()
  return setup
}

/** Resolves once `check` holds, polling every 20 ms; rejects after `timeoutMs` with `what`. */
export async function eventually (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!await check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}
