import t, { type Test } from 'tap'
import { buildActionDefinitions, type ActionDefinitionEntry } from '../../src/actions/definitions/build-definitions.ts'
import { publishDefinitions } from '../../src/actions/publish-definitions.ts'
import { run } from '../../src/cli/publish.ts'
import { createHubSpotDefinitions, createHubSpotHttp, DEFAULT_ACTIONS_API_VERSION, HubSpotApiError, type ActionsApiVersion } from '../../src/hubspot/index.ts'
import { HUBSPOT_STUB_APP_ID, HUBSPOT_STUB_DEVELOPER_KEY, hubSpotError, startHubSpotStub, type HubSpotStub } from '../stubs/hubspot-stub.ts'

const PROVIDERS = [{ id: 'openai', label: 'OpenAI' }]
const definitionsFor = (publicUrl: string): ActionDefinitionEntry[] => buildActionDefinitions({ publicUrl, providers: PROVIDERS })
/** The definitions collection of the stub's app under each API version. */
const COLLECTION: Readonly<Record<ActionsApiVersion, string>> = {
  '2026-09': `/automation/actions/2026-09/${HUBSPOT_STUB_APP_ID}`,
  '2026-03': `/automation/actions/2026-03/${HUBSPOT_STUB_APP_ID}`,
  v4: `/automation/v4/actions/${HUBSPOT_STUB_APP_ID}`
}

interface PublishOverrides {
  readonly apiBaseUrl?: string
  readonly appId?: string | number
  readonly developerApiKey?: string
  readonly definitions?: readonly ActionDefinitionEntry[]
}

async function setup (t: Test, options: { maxPageSize?: number, actionsApiVersion?: ActionsApiVersion } = {}) {
  const stub = await startHubSpotStub(options)
  t.teardown(() => stub.close())
  const lines: string[] = []
  const actionsApiVersion = options.actionsApiVersion ?? DEFAULT_ACTIONS_API_VERSION
  const publish = (overrides: PublishOverrides = {}) => {
    const developerApiKey = overrides.developerApiKey ?? HUBSPOT_STUB_DEVELOPER_KEY
    const http = createHubSpotHttp({ apiBaseUrl: overrides.apiBaseUrl ?? stub.baseUrl, fetch: globalThis.fetch, secrets: [developerApiKey] })
    return publishDefinitions({
      hubspot: createHubSpotDefinitions({ http, developerApiKey, actionsApiVersion }),
      appId: overrides.appId ?? HUBSPOT_STUB_APP_ID,
      definitions: overrides.definitions ?? definitionsFor('https://llm.one.example'),
      log: line => lines.push(line)
    })
  }
  return { stub, lines, publish, collection: COLLECTION[actionsApiVersion] }
}

/** The error a publish run fails with; fails the test if it succeeds. */
async function failure (run: Promise<unknown>): Promise<HubSpotApiError> {
  try {
    await run
  } catch (error) {
    if (error instanceof HubSpotApiError) return error
    throw error
  }
  throw new Error('publish was expected to fail')
}

function storedUrls (stub: HubSpotStub): string[] {
  return [...stub.state.definitions.values()].map(definition => definition.actionUrl)
}

for (const version of ['2026-09', '2026-03', 'v4'] as const) {
  t.test(`${version}: first run creates both, a re-run changes nothing, a new PUBLIC_URL updates both`, async t => {
    const { stub, publish, lines, collection } = await setup(t, { actionsApiVersion: version })

    const first = await publish()
    t.same(first.map(result => [result.key, result.action]), [['custom-llm', 'created'], ['openai-assistant', 'created']])
    t.same(first.map(result => result.definitionId), [...stub.state.definitions.keys()])
    t.same(storedUrls(stub), ['https://llm.one.example/hubspot/actions/custom-llm', 'https://llm.one.example/hubspot/actions/openai-assistant'])
    const creates = stub.definitionWrites()
    t.same(creates.map(request => `${request.method} ${request.path}`), [`POST ${collection}`, `POST ${collection}`])
    for (const request of stub.requests) {
      t.equal(request.query.get('hapikey'), HUBSPOT_STUB_DEVELOPER_KEY, 'developer key sent as hapikey, as the SDK does')
    }
    t.match(creates[0]?.headers['content-type'], /application\/json/)
    t.same(creates[0]?.json, JSON.parse(JSON.stringify(definitionsFor('https://llm.one.example')[0]?.definition)), 'the body is our definition, nothing dropped or added')
    t.match(stub.requests[0]?.url, /limit=\d+/, 'the list asks for a page size')
    t.match(lines[0], `has 0 action definitions (actions API ${version})`)

    const writesBefore = stub.definitionWrites().length
    const second = await publish()
    t.same(second, first.map(result => ({ ...result, action: 'unchanged' })))
    t.equal(stub.definitionWrites().length, writesBefore, 'no writes when nothing changed')

    const third = await publish({ definitions: definitionsFor('https://llm.two.example') })
    t.same(third.map(result => [result.action, result.definitionId]), first.map(result => ['updated', result.definitionId]), 'same ids, updated')
    const patches = stub.definitionWrites().slice(writesBefore)
    t.same(patches.map(request => `${request.method} ${request.path}`), first.map(result => `PATCH ${collection}/${result.definitionId}`))
    t.notOk('functions' in (patches[0]?.json ?? {}), 'functions are not patched')
    t.equal(patches[0]?.json.published, true)
    t.same(storedUrls(stub), ['https://llm.two.example/hubspot/actions/custom-llm', 'https://llm.two.example/hubspot/actions/openai-assistant'])
    t.same([...stub.state.definitions.values()].map(definition => definition.revisionId), ['2', '2'])

    const fourth = await publish({ definitions: definitionsFor('https://llm.two.example') })
    t.same(fourth.map(result => result.action), ['unchanged', 'unchanged'])

    const one = `${stub.baseUrl}${collection}/${first[0]?.definitionId}`
    const read = await fetch(`${one}?hapikey=${HUBSPOT_STUB_DEVELOPER_KEY}`)
    t.match(await read.json(), { id: first[0]?.definitionId, revisionId: '2', actionUrl: 'https://llm.two.example/hubspot/actions/custom-llm' }, 'the stub reads one definition')
    t.equal((await fetch(one)).status, 401, 'the stub wants the developer key')
    t.ok(stub.requests.every(request => request.path.startsWith(collection)), `only ${version} paths were used`)
  })
}

t.test('a changed label or field also updates, only the action that changed', async t => {
  const { stub, publish } = await setup(t)
  await publish()
  const definitions = definitionsFor('https://llm.one.example')
  const [custom, assistant] = definitions
  if (custom === undefined || assistant === undefined) throw new Error('two definitions expected')
  const changed = { ...custom, definition: { ...custom.definition, objectTypes: ['CONTACT'] } }
  const results = await publish({ definitions: [changed, assistant] })
  t.same(results.map(result => result.action), ['updated', 'unchanged'])
  t.same(stub.definitionWrites().at(-1)?.json.objectTypes, ['CONTACT'])
})

t.test('existing definitions are found across pages, by actionUrl path only', async t => {
  const { stub, publish } = await setup(t, { maxPageSize: 2 })
  const other = definitionsFor('https://other.example')[0]?.definition
  for (const path of ['/somebody-else', '/hubspot/actions/custom-llm/options', '/x', '/y']) {
    stub.seedDefinition({ ...other, actionUrl: `https://other.example${path}` })
  }
  stub.seedDefinition({ ...other, actionUrl: 'not a url' })
  const [custom, assistant] = definitionsFor('https://llm.one.example')
  stub.seedDefinition(JSON.parse(JSON.stringify(custom?.definition)))
  stub.seedDefinition(JSON.parse(JSON.stringify({ ...assistant?.definition, actionUrl: 'https://old-host.example/hubspot/actions/openai-assistant/' })))

  const results = await publish()
  t.same(results.map(result => result.action), ['unchanged', 'updated'])
  const lists = stub.requests.filter(request => request.method === 'GET')
  t.equal(lists.length, 4, 'seven definitions in pages of two')
  t.same(lists.map(request => request.query.get('after')), [null, '2', '4', '6'])
  t.equal(stub.definitionWrites().length, 1, 'only the moved one is written')
  t.equal(stub.state.definitions.size, 7, 'nothing created')
})

t.test('duplicates: the first is updated, the others named in a warning', async t => {
  const { stub, publish, lines } = await setup(t)
  const [custom] = definitionsFor('https://llm.one.example')
  const first = stub.seedDefinition(JSON.parse(JSON.stringify(custom?.definition)))
  const second = stub.seedDefinition(JSON.parse(JSON.stringify(custom?.definition)))
  const results = await publish()
  t.same(results[0], { key: 'custom-llm', action: 'unchanged', definitionId: first.id })
  t.ok(lines.some(line => line.includes('warning') && line.includes(second.id)))
})

t.test('HubSpot errors are clear and never carry the developer key', async t => {
  const { stub, publish, collection } = await setup(t)
  const canary = 'dev-key-canary-a1b2c3d4-should-never-appear'

  const unauthorized = await failure(publish({ developerApiKey: canary }))
  const message = unauthorized.message
  t.equal(unauthorized.status, 401)
  t.match(message, /401/)
  t.match(message, /The API key provided is invalid/)
  t.match(message, /HUBSPOT_DEVELOPER_API_KEY/)
  t.notMatch(message, /canary/)
  t.notMatch(JSON.stringify(unauthorized) + String(unauthorized.stack), /canary/)

  // Even when HubSpot echoes the key back (raw or in a URL), it is scrubbed.
  stub.once(`GET ${collection}`, hubSpotError(401, `Bad key ${canary} for https://api.hubapi.com/x?hapikey=${canary}`, 'INVALID_AUTHENTICATION'))
  const echoed = await failure(publish({ developerApiKey: canary }))
  t.match(echoed.message, /Bad key \[redacted\]/)
  t.notMatch(echoed.message, /canary/)

  stub.once(`GET ${collection}`, hubSpotError(500, 'internal error', 'INTERNAL_ERROR'))
  const failed = await failure(publish())
  t.equal(failed.status, 500)
  t.match(failed.message, /HubSpot refused to list the definitions of app \d+ via GET \/automation\/actions\/2026-09\/\d+ \(HTTP 500: internal error \(category INTERNAL_ERROR, correlation id [\w-]+\)\)/)
  t.equal(failed.category, 'INTERNAL_ERROR')
  t.notMatch(failed.message, /hapikey|canary/)
  t.equal(failed.code, 'HUBSPOT_API_ERROR')

  stub.once(`POST ${collection}`, hubSpotError(400, 'Invalid input JSON', 'VALIDATION_ERROR', { errors: [{ message: 'inputFields[0] is bad' }] }))
  const invalid = await failure(publish())
  t.match(invalid.message, /create custom-llm in app \d+ via POST .*\(HTTP 400: Invalid input JSON \(inputFields\[0\] is bad\)/)

  stub.once(`GET ${collection}`, { status: 502, body: '<html>Bad gateway</html>' })
  const gateway = await failure(publish())
  t.match(gateway.message, /HTTP 502: <html>Bad gateway<\/html>/)

  // HubSpot documents 201 on create; another 2xx (a proxy, a changed API) is reported, not taken for a definition.
  stub.once(`POST ${collection}`, { status: 200, body: { id: '1' } })
  const unexpected = await failure(publish())
  t.match(unexpected.message, /unexpected answer when asked to create custom-llm in app \d+ via POST \/automation\/actions\/2026-09\/\d+: HTTP 200 where 201 was expected/)

  stub.once(`POST ${collection}`, { status: 201, body: { name: 'no id' } })
  t.match((await failure(publish())).message, /definition without an id/)

  const loop = { body: { results: [], paging: { next: { after: 'same' } } } }
  stub.once(`GET ${collection}`, loop, loop)
  t.match((await failure(publish())).message, /repeated the page cursor "same"/)
})

t.test('HubSpot unreachable', async t => {
  const { stub, publish } = await setup(t)
  const origin = stub.baseUrl
  await stub.close()
  const error = await failure(publish({ apiBaseUrl: origin }))
  t.equal(error.status, 0)
  t.match(error.message, /HubSpot could not be reached .* when asked to list the definitions of app \d+ via GET \/automation\/actions\/2026-09\/\d+\./)
  t.notMatch(error.message, /canary/)
})

t.test('a bad app id is refused before any request', async t => {
  const { stub, publish } = await setup(t)
  await t.rejects(publish({ appId: 'abc' }), /app id must be a positive whole number/)
  t.equal(stub.requests.length, 0)
})

t.test('the publish command', async t => {
  const { stub } = await setup(t)
  const runWith = async (env: Record<string, string | undefined>, argv: string[] = []) => {
    const out: string[] = []
    const errors: string[] = []
    const code = await run(argv, { env, stdout: text => out.push(text), stderr: text => errors.push(text), fetch: globalThis.fetch })
    return { code, out: out.join(''), errors: errors.join('') }
  }
  const env = {
    HUBSPOT_APP_ID: String(HUBSPOT_STUB_APP_ID),
    HUBSPOT_DEVELOPER_API_KEY: HUBSPOT_STUB_DEVELOPER_KEY,
    PUBLIC_URL: 'https://llm.cli.example',
    HUBSPOT_API_BASE_URL: stub.baseUrl
  }

  const first = await runWith(env)
  t.equal(first.code, 0, first.errors)
  t.match(first.out, /^custom-llm: created \(definition \d+\)\nopenai-assistant: created \(definition \d+\)\n$/)
  const again = await runWith(env)
  t.match(again.out, /custom-llm: unchanged .*\nopenai-assistant: unchanged/)

  for (const name of ['HUBSPOT_APP_ID', 'HUBSPOT_DEVELOPER_API_KEY', 'PUBLIC_URL']) {
    const missing = await runWith({ ...env, [name]: undefined })
    t.equal(missing.code, 2, `${name} missing`)
    t.match(missing.errors, new RegExp(`^error: ${name} is not set`))
    t.equal(missing.errors.trim().split('\n').length, 1, 'one line')
  }
  t.match((await runWith({ ...env, HUBSPOT_APP_ID: 'my-app' })).errors, /HUBSPOT_APP_ID must be a number/)
  const insecure = await runWith({ ...env, PUBLIC_URL: 'http://llm.cli.example' })
  t.equal(insecure.code, 2)
  t.match(insecure.errors, /PUBLIC_URL must use https/)
  const local = await runWith({ ...env, PUBLIC_URL: 'http://localhost:3000' })
  t.equal(local.code, 0)
  t.match(local.errors, /warning: PUBLIC_URL points at localhost/)
  t.match(local.out, /custom-llm: updated/)
  t.equal((await runWith({ ...env, HUBSPOT_API_BASE_URL: 'ftp://x' })).code, 2)

  const refused = await runWith({ ...env, HUBSPOT_DEVELOPER_API_KEY: 'wrong-key-canary-0000' })
  t.equal(refused.code, 1)
  t.match(refused.errors, /error: publish failed: HubSpot refused to list the definitions of app \d+ via GET \/automation\/actions\/2026-09\/\d+ \(HTTP 401/)
  t.notMatch(refused.errors + refused.out, /canary/)

  const v4 = await runWith({ ...env, PUBLIC_URL: 'https://llm.v4.example', HUBSPOT_ACTIONS_API_VERSION: 'v4' })
  t.equal(v4.code, 0, v4.errors)
  t.match(v4.out, /custom-llm: updated .*\nopenai-assistant: updated/)
  t.match(v4.errors, /\(actions API v4\)/)
  t.same(stub.definitionWrites().slice(-2).map(request => request.method + ' ' + request.path.replace(/\/\d+$/, '')), [`PATCH ${COLLECTION.v4}`, `PATCH ${COLLECTION.v4}`], 'v4 paths with HUBSPOT_ACTIONS_API_VERSION=v4')
  const writes = stub.definitionWrites()
  t.ok(writes.slice(0, -2).every(request => request.path.startsWith(COLLECTION['2026-09'])), '2026-09 paths by default')
  const march = await runWith({ ...env, PUBLIC_URL: 'https://llm.march.example', HUBSPOT_ACTIONS_API_VERSION: '2026-03' })
  t.equal(march.code, 0, march.errors)
  t.match(march.errors, /\(actions API 2026-03\)/)
  t.same(stub.definitionWrites().slice(-2).map(request => request.method + ' ' + request.path.replace(/\/\d+$/, '')), [`PATCH ${COLLECTION['2026-03']}`, `PATCH ${COLLECTION['2026-03']}`], '2026-03 paths with HUBSPOT_ACTIONS_API_VERSION=2026-03')
  const unknownVersion = await runWith({ ...env, HUBSPOT_ACTIONS_API_VERSION: 'v5' })
  t.equal(unknownVersion.code, 2)
  t.match(unknownVersion.errors, /^error: HUBSPOT_ACTIONS_API_VERSION must be one of 2026-09, 2026-03, v4, not "v5"\.\n$/)

  const help = await runWith({}, ['--help'])
  t.equal(help.code, 0)
  t.match(help.out, /Usage: llm-actions publish/)
  t.match(help.out, /project app.*\n.*print-definitions --format hsmeta --out .*hs project upload/, "it says which path fits a project app")
  const bad = await runWith(env, ['--force'])
  t.equal(bad.code, 2)
  t.match(bad.errors, /Usage: llm-actions publish/)
})
