import t from 'tap'
import type { BatchOutcome, RanStandardReason } from '../../plugins/execution-observer.ts'
import { durableSetup, eventually, PORTAL, type DurableSetup } from '../helpers/durable-setup.ts'
import { batchesSent, economyDelivered, economyExecutions, ECONOMY_WINDOW } from '../helpers/economy-batches.ts'
import { parsePrometheusText, sampleValue, type Family } from '../helpers/prometheus-text.ts'

// Economy mode's metrics: the queue read at scrape time, batch sizes when sent, batches by outcome with their wait
// when they end, executions run as standard calls by reason, and the USD saved; labels only from bounded sets.

async function scrape (setup: DurableSetup): Promise<{ text: string, families: Map<string, Family> }> {
  const text = (await setup.app.inject({ url: '/metrics' })).body
  return { text, families: parsePrometheusText(text) }
}

const queueOf = (families: Map<string, Family>) =>
  Object.fromEntries(['waiting', 'batched', 'answered', 'standard'].map(state => [state, sampleValue(families, 'llm_actions_economy_queue', { state })]))

t.test('a batch is measured when sent and when it ends; what ran as standard and what was saved are counted', async t => {
  const setup = await durableSetup(t, ECONOMY_WINDOW)
  t.same(queueOf((await scrape(setup)).families), { waiting: 0, batched: 0, answered: 0, standard: 0 }, 'an empty queue reads as zeros')
  await economyExecutions(setup, 3)
  const [first] = await batchesSent(setup, 1)
  // The stub lists the batch as it answers its creation, a moment before the queue records that answer and tells it.
  await eventually('the batch to be counted as sent', async () => sampleValue((await scrape(setup)).families, 'llm_actions_economy_batch_items_count') === 1)
  const sent = (await scrape(setup)).families
  t.same(queueOf(sent), { waiting: 0, batched: 3, answered: 0, standard: 0 }, 'the queue, read from the database at the scrape')
  t.equal(sampleValue(sent, 'llm_actions_economy_batch_items_count'), 1, 'one batch sent')
  t.equal(sampleValue(sent, 'llm_actions_economy_batch_items_sum'), 3, 'of three requests')
  t.equal(sampleValue(sent, 'llm_actions_economy_batches_total', { provider: 'openai', outcome: 'ended' }), undefined, 'not ended yet')

  setup.openai.batches.complete(first!.id, { failItems: [setup.openai.batches.input(first!.id)[0]!.custom_id] })
  await economyDelivered(setup, PORTAL, 3)
  const ended = (await scrape(setup)).families
  t.equal(sampleValue(ended, 'llm_actions_economy_batches_total', { provider: 'openai', outcome: 'ended' }), 1)
  t.equal(sampleValue(ended, 'llm_actions_economy_batch_wait_seconds_count', { provider: 'openai' }), 1)
  t.ok((sampleValue(ended, 'llm_actions_economy_batch_wait_seconds_sum', { provider: 'openai' }) ?? 0) >= 1, 'it waited at least the one-second window')
  t.equal(sampleValue(ended, 'llm_actions_economy_batch_wait_seconds_bucket', { provider: 'openai', le: '86400' }), 1, 'buckets reach 24 hours')
  t.equal(sampleValue(ended, 'llm_actions_economy_standard_total', { provider: 'openai', reason: 'item-failed' }), 1, 'the failed item ran as standard')
  const rows = (await setup.app.repositories.executions.recent(PORTAL, 3))
  const saved = rows.reduce((total, row) => total + (row.savedUsd ?? 0), 0)
  t.ok(saved > 0)
  t.ok(Math.abs((sampleValue(ended, 'llm_actions_economy_saved_usd_total', { provider: 'openai' }) ?? 0) - saved) < 1e-12, `the savings of the two answers (${saved})`)
  t.same(queueOf(ended), { waiting: 0, batched: 0, answered: 0, standard: 0 }, 'nothing left in the queue')

  await economyExecutions(setup, 1)
  const second = (await batchesSent(setup, 2))[1]
  setup.openai.batches.fail(second!.id, 'Your organization has hit its batch queue limit.')
  await economyDelivered(setup, PORTAL, 4)
  await eventually('the failed batch to be counted', async () =>
    sampleValue((await scrape(setup)).families, 'llm_actions_economy_batches_total', { provider: 'openai', outcome: 'failed' }) === 1)
  t.equal(sampleValue((await scrape(setup)).families, 'llm_actions_economy_standard_total', { provider: 'openai', reason: 'batch-failed' }), 1, 'its item ran as standard')
})

t.test('labels stay bounded: a provider the registry lacks and words the observer does not declare read as "other"', async t => {
  const setup = await durableSetup(t)
  const observer = setup.app.metrics.observer
  observer.onBatchSubmitted?.('acme-private-llm', 7)
  observer.onBatchFinished?.('acme-private-llm', 'exploded' as BatchOutcome, 12)
  observer.onRanStandard?.('acme-private-llm', 'felt-like-it' as RanStandardReason)
  observer.onEconomySaving?.('acme-private-llm', 0.25)
  const { text, families } = await scrape(setup)
  t.equal(sampleValue(families, 'llm_actions_economy_batches_total', { provider: 'other', outcome: 'other' }), 1)
  t.equal(sampleValue(families, 'llm_actions_economy_batch_wait_seconds_count', { provider: 'other' }), 1)
  t.equal(sampleValue(families, 'llm_actions_economy_standard_total', { provider: 'other', reason: 'other' }), 1)
  t.equal(sampleValue(families, 'llm_actions_economy_saved_usd_total', { provider: 'other' }), 0.25)
  for (const raw of ['acme-private-llm', 'exploded', 'felt-like-it', String(PORTAL)]) t.notOk(text.includes(raw), `no "${raw}" in the text`)
  t.equal(families.get('llm_actions_economy_batch_wait_seconds')?.type, 'histogram')
  t.equal(families.get('llm_actions_economy_queue')?.type, 'gauge')
})
