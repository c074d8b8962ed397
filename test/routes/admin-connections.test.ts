import t from 'tap'
import { buildApp } from '../helpers/build-app.ts'
import { OPENAI_GOOD_KEY, startOpenAIStub } from '../stubs/openai-stub.ts'

const SECOND_KEY = 'sk-test-openai-second-key-1111111111111111'

t.test('admin connections API', async t => {
  const stub = await startOpenAIStub({ goodKeys: [OPENAI_GOOD_KEY, SECOND_KEY] })
  t.teardown(() => stub.close())
  const { app, admin } = await buildApp(t, { OPENAI_BASE_URL: stub.baseUrl, ALLOWED_PROVIDER_HOSTS: 'proxy.internal.example' })
  const url = '/api/portals/77/connections/openai'

  t.test('every admin route needs the bearer token', async t => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-wrong-token' }, { authorization: 'Basic abc' }]) {
      const response = await app.inject({ method: 'GET', url: '/api/providers', headers })
      t.equal(response.statusCode, 401)
      t.equal(response.json().code, 'UNAUTHORIZED')
    }
  })

  t.test('providers list the built-ins with models and capabilities', async t => {
    const response = await app.inject({ url: '/api/providers', headers: admin })
    const openai = response.json().items.find((provider: { id: string }) => provider.id === 'openai')
    t.same(openai.hosts, ['api.openai.com'])
    t.ok(openai.models.length > 0)
    t.type(openai.models[0].capabilities.reasoningEfforts, Array)
  })

  t.test('a rejected key is 422 INVALID_API_KEY and nothing is stored', async t => {
    const response = await app.inject({ method: 'PUT', url, headers: admin, payload: { apiKey: 'sk-not-a-valid-key-000000000000' } })
    t.equal(response.statusCode, 422)
    t.equal(response.json().code, 'INVALID_API_KEY')
    t.same((await app.inject({ url: '/api/portals/77/connections', headers: admin })).json(), { items: [] })
    t.same((await app.repositories.connections.auditTrail(77)), [])
    t.same((await app.inject({ url: '/api/portals', headers: admin })).json(), { items: [] })
  })

  t.test('bad input is 400 INVALID_INPUT naming the field', async t => {
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['PUT', url, {}, /apiKey/],
      ['PUT', url, { apiKey: '' }, /apiKey/],
      ['PUT', url, { apiKey: 'x', extra: 1 }, /body.extra Unexpected property/],
      ['PUT', '/api/portals/abc/connections/openai', { apiKey: 'x' }, /portalId/],
      ['PUT', '/api/portals/0/connections/openai', { apiKey: 'x' }, /portalId/],
      ['PUT', '/api/portals/77/connections/Open_AI', { apiKey: 'x' }, /provider/],
      ['PUT', `${url}/allowed-models`, { models: 'gpt-4.1' }, /models/]
    ]
    for (const [method, path, payload, field] of cases) {
      const response = await app.inject({ method: method as 'PUT', url: path, headers: admin, payload: payload as object })
      t.equal(response.statusCode, 400, `${path} ${JSON.stringify(payload)}`)
      t.equal(response.json().code, 'INVALID_INPUT')
      t.match(response.json().message, field)
    }
    const notJson = await app.inject({ method: 'PUT', url, headers: { ...admin, 'content-type': 'application/json' }, payload: '{nope' })
    t.equal(notJson.statusCode, 400)
    t.equal(notJson.json().code, 'INVALID_INPUT')
  })

  t.test('unknown provider is 404 PROVIDER_UNKNOWN listing the installed ones', async t => {
    const response = await app.inject({ method: 'PUT', url: '/api/portals/77/connections/mistral', headers: admin, payload: { apiKey: 'x' } })
    t.equal(response.statusCode, 404)
    t.equal(response.json().code, 'PROVIDER_UNKNOWN')
    t.match(response.json().message, /openai/)
  })

  t.test('a base URL outside the provider\'s hosts and ALLOWED_PROVIDER_HOSTS is refused before any request', async t => {
    const before = stub.requests.length
    for (const baseUrl of ['http://169.254.169.254/latest', 'http://127.0.0.1:8080/v1', 'https://evil.example/v1', 'http://user:pw@api.openai.com/v1']) {
      const response = await app.inject({ method: 'PUT', url, headers: admin, payload: { apiKey: OPENAI_GOOD_KEY, baseUrl } })
      t.ok([400, 422].includes(response.statusCode), baseUrl)
      t.match(response.json().code, /BASE_URL_NOT_ALLOWED|INVALID_INPUT/)
    }
    t.equal(stub.requests.length, before, 'nothing was called')
  })

  t.test('connect, list, switch the key, set an allowlist, disconnect; every change audited', async t => {
    const connected = await app.inject({ method: 'PUT', url, headers: admin, payload: { apiKey: OPENAI_GOOD_KEY } })
    t.equal(connected.statusCode, 201)
    t.match(connected.json(), { provider: 'openai', keyHint: OPENAI_GOOD_KEY.slice(-4), status: 'connected', allowedModels: null })
    t.notMatch(connected.body, OPENAI_GOOD_KEY)

    const models = await app.inject({ url: `${url}/models`, headers: admin })
    t.equal(models.json().source, 'live')
    t.same(models.json().items.map((model: { id: string }) => model.id), ['gpt-7-preview', 'gpt-5.4', 'gpt-4.1'])

    const allowed = await app.inject({ method: 'PUT', url: `${url}/allowed-models`, headers: admin, payload: { models: ['gpt-4.1', 'gpt-4.1', ' '] } })
    t.same(allowed.json().allowedModels, ['gpt-4.1'])
    t.same((await app.inject({ url: `${url}/models`, headers: admin })).json().items.map((model: { id: string }) => model.id), ['gpt-4.1'])
    t.same((await app.inject({ url: `${url}/models?all=true`, headers: admin })).json().items.map((model: { id: string }) => model.id), ['gpt-7-preview', 'gpt-5.4', 'gpt-4.1'], 'all=true: the whole live list to choose the allowlist from')
    await app.inject({ method: 'PUT', url: `${url}/allowed-models`, headers: admin, payload: { models: ['gpt-4.1', 'ft:gpt-4.1:acme'] } })
    t.same((await app.inject({ url: `${url}/models?all=true`, headers: admin })).json().items.map((model: { id: string }) => model.id), ['gpt-7-preview', 'gpt-5.4', 'gpt-4.1', 'ft:gpt-4.1:acme'], 'an allowed model the list lacks is still there')
    await app.inject({ method: 'PUT', url: `${url}/allowed-models`, headers: admin, payload: { models: ['gpt-4.1'] } })

    const switched = await app.inject({ method: 'PUT', url, headers: admin, payload: { apiKey: SECOND_KEY } })
    t.equal(switched.statusCode, 200)
    t.equal(switched.json().keyHint, SECOND_KEY.slice(-4))
    t.same(switched.json().allowedModels, ['gpt-4.1'], 'switching the key keeps the allowlist')
    t.equal((await app.inject({ url: '/api/portals/77/connections', headers: admin })).json().items.length, 1, 'one connection per provider')

    t.same((await app.inject({ method: 'PUT', url: `${url}/allowed-models`, headers: admin, payload: { models: null } })).json().allowedModels, null)
    t.same((await app.inject({ url: '/api/portals', headers: admin })).json().items.map((portal: { portalId: number }) => portal.portalId), [77])

    t.equal((await app.inject({ method: 'DELETE', url, headers: admin })).statusCode, 204)
    t.same((await app.inject({ url: '/api/portals/77/connections', headers: admin })).json(), { items: [] })
    const gone = await app.inject({ method: 'DELETE', url, headers: admin })
    t.equal(gone.statusCode, 404)
    t.equal(gone.json().code, 'PROVIDER_NOT_CONNECTED')
    t.same((await app.repositories.connections.auditTrail(77)).map(event => event.action), ['connect', 'allowed_models', 'allowed_models', 'allowed_models', 'switch_key', 'allowed_models', 'disconnect'])
  })

  t.test('models fall back to the curated list while the live list cannot be fetched', async t => {
    await app.inject({ method: 'PUT', url, headers: admin, payload: { apiKey: OPENAI_GOOD_KEY } })
    stub.on('GET /v1/models', { status: 503, body: { error: { message: 'down' } } })
    const models = await app.inject({ url: `${url}/models`, headers: admin })
    t.equal(models.statusCode, 200)
    t.equal(models.json().source, 'curated')
    t.ok(models.json().items.some((model: { id: string }) => model.id === 'gpt-5.4'))
  })
})
