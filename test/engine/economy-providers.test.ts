import t from 'tap'
import { durableSetup, eventually, PORTAL } from '../helpers/durable-setup.ts'
import { waitsTwoDays } from '../helpers/economy-batches.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'
import { completionCounts } from '../helpers/service-process.ts'
import { ANTHROPIC_GOOD_KEY, startAnthropicStub } from '../stubs/anthropic-stub.ts'
import { GEMINI_GOOD_KEY, startGeminiStub } from '../stubs/gemini-stub.ts'
import { OPENAI_GOOD_KEY } from '../stubs/openai-stub.ts'

// 1,000 economy executions over three portals and the three providers with batch APIs: each is completed exactly
// once at HubSpot, every connection sends one batch for its window, and each answer costs half the standard price.

const EXECUTE_PATH = '/hubspot/actions/custom-llm'
const PORTALS = [PORTAL, PORTAL + 1, PORTAL + 2]
const PROVIDERS = [
  { provider: 'openai', model: 'gpt-4.1', key: OPENAI_GOOD_KEY },
  { provider: 'anthropic', model: 'claude-sonnet-4-6', key: ANTHROPIC_GOOD_KEY },
  { provider: 'gemini', model: 'gemini-2.5-flash', key: GEMINI_GOOD_KEY }
] as const
const EXECUTIONS = 1_000

t.test('1,000 economy executions over three portals and three providers: one batch per connection, each completed once, at half price', async t => {
  t.setTimeout(300_000)
  const anthropic = await startAnthropicStub({ batches: { autoEnd: true } })
  const gemini = await startGeminiStub({ autoSucceed: true })
  t.teardown(async () => { await anthropic.close(); await gemini.close() })
  const setup = await durableSetup(t, {
    ANTHROPIC_BASE_URL: anthropic.baseUrl,
    GEMINI_BASE_URL: gemini.baseUrl,
    // Far longer than sending all 1,000 takes (printed below), so each connection's executions go out together.
    ECONOMY_BATCH_WINDOW_MS: '60000',
    RATE_LIMIT_PER_PORTAL: '10000'
  }, { openai: { batches: { autoComplete: true } } })
  for (const portalId of PORTALS) {
    if (portalId !== PORTAL) await setup.install(portalId)
    for (const { provider, key } of PROVIDERS) {
      if (portalId === PORTAL && provider === 'openai') continue
      const connected = await setup.app.inject({ method: 'PUT', url: `/api/portals/${portalId}/connections/${provider}`, headers: setup.admin, payload: { apiKey: key } })
      t.equal(connected.statusCode, 201, `portal ${portalId} connected to ${provider}`)
    }
  }

  const bodies = Array.from({ length: EXECUTIONS }, (_, index) => {
    const target = PROVIDERS[index % PROVIDERS.length]!
    const portalId = PORTALS[Math.floor(index / PROVIDERS.length) % PORTALS.length]!
    return executionBody(portalId, { provider: target.provider, model: target.model, prompt: `Score lead ${index}`, processing: 'economy' })
  })
  const callbackIds = new Set(bodies.map(body => String(body.callbackId)))
  const sendingSince = Date.now()
  for (let start = 0; start < bodies.length; start += 50) {
    const answers = await Promise.all(bodies.slice(start, start + 50).map(async body => {
      const payload = JSON.stringify(body)
      return await setup.app.inject({ method: 'POST', url: EXECUTE_PATH, headers: signedHeaders('POST', EXECUTE_PATH, payload), payload })
    }))
    const durations = answers.map(answer => answer.json().outputFields?.hs_expiration_duration)
    if (!durations.every(waitsTwoDays)) t.fail(`answers ${start}…: ${[...new Set(durations)].join(', ')}`)
  }

  t.comment(`the 1,000 executions were sent and answered in ${Date.now() - sendingSince} ms`)
  const delivered = () => completionCounts(setup.hubspot)
  await eventually('every execution to be completed', async () => delivered().size >= EXECUTIONS, 180_000)
  await new Promise(resolve => setTimeout(resolve, 1500))
  const counts = delivered()
  t.equal(counts.size, EXECUTIONS, 'completions for 1,000 executions')
  t.ok([...counts.keys()].every(id => callbackIds.has(id)), 'all of them ours')
  t.same([...counts.values()].filter(count => count !== 1), [], 'each completed exactly once')
  t.ok(setup.hubspot.state.completedCallbacks.every(completion => completion.body?.outputFields?.hs_execution_state === 'SUCCESS'), 'every one SUCCESS')

  t.equal(setup.openai.batches.submissions(), PORTALS.length, 'OpenAI: one batch per portal')
  t.equal(anthropic.batches.submissions(), PORTALS.length, 'Anthropic: one batch per portal')
  t.equal(gemini.batches.submissions(), PORTALS.length, 'Gemini: one batch per portal')
  t.equal(setup.openai.generations().length, 0, 'no standard call')

  const economy = setup.app.repositories.economy
  let standardCost = 0
  let economyCost = 0
  for (const portalId of PORTALS) {
    for (const batch of await economy.recent(portalId, 10)) t.match(batch, { state: 'done', ranStandard: 0 }, `batch ${batch.id} of ${batch.provider} done, every item answered`)
    for (const row of await setup.app.repositories.executions.recent(portalId, 400)) {
      economyCost += row.costUsd ?? 0
      standardCost += (row.costUsd ?? 0) + (row.savedUsd ?? 0)
    }
  }
  t.comment(`1,000 executions: ${economyCost.toFixed(6)} USD in economy against ${standardCost.toFixed(6)} USD at the standard price`)
  t.ok(economyCost > 0, 'priced')
  t.ok(Math.abs(economyCost * 2 - standardCost) < 1e-9, 'economy costs half the standard price')
})
