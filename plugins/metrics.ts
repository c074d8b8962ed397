import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { BatchOutcome, ExecutionObserver, RanStandardReason } from './execution-observer.ts'
import { bearerTokenCheck } from './bearer-token.ts'
import { AppError, ERROR_CATALOGUE, isAppError } from './errors.ts'
import { createInstruments, type EngineReading, type Instruments, type MetricSources } from './metrics-instruments.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The Prometheus metrics on this app's own registry, and the observer the engine reports to. */
    metrics: Metrics
  }
}

export interface Metrics {
  readonly instruments: Instruments
  /** Handed to the engine; turns its raw values into bounded label values. */
  readonly observer: ExecutionObserver
  /** Where the engine gauges read from; the engine's wiring sets it once the engine exists. */
  watchEngine (load: () => EngineReading): void
  /** The text exposition format, and the content type that goes with it. */
  scrape (): Promise<string>
  readonly contentType: string
  /** onRequest hook of `GET /metrics`: `Authorization: Bearer <METRICS_TOKEN>` when that is set, else open. */
  requireToken (request: FastifyRequest): Promise<void>
}

/** The admin console runs executions under this action key. */
const TEST_ACTION = 'test'
/** A value outside a label's bounded set: a model off the curated list, an unknown code. */
const OTHER = 'other'
/**
 * The observer's words for how a batch ended and why an economy execution ran as standard, as records so that a word
 * added to execution-observer.ts fails to compile here until it is a label value too.
 */
const BATCH_OUTCOMES: Readonly<Record<BatchOutcome, true>> = { ended: true, expired: true, cancelled: true, failed: true, abandoned: true }
const STANDARD_REASONS: Readonly<Record<RanStandardReason, true>> = { dropped: true, 'item-failed': true, 'batch-failed': true, 'waited-too-long': true }

export interface MetricsOptions {
  /** The actions' keys: the only values the `action` label takes (besides `test` and `other`). */
  readonly actionKeys: readonly string[]
}

async function metrics (fastify: FastifyInstance, options: MetricsOptions): Promise<void> {
  let engineLoad: MetricSources['load'] = () => undefined
  const instruments = createInstruments({
    load: () => engineLoad(),
    pendingCompletions: () => fastify.repositories.executions.countPendingCompletions(),
    economyQueue: () => fastify.repositories.economy.queueCounts(),
    instanceId: fastify.config.instanceId
  })
  const labels = boundedLabels(fastify, options.actionKeys)

  const observer: ExecutionObserver = {
    onExecutionFinished (finished) {
      instruments.executions.inc({
        action: labels.action(finished.action),
        provider: labels.provider(finished.provider),
        model: labels.model(finished.provider, finished.model),
        outcome: finished.outcome,
        code: labels.code(finished.code)
      })
    },
    onRunTimed (seconds, providerSeconds) {
      instruments.serviceOverhead.observe(Math.max(0, seconds - providerSeconds))
    },
    onBlocked (action) {
      instruments.blockAnswers.inc({ action: labels.action(action) })
    },
    onProviderCall (providerId, seconds, costUsd) {
      const provider = labels.provider(providerId)
      instruments.providerLatency.observe({ provider }, seconds)
      if (costUsd !== undefined && costUsd > 0) instruments.spend.inc({ provider }, costUsd)
    },
    onRejected (reason) {
      instruments.rejections.inc({ reason })
    },
    onCompletion (result, executions) {
      instruments.completions.inc({ result }, executions)
    },
    onBatchSubmitted (_provider, items) {
      instruments.economyBatchItems.observe(items)
    },
    onBatchFinished (providerId, outcome, waitedSeconds) {
      const provider = labels.provider(providerId)
      instruments.economyBatches.inc({ provider, outcome: labels.batchOutcome(outcome) })
      instruments.economyBatchWait.observe({ provider }, Math.max(0, waitedSeconds))
    },
    onRanStandard (providerId, reason) {
      instruments.economyStandard.inc({ provider: labels.provider(providerId), reason: labels.standardReason(reason) })
    },
    onEconomySaving (providerId, savedUsd) {
      if (savedUsd > 0) instruments.economySaved.inc({ provider: labels.provider(providerId) }, savedUsd)
    }
  }

  // Refusals that happen before the engine: the portal's per-minute limit on the execution routes, the wrong-token
  // limit on admin routes, and keys the provider rejected at connect. Errors are rare, so this costs the
  // execution path nothing.
  fastify.addHook('onError', async (request, _reply, error: FastifyError) => {
    if (!isAppError(error)) return
    if (error.code === 'RATE_LIMITED') {
      instruments.rejections.inc({ reason: (request.routeOptions.url ?? '').startsWith('/hubspot/actions/') ? 'portal' : 'admin-token' })
    } else if (error.code === 'INVALID_API_KEY') {
      instruments.keyValidationFailures.inc({ provider: labels.provider((request.params as { provider?: string } | undefined)?.provider) })
    }
  })

  const checkToken = fastify.config.metricsToken === undefined ? undefined : bearerTokenCheck(fastify.config.metricsToken)
  const decorated: Metrics = {
    instruments,
    observer,
    watchEngine (load) { engineLoad = load },
    scrape: () => instruments.registry.metrics(),
    contentType: instruments.registry.contentType,
    async requireToken (request) {
      if (checkToken === undefined) return
      if (checkToken(request.headers.authorization) !== 'ok') {
        throw new AppError('UNAUTHORIZED', 'Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>".')
      }
    }
  }
  fastify.decorate('metrics', decorated)
}

/**
 * Label values only from bounded sets, so a scrape never grows with traffic and never carries what a client sent:
 * action keys, the registry's provider ids, a provider's curated model ids, the error catalogue's codes, the
 * observer's batch outcomes and standard-call reasons.
 */
function boundedLabels (fastify: FastifyInstance, actionKeys: readonly string[]) {
  const actions = new Set<string>([...actionKeys, TEST_ACTION])
  const codes = new Set<string>(Object.keys(ERROR_CATALOGUE))
  const curated = new Map<string, ReadonlySet<string>>()
  for (const provider of fastify.providers.list()) curated.set(provider.id, new Set(provider.models.map(model => model.id)))
  return {
    action: (key: string) => actions.has(key) ? key : OTHER,
    provider: (id: string | undefined) => id === undefined ? '' : curated.has(id) ? id : OTHER,
    model: (providerId: string | undefined, modelId: string | undefined) => {
      if (modelId === undefined) return ''
      return providerId !== undefined && curated.get(providerId)?.has(modelId) === true ? modelId : OTHER
    },
    code: (code: string | undefined) => code === undefined ? '' : codes.has(code) ? code : OTHER,
    batchOutcome: (outcome: string) => Object.hasOwn(BATCH_OUTCOMES, outcome) ? outcome : OTHER,
    standardReason: (reason: string) => Object.hasOwn(STANDARD_REASONS, reason) ? reason : OTHER
  }
}

export default fp(metrics, { name: 'metrics', dependencies: ['config', 'database', 'provider-registry'], fastify: '5.x' })
