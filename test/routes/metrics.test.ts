import t, { type Test } from 'tap'
import { buildApp, type TestApp } from '../helpers/build-app.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text.ts'
import { OPENAI_GOOD_KEY, startOpenAIStub } from '../stubs/openai-stub.ts'

/**
 * `GET /metrics` (contract §5): Prometheus text that scrapes cleanly, counters that move with executions, label
 * values only from bounded sets (never a portal id or callback id), and METRICS_TOKEN when it is set.
 */

const PORTAL = 7316021
const PATH = '/hubspot/actions/custom-llm'
const METRICS_TOKEN = 'metrics-token-0123456789abcdef'

async function setup (t: Test, environment: Record<string, string> = {}): Promise<TestApp> {
  const stub = await startOpenAIStub({ goodKeys: [OPENAI_GOOD_KEY] })
  t.teardown(() => stub.close())
  const built = await buildApp(t, { OPENAI_BASE_URL: stub.baseUrl, ...environment })
  const connected = await built.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai`, headers: built.admin, payload: { apiKey: OPENAI_GOOD_KEY } })
  t.equal(connected.statusCode, 201, 'connected')
  return built
}

const callbackIds: string[] = []
async function execute (built: TestApp, fields: Record<string, string>) {
  const body = executionBody(PORTAL, fields)
  callbackIds.push(String(body.callbackId))
  const payload = JSON.stringify(body)
  const response = await built.app.inject({ method: 'POST', url: PATH, headers: signedHeaders('POST', PATH, payload), payload })
  return { status: response.statusCode, fields: (response.json() as { outputFields?: Record<string, string> }).outputFields }
}

async function scrape (built: TestApp, headers: Record<string, string> = {}) {
  const response = await built.app.inject({ method: 'GET', url: '/metrics', headers })
  return { response, families: response.statusCode === 200 ? parsePrometheusText(response.body) : undefined }
}

t.test('a scrape after executions parses cleanly and its counters moved', async t => {
  const built = await setup(t)
  const rejected = await built.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai`, headers: built.admin, payload: { apiKey: 'sk-test-rejected-key-000000000000000000' } })
  t.equal(rejected.statusCode, 422, 'a rejected key')
  t.equal(rejected.json().code, 'INVALID_API_KEY')

  for (let run = 0; run < 2; run++) t.equal((await execute(built, { provider: 'openai', model: 'gpt-5.4', prompt: 'Hello' })).fields?.hs_execution_state, 'SUCCESS')
  const uncurated = await execute(built, { provider: 'openai', model: 'gpt-7-preview', prompt: 'Hello' })
  const failed = await execute(built, { provider: 'anthropic', model: 'claude-sonnet-4-5', prompt: 'Hello' })
  t.equal(failed.fields?.hs_execution_state, 'FAIL_CONTINUE', 'an unconnected provider fails')

  const { response, families } = await scrape(built)
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  if (families === undefined) return
  const success = { action: 'custom-llm', provider: 'openai', model: 'gpt-5.4', outcome: 'SUCCESS', code: '' }
  t.equal(sampleValue(families, 'llm_actions_executions_total', success), 2, 'two successes, labelled by action, provider and model')
  t.equal(sampleValue(families, 'llm_actions_executions_total', { outcome: 'FAIL_CONTINUE', code: failed.fields?.errorCode ?? '' }), 1, 'the failure, labelled by its code')
  const uncuratedState = uncurated.fields?.hs_execution_state ?? ''
  t.equal(sampleValue(families, 'llm_actions_executions_total', { provider: 'openai', model: 'other', outcome: uncuratedState }), 1, 'a model off the curated list is "other"')
  t.equal(sampleValue(families, 'llm_actions_provider_latency_seconds_count', { provider: 'openai' }), uncuratedState === 'SUCCESS' ? 3 : 2, 'every provider call timed')
  t.equal(sampleValue(families, 'llm_actions_service_overhead_seconds_count'), 4, 'every run has an overhead')
  t.ok((sampleValue(families, 'llm_actions_spend_usd_total', { provider: 'openai' }) ?? 0) > 0, 'priced calls add to the spend')
  t.equal(sampleValue(families, 'llm_actions_key_validation_failures_total', { provider: 'openai' }), 1, 'the rejected key counted')
  t.equal(sampleValue(families, 'llm_actions_executions_running'), 0, 'nothing running after the answers')
  t.equal(sampleValue(families, 'llm_actions_executions_waiting'), 0)
  t.equal(sampleValue(families, 'llm_actions_executions_blocked'), 0)
  t.equal(sampleValue(families, 'llm_actions_completions_pending'), 0, 'no completions pending without BLOCK')
  t.ok(families.has('process_cpu_user_seconds_total') && families.has('nodejs_eventloop_lag_seconds'), 'process metrics from collectDefaultMetrics')
  t.equal(families.get('llm_actions_provider_latency_seconds')?.type, 'histogram')

  t.notOk(response.body.includes(String(PORTAL)), 'no portal id in the text')
  for (const callbackId of callbackIds) t.notOk(response.body.includes(callbackId), `no callback id (${callbackId})`)
})

t.test('rejections are counted by reason', async t => {
  const built = await setup(t, { RATE_LIMIT_PER_PORTAL: '1' })
  t.equal((await execute(built, { provider: 'openai', model: 'gpt-5.4', prompt: 'Hello' })).status, 200)
  t.equal((await execute(built, { provider: 'openai', model: 'gpt-5.4', prompt: 'Hello' })).status, 429, 'over the portal limit')
  for (let attempt = 0; attempt < 11; attempt++) await built.app.inject({ method: 'GET', url: `/api/portals/${PORTAL}/connections`, headers: { authorization: 'Bearer wrong-admin-token-000000' } })
  const { families } = await scrape(built)
  if (families === undefined) return t.fail('the scrape parses')
  t.equal(sampleValue(families, 'llm_actions_rejections_total', { reason: 'portal' }), 1, 'the portal limit')
  t.equal(sampleValue(families, 'llm_actions_rejections_total', { reason: 'admin-token' }), 1, 'the wrong-admin-token limit')
  t.equal(sampleValue(families, 'llm_actions_executions_total', { outcome: 'SUCCESS' }), 1, 'a refused request is no execution')
})

t.test('METRICS_TOKEN, when set, is required; unset, the scrape is open', async t => {
  const open = await setup(t)
  t.equal((await scrape(open)).response.statusCode, 200, 'open without METRICS_TOKEN')

  const guarded = await setup(t, { METRICS_TOKEN })
  const refused: Array<Record<string, string>> = [{}, { authorization: 'Bearer wrong-metrics-token-00000000' }, { authorization: METRICS_TOKEN }]
  for (const headers of refused) {
    const { response } = await scrape(guarded, headers)
    t.equal(response.statusCode, 401, `refused with ${JSON.stringify(headers)}`)
    t.equal(response.json().code, 'UNAUTHORIZED')
    t.match(response.json().message, /METRICS_TOKEN/)
  }
  t.equal((await scrape(guarded, { authorization: `Bearer ${METRICS_TOKEN}` })).response.statusCode, 200, 'the right token')
  t.equal((await scrape(guarded, guarded.admin)).response.statusCode, 401, 'the admin token is not the metrics token')
})

t.test('a METRICS_TOKEN shorter than 16 characters stops the boot', async t => {
  await t.rejects(buildApp(t, { METRICS_TOKEN: 'short' }), /METRICS_TOKEN/)
})
