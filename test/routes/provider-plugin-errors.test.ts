import t from 'tap'
import leaky from '../fixtures/provider-plugin-throwing/index.ts'
import { buildApp } from '../helpers/build-app.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'

const PATH = '/hubspot/actions/custom-llm'
const url = '/api/portals/77/connections/leaky'
const THROWING_KEY = 'lk-canary-validate-throws-5e8a2c9f1d'
const KEY = 'lk-canary-plugin-key-b7d41f9e03a6'

t.test('what a plugin throws is wrapped before it is logged or answered: class name and a scrubbed message only', async t => {
  const built = await buildApp(t, { SYNC_BUDGET_MS: '200' }, { extraProviders: [{ definition: leaky, origin: 'test leaky' }] })
  const bodies: string[] = []

  const refused = await built.app.inject({ method: 'PUT', url, headers: built.admin, payload: { apiKey: THROWING_KEY } })
  bodies.push(refused.body)
  t.equal(refused.json().code, 'PROVIDER_UNAVAILABLE', refused.body)
  t.match(refused.json().message, /^Leaky \(test fixture\) failed unexpectedly/)
  t.same((await built.app.inject({ url: '/api/portals/77/connections', headers: built.admin })).json(), { items: [] }, 'nothing stored')

  const connected = await built.app.inject({ method: 'PUT', url, headers: built.admin, payload: { apiKey: KEY } })
  t.equal(connected.statusCode, 201, connected.body)
  bodies.push((await built.app.inject({ url: `${url}/models`, headers: built.admin })).body)
  const payload = JSON.stringify(executionBody(77, { provider: 'leaky', model: 'leaky-1', prompt: 'Say hi' }))
  const executed = await built.app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
  bodies.push(executed.body)
  t.not(executed.json().outputFields?.hs_execution_state, 'SUCCESS')
  await built.app.close()

  const logs = built.logs.join('\n')
  const reported = built.logs.map(line => JSON.parse(line) as Record<string, unknown>).filter(line => line.errorClass !== undefined)
  t.ok(reported.length > 0, 'the plugin\'s failure is reported')
  t.ok(reported.every(line => line.errorClass === 'LeakyHttpError' && line.provider === 'leaky'), 'by class name and provider')
  for (const secret of [THROWING_KEY, KEY]) {
    for (const form of [secret, secret.toUpperCase(), secret.slice(-12)]) {
      t.notOk(logs.includes(form), `${form} is in no log line`)
      t.notOk(bodies.some(body => body.includes(form)), `${form} is in no response`)
    }
  }
  t.notMatch(logs, /Bearer|"config"|"stack"/, 'the error object itself is never logged')
})
