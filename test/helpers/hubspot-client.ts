import type { Test } from 'tap'
import { openDatabase } from '../../db/database.ts'
import { createRepositories, type Repositories } from '../../db/repositories/index.ts'
import { isAppError } from '../../plugins/errors.ts'
import { createKeyring, type Keyring } from '../../plugins/keyring/keyring.ts'
import { createHubSpotClient, DEFAULT_ACTIONS_API_VERSION, type ActionsApiVersion, type HubSpotApiError, type HubSpotClient } from '../../src/hubspot/index.ts'
import { HUBSPOT_STUB_CLIENT_ID, HUBSPOT_STUB_CLIENT_SECRET, HUBSPOT_STUB_DEVELOPER_KEY, startHubSpotStub, type HubSpotStub } from '../stubs/hubspot-stub.ts'

/** The HubSpot client against the loopback stub, with an in-memory database; shared by the tests of src/hubspot. */

export const PORTAL = 8675309
export const PUBLIC_URL = 'https://llm.example.test'
export const START = 1_760_000_000_000
export const MINUTE = 60_000

export interface ClientSetup {
  readonly stub: HubSpotStub
  readonly client: HubSpotClient
  readonly repositories: Repositories
  readonly keyring: Keyring
  /** Every log call, as JSON text. */
  readonly logs: string[]
  /** Messages collected by `failure` and `remember`, checked for secrets by `assertNothingLeaked`. */
  readonly messages: string[]
  readonly clock: { now: number }
  tokenRequests (grant: string): number
  /** Runs an install for PORTAL through the stub; returns the portal id the client reported. */
  install (portalId?: number): Promise<number>
  /** The AppError a call fails with; fails the test if it succeeds. */
  failure (run: Promise<unknown>): Promise<HubSpotApiError>
  /** Keeps a message the test saw (a completion answer's) for `assertNothingLeaked`. */
  remember (message: string): void
  /** Asserts that no token, code or the client secret is in any log line or message so far. */
  assertNothingLeaked (): void
}

export interface ClientSetupOptions {
  readonly hubIdInTokenResponse?: boolean
  readonly timeoutMs?: number
  readonly clientId?: string
  readonly actionsApiVersion?: ActionsApiVersion
}

export async function setupClient (t: Test, options: ClientSetupOptions = {}): Promise<ClientSetup> {
  const stub = await startHubSpotStub({ ...(options.hubIdInTokenResponse === undefined ? {} : { hubIdInTokenResponse: options.hubIdInTokenResponse }) })
  const database = openDatabase(':memory:')
  t.teardown(async () => {
    await stub.close()
    await database.close()
  })
  const repositories = createRepositories(database.driver)
  const keyring = createKeyring([{ id: 'test', key: Buffer.alloc(32, 9) }])
  const clock = { now: START }
  const logs: string[] = []
  const messages: string[] = []
  const logTo = (level: string) => (object: object, message?: string) => { logs.push(JSON.stringify({ level, ...object, message })) }
  const client = createHubSpotClient({
    settings: {
      publicUrl: PUBLIC_URL,
      hubspot: {
        clientId: options.clientId ?? HUBSPOT_STUB_CLIENT_ID,
        clientSecret: HUBSPOT_STUB_CLIENT_SECRET,
        developerApiKey: HUBSPOT_STUB_DEVELOPER_KEY,
        apiBaseUrl: stub.baseUrl,
        oauthScopes: 'oauth automation crm.objects.contacts.read',
        actionsApiVersion: options.actionsApiVersion ?? DEFAULT_ACTIONS_API_VERSION
      }
    },
    repositories,
    keyring,
    clock: () => clock.now,
    fetch: globalThis.fetch,
    log: { info: logTo('info'), warn: logTo('warn'), error: logTo('error') },
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs })
  })

  return {
    stub,
    client,
    repositories,
    keyring,
    logs,
    messages,
    clock,
    tokenRequests: grant => stub.oauthRequests().filter(request => request.path === '/oauth/v3/token' && new URLSearchParams(request.text).get('grant_type') === grant).length,
    async install (portalId = PORTAL) {
      const state = new URL(await client.installUrl()).searchParams.get('state') ?? ''
      const code = stub.issueAuthCode(portalId, { redirectUri: `${PUBLIC_URL}/oauth/callback` })
      return (await client.completeInstall(code, state)).portalId
    },
    async failure (run) {
      try {
        await run
      } catch (error) {
        if (!isAppError(error)) throw error
        messages.push(error.message)
        return error as HubSpotApiError
      }
      throw new Error('the call was expected to fail')
    },
    remember (message) {
      messages.push(message)
    },
    assertNothingLeaked () {
      const output = [...logs, ...messages].join('\n')
      const secrets = [...stub.issuedTokens(), HUBSPOT_STUB_CLIENT_SECRET, HUBSPOT_STUB_DEVELOPER_KEY, ...stub.state.oauth.codes.keys()]
      t.same(secrets.filter(secret => output.includes(secret)).map(secret => `${secret.slice(0, 16)}…`), [], 'no token, code or client secret in logs or messages')
      t.notMatch(output, /canary/)
      t.ok(logs.length + messages.length > 0, 'something was said')
    }
  }
}
