import type { StubFailures } from '../helpers/conformance-scenarios.ts'
import { startStubServer, type RecordedRequest, type StubHandler, type StubServer } from '../helpers/stub-server.ts'

export const ECHO_GOOD_KEY = 'echo-good-key-000000000000000000'

/** The echo vendor repeats a bad key in full in its 401 body: a provider must never pass that on. */
export const ECHO_FAILURES: StubFailures = {
  unauthorized: { status: 401, body: { message: 'key revoked' } },
  'rate-limited': { status: 429, headers: { 'retry-after': '1' }, body: { message: 'slow down' } },
  unavailable: { status: 502, body: { message: 'upstream down' } }
}

/** The made-up "echo" vendor the fixture provider package talks to: GET /key, GET /models, POST /echo. */
export async function startEchoStub (): Promise<StubServer> {
  const guarded = (handler: StubHandler): StubHandler => (request: RecordedRequest) => {
    const key = String(request.headers.authorization ?? '').replace(/^Bearer /, '')
    return key === ECHO_GOOD_KEY ? handler(request) : { status: 401, body: { message: `unknown key ${key}` } }
  }
  return await startStubServer({
    'GET /key': guarded(() => ({ body: { ok: true } })),
    'GET /models': guarded(() => ({ body: { models: [{ id: 'echo-1' }, { id: 'echo-2' }] } })),
    'POST /echo': guarded(request => ({
      body: { model: request.json?.model, text: `echo: ${String(request.json?.prompt)}`, usage: { input: 3, output: 4 } }
    }))
  })
}
