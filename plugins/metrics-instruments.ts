import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

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
  /** `INSTANCE_ID`, the `instance_id` label on every metric, so the instances behind one scrape target stay apart. */
  readonly instanceId: string
}

export type RejectionReasonLabel = 'portal' | 'instance' | 'connection' | 'admin-token'

/** Provider calls take from a fraction of a second to minutes (reasoning models, retry waits included). */
const PROVIDER_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300]
/** Our own share of an execution: the claim, the outcome, rendering and parsing; milliseconds when healthy. */
const OVERHEAD_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5]

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

  return instruments
}
