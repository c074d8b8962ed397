import t from 'tap'
import { BUILTIN_PROVIDERS } from '../../providers/builtin.ts'
import { buildProvider, signal } from '../helpers/provider-context.ts'
import { startStubServer } from '../helpers/stub-server.ts'
import { REDIRECT_QUERY_SECRET, startRedirectingServer } from '../stubs/redirect-stub.ts'

/** The form each SDK takes its base URL in: with the API version segment, or the bare origin. */
const BASE_PATH: Readonly<Record<string, string>> = { openai: '/v1', xai: '/v1', 'openai-compatible': '/v1', anthropic: '', cohere: '', gemini: '' }

t.test('no provider follows a redirect: every call fails PROVIDER_REJECTED and the target is never reached', async t => {
  const internal = await startStubServer()
  t.teardown(() => internal.close())
  for (const status of [307, 302, 301]) {
    const redirecting = await startRedirectingServer(internal.origin, status)
    t.teardown(() => redirecting.close())
    for (const definition of BUILTIN_PROVIDERS) {
      const baseUrl = `${redirecting.origin}${BASE_PATH[definition.id] ?? ''}`
      const provider = buildProvider(definition, { baseUrl })
      const credentials = { apiKey: 'sk-redirect-test-key-000000000000', baseUrl }
      const calls = {
        validateKey: () => provider.validateKey(credentials, { signal: signal() }),
        listModels: () => provider.listModels(credentials, { signal: signal() }),
        invoke: () => provider.invoke({ ...credentials, modelId: provider.models[0]?.id ?? 'model', prompt: 'x', signal: signal() })
      }
      for (const [name, call] of Object.entries(calls)) {
        const before = redirecting.requests.length
        const error = await call().then(() => undefined, (thrown: unknown) => thrown as { code?: string, status?: number, message?: string })
        t.match(error, { code: 'PROVIDER_REJECTED', status }, `${definition.id} ${name} after HTTP ${status}`)
        t.notMatch(error?.message ?? '', REDIRECT_QUERY_SECRET, `${definition.id} ${name}: the redirect target is not quoted`)
        t.ok(redirecting.requests.length > before, `${definition.id} ${name} asked the allowed host`)
      }
    }
  }
  t.same(internal.requests.map(request => request.url), [], 'the redirect target was never called')
})
