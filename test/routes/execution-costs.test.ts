import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { buildApp } from '../helpers/build-app.ts'
import { durableSetup, PORTAL } from '../helpers/durable-setup.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'
import { ANTHROPIC_GOOD_KEY, startAnthropicStub } from '../stubs/anthropic-stub.ts'
import { COMPATIBLE_GOOD_KEY, startCompatibleStub } from '../stubs/openai-compatible-stub.ts'
import { OPENAI_FAILURES } from '../stubs/openai-stub.ts'

/** gpt-4.1 at the table's 2 / cached 0.5 / 8 USD per million, for the stub's 12 input (2 cached) and 20 output tokens. */
const GPT_41_CALL = (10 * 2 + 2 * 0.5 + 20 * 8) / 1e6
const near = (t: Test, actual: number, expected: number, what: string) => t.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} ≈ ${expected}`)

function pricesFile (t: Test, content: string): string {
  const directory = mkdtempSync(join(tmpdir(), 'prices-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const file = join(directory, 'prices.json')
  writeFileSync(file, content)
  return file
}

t.test('a priced execution: costUsd in the outputs and the execution list', async t => {
  const setup = await durableSetup(t, { SYNC_BUDGET_MS: '10000' }, { install: false })
  const outputs = (await setup.execute(setup.body())).json().outputFields
  t.equal(outputs.costUsd, '0.000181')
  const [record] = (await setup.app.inject({ url: `/api/portals/${PORTAL}/executions`, headers: setup.admin })).json().items
  near(t, record.costUsd, GPT_41_CALL, 'recorded cost')
})

t.test('a repair attempt costs too: two calls counted', async t => {
  const setup = await durableSetup(t, { SYNC_BUDGET_MS: '10000' }, { install: false })
  const outputs = (await setup.execute(setup.body({ outputFormat: 'number' }))).json().outputFields
  t.equal(outputs.errorCode, 'OUTPUT_FORMAT', 'the stub never answers a number')
  t.equal(setup.openai.generations().length, 2)
  const [record] = (await setup.app.inject({ url: `/api/portals/${PORTAL}/executions`, headers: setup.admin })).json().items
  near(t, record.costUsd, 2 * GPT_41_CALL, 'both attempts')
})

t.test('a fallback is priced at its own model\'s price', async t => {
  const anthropic = await startAnthropicStub()
  t.teardown(() => anthropic.close())
  const setup = await durableSetup(t, { ANTHROPIC_BASE_URL: anthropic.baseUrl, SYNC_BUDGET_MS: '10000' }, { install: false })
  await setup.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/anthropic`, headers: setup.admin, payload: { apiKey: ANTHROPIC_GOOD_KEY } })
  setup.openai.once('POST /v1/responses', OPENAI_FAILURES.unauthorized)
  const outputs = (await setup.execute(setup.body({ fallbackProvider: 'anthropic', fallbackModel: 'claude-sonnet-4-6' }))).json().outputFields
  t.equal(outputs.provider, 'anthropic')
  const [record] = (await setup.app.inject({ url: `/api/portals/${PORTAL}/executions`, headers: setup.admin })).json().items
  // The refused primary answered nothing, so only the fallback's call costs: at claude-sonnet-4-6's 3 / cached 0.3 / 15.
  const cached = record.cachedInputTokens ?? 0
  near(t, record.costUsd, ((record.inputTokens - cached) * 3 + cached * 0.3 + record.outputTokens * 15) / 1e6, 'anthropic price')
  t.equal(outputs.costUsd, (Math.round(record.costUsd * 1e6) / 1e6).toString())
})

async function compatibleApp (t: Test, environment: Record<string, string> = {}) {
  const stub = await startCompatibleStub()
  t.teardown(() => stub.close())
  const built = await buildApp(t, { ALLOWED_PROVIDER_HOSTS: new URL(stub.origin).host, ...environment })
  await built.app.inject({ method: 'PUT', url: '/api/portals/77/connections/openai-compatible', headers: built.admin, payload: { apiKey: COMPATIBLE_GOOD_KEY, baseUrl: stub.baseUrl } })
  const run = async () => {
    const payload = JSON.stringify(executionBody(77, { provider: 'openai-compatible', model: 'llama3.3:70b', prompt: 'Say hi' }))
    const path = '/hubspot/actions/custom-llm'
    return (await built.app.inject({ method: 'POST', url: path, headers: signedHeaders('POST', path, payload), payload })).json().outputFields
  }
  return { ...built, run }
}

t.test('an unknown price: no costUsd output, null in the list, counted as unpriced', async t => {
  const built = await compatibleApp(t)
  const outputs = await built.run()
  t.equal(outputs.hs_execution_state, 'SUCCESS')
  t.equal(outputs.costUsd, undefined)
  const [record] = (await built.app.inject({ url: '/api/portals/77/executions', headers: built.admin })).json().items
  t.equal(record.costUsd, null)
  const usage = (await built.app.inject({ url: '/api/portals/77/usage', headers: built.admin })).json()
  t.match(usage.totals, { executions: 1, costUsd: 0, unpricedExecutions: 1 })
})

t.test('PRICES_FILE prices a self-hosted model', async t => {
  const file = pricesFile(t, JSON.stringify({ 'openai-compatible': { 'llama3.3:70b': { input: 1, output: 2 } } }))
  const built = await compatibleApp(t, { PRICES_FILE: file })
  const outputs = await built.run()
  // The stub reports 14 prompt and 5 completion tokens.
  t.equal(outputs.costUsd, '0.000024')
  const usage = (await built.app.inject({ url: '/api/portals/77/usage', headers: built.admin })).json()
  t.match(usage.totals, { costUsd: 0.000024, unpricedExecutions: 0 })
})

t.test('a bad PRICES_FILE stops the boot with one line naming the file and the JSON path', async t => {
  const cases: Array<[string, RegExp]> = [
    [JSON.stringify({ openai: { 'gpt-5': { input: -1, output: 2 } } }), /prices\.json: \$\.openai\["gpt-5"\]\.input expected number to be greater or equal to 0$/],
    [JSON.stringify({ openai: { 'gpt-5': { input: 1 } } }), /\$\.openai\["gpt-5"\]\.output/],
    [JSON.stringify({ openai: { 'gpt-5': { input: 1, output: 2, reasoning: 3 } } }), /\$\.openai\["gpt-5"\]\.reasoning unexpected property/],
    [JSON.stringify({ openai: { 'gpt-5': { input: '1', output: 2 } } }), /\$\.openai\["gpt-5"\]\.input/],
    ['{"openai": ', /is not valid JSON/]
  ]
  for (const [content, message] of cases) {
    const file = pricesFile(t, content)
    await t.rejects(buildApp(t, { PRICES_FILE: file }), { message }, content)
  }
  await t.rejects(buildApp(t, { PRICES_FILE: '/nonexistent/prices.json' }), { message: /PRICES_FILE \/nonexistent\/prices\.json cannot be read \(ENOENT\)/ })
})
