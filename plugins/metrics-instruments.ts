import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { EconomyQueueCounts } from '../db/repositories/economy-repository.ts'

/** The engine's in-memory state at one moment (its `load()`). */
export interface EngineReading {
  readonly running: number
  readonly blocked: number
  readonly waiting: number
}

/** What the gauges read at scrape time, so the execution path never keeps a count of its own. */
export interface MetricSources {
  /** Undefined before the engine exists. */
  readonly load: () => EngineReading | undefined
  /** Callback completions waiting to go out (one count query, at scrape time only). */
  readonly pendingCompletions: () => Promise<number>
  /** Unfinished economy executions of every portal by state (one grouped count query, at scrape time only). */
  readonly economyQueue: () => Promise<EconomyQueueCounts>
  /** `INSTANCE_ID`, the `instance_id` label on every metric, so the instances behind one scrape target stay apart. */
  readonly instanceId: string
}

export type RejectionReasonLabel = 'portal' | 'instance' | 'connection' | 'admin-token'

/** Provider calls take from a fraction of a second to minutes (reasoning models, retry waits included). */
const PROVIDER_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300]
/** Our own share of an execution: the claim, the outcome, rendering and parsing; milliseconds when healthy. */
const OVERHEAD_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5]
/** Requests in one batch: from a lone execution to ECONOMY_BATCH_MAX (1,000 by default) and the vendors' limits above it. */
const BATCH_ITEM_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000, 50000]
/** A batch's life, opened to settled: the gathering window (5 minutes by default), then the vendor's up to 24 hours. */
const BATCH_WAIT_BUCKETS = [10, 60, 300, 600, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 12 * 3600, 24 * 3600]

export type Instruments = ReturnType<typeof createInstruments>

/**
 * Every metric the service exposes, on a registry of its own (never prom-client's global one, so two apps in one
 * process, as in the tests, do not collide). Label values are chosen by the caller from bounded sets.
 */
export function createInstruments (sources: MetricSources) {
  const registry = new Registry()
  registry.setDefaultLabels({ instance_id: sources.instanceId })
  const registers = [registry]
  collectDefaultMetrics({ register: registry })

  const instruments = {
    registry,
    executions: new Counter({
      name: 'llm_actions_executions_total',
      help: 'Executions by the outcome written: SUCCESS, FAIL_CONTINUE (with its code), or RETRY (handed back to HubSpot with 429/503, whose next delivery is counted again). A BLOCKed execution counts once, when its outcome is written.',
      labelNames: ['action', 'provider', 'model', 'outcome', 'code'] as const,
      registers
    }),
    // Not llm_actions_executions_blocked_total: OpenMetrics names a counter without its _total, which would then
    // clash with the llm_actions_executions_blocked gauge.
    blockAnswers: new Counter({
      name: 'llm_actions_block_answers_total',
      help: 'Executions answered BLOCK (HubSpot waits for the callback completion); each is counted in llm_actions_executions_total too, once, when its outcome is written.',
      labelNames: ['action'] as const,
      registers
    }),
    providerLatency: new Histogram({
      name: 'llm_actions_provider_latency_seconds',
      help: 'Time of one provider call, retry waits included.',
      labelNames: ['provider'] as const,
      buckets: PROVIDER_BUCKETS,
      registers
    }),
    serviceOverhead: new Histogram({
      name: 'llm_actions_service_overhead_seconds',
      help: 'Time of one execution run minus the time spent in provider calls.',
      buckets: OVERHEAD_BUCKETS,
      registers
    }),
    completions: new Counter({
      name: 'llm_actions_completions_total',
      help: 'Callback completions by result: delivered, retried (a retry is scheduled) or failed (given up; resend with redeliver).',
      labelNames: ['result'] as const,
      registers
    }),
    rejections: new Counter({
      name: 'llm_actions_rejections_total',
      help: 'Requests refused with 429 RATE_LIMITED, by reason: portal (RATE_LIMIT_PER_PORTAL), instance (MAX_IN_FLIGHT), fair-share (a portal at its share of MAX_IN_FLIGHT while others want places), connection (PROVIDER_QUEUE_LIMIT), admin-token (wrong admin tokens).',
      labelNames: ['reason'] as const,
      registers
    }),
    keyValidationFailures: new Counter({
      name: 'llm_actions_key_validation_failures_total',
      help: 'Connections refused because the provider rejected the API key (422 INVALID_API_KEY).',
      labelNames: ['provider'] as const,
      registers
    }),
    spend: new Counter({
      name: 'llm_actions_spend_usd_total',
      help: 'USD spent on provider calls with a known price, by provider.',
      labelNames: ['provider'] as const,
      registers
    }),
    economyBatches: new Counter({
      name: 'llm_actions_economy_batches_total',
      help: 'Economy batches that ended, by outcome: ended (the vendor answered it), expired, cancelled, failed, or abandoned (given up here; its items ran as standard calls).',
      labelNames: ['provider', 'outcome'] as const,
      registers
    }),
    economyBatchItems: new Histogram({
      name: 'llm_actions_economy_batch_items',
      help: 'Requests in each economy batch sent to a provider.',
      buckets: BATCH_ITEM_BUCKETS,
      registers
    }),
    economyBatchWait: new Histogram({
      name: 'llm_actions_economy_batch_wait_seconds',
      help: 'Time from an economy batch\'s opening to its results (or to giving it up).',
      labelNames: ['provider'] as const,
      buckets: BATCH_WAIT_BUCKETS,
      registers
    }),
    economyStandard: new Counter({
      name: 'llm_actions_economy_standard_total',
      help: 'Economy executions run as standard calls instead, by reason: dropped (could not go in its batch), item-failed (its batch answered it with an error), batch-failed (the batch failed, expired or was cancelled), waited-too-long (ECONOMY_MAX_WAIT_MS passed, or its batch was abandoned).',
      labelNames: ['provider', 'reason'] as const,
      registers
    }),
    economySaved: new Counter({
      name: 'llm_actions_economy_saved_usd_total',
      help: 'USD economy answers saved against the standard price, by provider.',
      labelNames: ['provider'] as const,
      registers
    })
  }

  const gauge = (name: string, help: string, read: () => number | undefined | Promise<number | undefined>) => new Gauge({
    name,
    help,
    registers,
    async collect () {
      const value = await read()
      if (value !== undefined) this.set(value)
    }
  })
  gauge('llm_actions_executions_running', 'Executions this instance is working on (waiting and blocked ones included).', () => sources.load()?.running)
  gauge('llm_actions_executions_blocked', 'Executions answered BLOCK whose call is still running; HubSpot waits for their completion.', () => sources.load()?.blocked)
  gauge('llm_actions_executions_waiting', 'Provider calls waiting for a slot on their connection (PROVIDER_CONCURRENCY).', () => sources.load()?.waiting)
  gauge('llm_actions_completions_pending', 'Finished executions whose callback completion has not been delivered yet.', sources.pendingCompletions)
  new Gauge({
    name: 'llm_actions_economy_queue',
    help: 'Unfinished economy executions of every portal (the whole database) by state: waiting for a batch, batched (at the provider), answered (their outcome being written), standard (running as standard calls instead).',
    labelNames: ['state'] as const,
    registers,
    async collect () {
      // The repository answers every state, zeros included: a fixed set of four label values.
      for (const [state, count] of Object.entries(await sources.economyQueue())) this.set({ state }, count)
    }
  })

  return instruments
}
