import type { Test } from 'tap'
import type { ActionContext } from '../../src/actions/action-context.ts'
import { actionContext } from '../../src/app-action-context.ts'
import { ANTHROPIC_GOOD_KEY, startAnthropicStub, type AnthropicStub } from '../stubs/anthropic-stub.ts'
import { OPENAI_GOOD_KEY, startOpenAIStub, type OpenAIStub } from '../stubs/openai-stub.ts'
import { buildApp, type TestApp } from './build-app.ts'

export interface ConnectedContext {
  readonly built: TestApp
  readonly context: ActionContext
  readonly openai: OpenAIStub
  readonly anthropic: AnthropicStub
}

/**
 * The real services (database, keyring, providers) as the engine's steps get them, with OpenAI and Anthropic
 * connected for `portalId` against loopback stubs. Each call gets its own app, stubs and data directory.
 */
export async function connectedContext (t: Test, portalId: number): Promise<ConnectedContext> {
  const openai = await startOpenAIStub()
  const anthropic = await startAnthropicStub()
  t.teardown(async () => { await openai.close(); await anthropic.close() })
  const built = await buildApp(t, { OPENAI_BASE_URL: openai.baseUrl, ANTHROPIC_BASE_URL: anthropic.baseUrl })
  for (const [provider, apiKey] of [['openai', OPENAI_GOOD_KEY], ['anthropic', ANTHROPIC_GOOD_KEY]] as const) {
    const connect = await built.app.inject({ method: 'PUT', url: `/api/portals/${portalId}/connections/${provider}`, headers: built.admin, payload: { apiKey } })
    if (connect.statusCode !== 201) throw new Error(`connecting ${provider} failed: ${connect.body}`)
  }
  return { built, context: actionContext(built.app), openai, anthropic }
}
