import t from 'tap'
import { EXECUTION_EXPIRY_MS } from '../../src/actions/engine/answers.ts'
import { durableSetup, eventually, PORTAL, type DurableSetup } from '../helpers/durable-setup.ts'
import { parsePrometheusText, sampleValue, type Family } from '../helpers/prometheus-text.ts'
import { OPENAI_FAILURES, openAIResponse } from '../stubs/openai-stub.ts'

// llm_actions_executions_total counts each execution once, with the outcome written for it: a BLOCKed one when its
// outcome is written (its BLOCK answer goes to llm_actions_block_answers_total), a run that only leads to another run
// not at all, and one closed at start (expired, not resumable) or resumed after a restart when it is closed.

async function scrape (setup: DurableSetup): Promise<Map<string, Family>> {
  const response = await setup.app.inject({ url: '/metrics' })
  return parsePrometheusText(response.body)
}

/** Every sample of `name`, as `outcome code` strings with their values, for a whole-counter comparison. */
function executionCounts (families: Map<string, Family>): Record<string, number> {
  const samples = families.get('llm_actions_executions_total')?.samples ?? []
  return Object.fromEntries(samples.map(sample => [`${sample.labels.action ?? ''} ${sample.labels.outcome ?? ''} ${sample.labels.code ?? ''}`.trim(), sample.value]))
}

t.test('a BLOCKed execution counts once, with its outcome; a transient failure after BLOCK that is run again does not count', async t => {
  const setup = await durableSetup(t)
  let flakyCalls = 0
  // Past the sync budget either way: the first call of the "flaky" execution fails with a 503 (Retry-After 1 s, so
  // the engine runs it again a second later), its second run answers.
  setup.openai.on('POST /v1/responses', setup.openai.guarded(request => {
    const flaky = String(request.json?.input).includes('flaky') && flakyCalls++ === 0
    return flaky ? { ...OPENAI_FAILURES.unavailable, headers: { 'retry-after': '1' }, delayMs: 500 } : { body: openAIResponse('Answer', { model: request.json?.model }), delayMs: 500 }
  }))
  const bodies = [setup.body(), setup.body({ prompt: 'Say hi, flaky {{firstname}}' })]
  const answers = await Promise.all(bodies.map(async body => await setup.execute(body)))
  t.same(answers.map(answer => answer.json().outputFields.hs_execution_state), ['BLOCK', 'BLOCK'], 'both answered BLOCK')
  const rows = async () => (await setup.app.repositories.executions.recent(PORTAL, 2))
  await eventually('both completions to be delivered', async () => (await rows()).every(row => row.completionState === 'delivered'))
  t.equal(setup.openai.generations().length, 3, 'the flaky execution ran twice')

  const families = await scrape(setup)
  t.same(executionCounts(families), { 'custom-llm SUCCESS': 2 }, 'two executions, two SUCCESS: no BLOCK, no RETRY for the run that was run again')
  t.equal(sampleValue(families, 'llm_actions_block_answers_total', { action: 'custom-llm' }), 2, 'the BLOCK answers, apart')
  t.equal(sampleValue(families, 'llm_actions_service_overhead_seconds_count'), 3, 'every run timed, the one run again included')
})

t.test('executions closed at start, and ones resumed after a restart, are counted when they are closed', async t => {
  const setup = await durableSetup(t, { SYNC_BUDGET_MS: '5000' })
  const executions = setup.app.repositories.executions
  const now = Date.now()
  const request = JSON.stringify({ inputFields: { provider: 'openai', model: 'gpt-4.1', prompt: 'Hi' } })
  const claim = async (action: string, callbackId: string | undefined, startedAt: number) => {
    // Under this process's lease, as its own claims are: the restart takes them over.
    const claimed = await executions.claim({ portalId: PORTAL, action, ...(callbackId === undefined ? {} : { callbackId }), startedAt, request, expiresAt: startedAt + EXECUTION_EXPIRY_MS },
      { owner: setup.app.config.instanceId, until: Date.now() + 30_000 })
    if (claimed.kind !== 'new') throw new Error('expected a new claim')
    await executions.markBlocked(claimed.id)
    return claimed.id
  }
  // Left unfinished by the process before: HubSpot stopped waiting for one, one is a test run, one can run again.
  await claim('custom-llm', 'ap-metrics-expired', now - EXECUTION_EXPIRY_MS - 60_000)
  await claim('test', undefined, now)
  const resumable = await claim('custom-llm', 'ap-metrics-resumable', now)

  const restarted = await setup.restart()
  await eventually('the resumed execution to finish', async () => (await restarted.app.repositories.executions.find(resumable))?.status === 'success')
  // The row is committed a moment before the engine, told of the write, counts it: wait for the count itself.
  await eventually('the resumed execution to be counted', async () => executionCounts(await scrape(restarted))['custom-llm SUCCESS'] !== undefined)
  t.same(executionCounts(await scrape(restarted)), {
    'custom-llm FAIL_CONTINUE EXECUTION_EXPIRED': 1,
    'test FAIL_CONTINUE INTERNAL': 1,
    'custom-llm SUCCESS': 1
  }, 'each closed execution counted once, with its outcome and code')
})
