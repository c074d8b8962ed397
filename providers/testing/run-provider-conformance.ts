import {
  PROVIDER_SPEC_VERSION,
  type LlmProvider,
  type ProviderContext,
  type ProviderCredentials,
  type ProviderDefinition,
  type ProviderLogger
} from '../contract.ts'
import type { ProviderErrorCode } from '../errors.ts'
import { decideParameters } from '../parameters.ts'
import { PROVIDER_ID_PATTERN, createProviderRegistry } from '../registry.ts'
import { runBatchChecks } from './batch-checks.ts'
import { callSignal as signal, expectFailure, settle } from './call-outcomes.ts'
import { CanaryWatch } from './canary-watch.ts'
import { CheckRunner, describe } from './check-runner.ts'
import { assertConformanceOptions, type ConformanceFailure, type ConformanceOptions } from './conformance-options.ts'
import type { ConformanceReport } from './conformance-report.ts'
import { invokeResultProblems } from './invoke-result-checks.ts'
import { capabilityProblems, modelListProblems, shown } from './model-checks.ts'

/** The signal given to the call that meets a hanging stub. */
export const CONFORMANCE_HANG_SIGNAL_MS = 300

const DEFAULT_CHECK_TIMEOUT_MS = 15_000
/** A call meeting a hanging stub must end this soon after it started, its signal having fired long before. */
const HANG_ENDS_WITHIN_MS = 3000
const HOST_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/
const UNSEEN_MODEL_ID = 'conformance-unseen-model-2099'
const FAILURES: ReadonlyArray<readonly [ConformanceFailure, ProviderErrorCode, string]> = [
  ['unauthorized', 'PROVIDER_AUTH', ' (a revoked key)'],
  ['rate-limited', 'PROVIDER_RATE_LIMITED', ''],
  ['unavailable', 'PROVIDER_UNAVAILABLE', '']
]
/** Why a call that should have failed may have resolved: the stub fails once, and the next request succeeds. */
const RETRY_HINT = ' (the stub fails one request only: does the provider or its SDK retry on its own? Retries belong to the service)'

/**
 * Runs every conformance check against `options.definition`, one after the other (the stub's scenarios depend
 * on order), and resolves a report; see this folder's index.ts for the list. It rejects only when the options
 * themselves are wrong (a TypeError naming the option): a provider that throws, hangs or leaks gets failed checks.
 */
export async function runProviderConformance (options: ConformanceOptions): Promise<ConformanceReport> {
  assertConformanceOptions(options)
  const started = performance.now()
  // From plain JavaScript anything may arrive; every read below tolerates a definition that is not one.
  const definition = options.definition as Partial<ProviderDefinition> | undefined
  const { modelId } = options
  const canary = new CanaryWatch([{ label: 'good key', key: options.goodKey }, { label: 'bad key', key: options.badKey }])
  const logged: unknown[] = []
  const context: ProviderContext = {
    fetch: globalThis.fetch,
    timeoutMs: 10_000,
    ...options.context,
    log: recordingLogger(logged, options.context?.log),
    baseUrl: options.baseUrl
  }
  const requiresBaseUrl = definition?.requiresBaseUrl === true
  const connection = requiresBaseUrl ? { baseUrl: options.baseUrl } : {}
  const good: ProviderCredentials = { apiKey: options.goodKey, ...connection }
  const bad: ProviderCredentials = { apiKey: options.badKey, ...connection }
  const runner = new CheckRunner({
    timeoutMs: options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS,
    redact: text => canary.redact(text),
    onThrown: (error, name) => canary.inspect(error, `what the check "${name}" threw`)
  })
  const report = (): ConformanceReport => ({
    ...(typeof definition?.id === 'string' ? { provider: canary.redact(definition.id) } : {}),
    passed: runner.checks.every(check => check.passed),
    checks: [...runner.checks],
    durationMs: Math.round(performance.now() - started)
  })

  await runner.run('is an object made with defineProvider, declaring this contract\'s specificationVersion', () => {
    if (typeof definition !== 'object' || definition === null) return [`expected the module's default export made with defineProvider, got ${shown(definition)}`]
    return definition.specificationVersion === PROVIDER_SPEC_VERSION
      ? []
      : [`expected specificationVersion ${PROVIDER_SPEC_VERSION} (stamped by defineProvider), got ${shown(definition.specificationVersion)}`]
  })
  await runner.run('has an id of at most 40 lowercase letters, digits and dashes, starting with a letter', () =>
    typeof definition?.id === 'string' && PROVIDER_ID_PATTERN.test(definition.id) ? [] : [`expected an id such as "mistral", got ${shown(definition?.id)}`])
  await runner.run('has a non-empty label', () =>
    typeof definition?.label === 'string' && definition.label.trim() !== '' ? [] : [`expected a label such as "Mistral", got ${shown(definition?.label)}`])
  await runner.run('lists its hosts as bare lowercase host names, at least one unless requiresBaseUrl', () => {
    const hosts: unknown = definition?.hosts
    if (!Array.isArray(hosts)) return [`expected hosts to be an array of host names, got ${shown(hosts)}`]
    const problems = hosts.length === 0 && !requiresBaseUrl ? ['expected the vendor\'s hosts (an empty list needs requiresBaseUrl: true), got none'] : []
    for (const host of hosts) {
      if (typeof host === 'string' && HOST_PATTERN.test(host)) continue
      problems.push(`expected a bare lowercase host name such as "api.mistral.ai" (no scheme, port or path), got ${shown(host)}`)
    }
    return problems
  })

  let registered: LlmProvider | undefined
  await runner.run('is accepted by the service\'s registry', () => {
    try {
      const registry = createProviderRegistry([{ definition, origin: `conformance ${String(definition?.id)}` }], () => context)
      registered = registry.list()[0]
      return []
    } catch (error) {
      return [`expected the registry to accept it, but it refused: ${describe(error)} (the checks that call the provider did not run)`]
    }
  })
  if (registered === undefined) return report()
  const provider = registered

  await runner.run('lists well-formed curated models, at least one unless requiresBaseUrl', () => [
    ...(provider.models.length === 0 && !requiresBaseUrl ? ['expected at least one curated model, got none'] : []),
    ...modelListProblems(provider.models, 'curated')
  ])
  await runner.run('answers well-formed capabilities for the tested model, a dated snapshot of it and an unseen model id', () => {
    const problems: string[] = []
    for (const id of [modelId, `${modelId}-2099-01-01`, UNSEEN_MODEL_ID]) {
      try {
        const found = capabilityProblems(provider.capabilities(id))
        if (found.length > 0) problems.push(`capabilities("${id}"): ${found.join(', ')}`)
      } catch (error) {
        problems.push(`expected capabilities("${id}") to answer, but it threw ${describe(error)}`)
      }
    }
    return problems
  })

  await runner.run('validateKey resolves {valid:true} for the good key', async () => {
    const accepted = await settle(() => provider.validateKey(good, { signal: signal() }), canary, 'what validateKey(good key) threw')
    if (accepted.error !== undefined) return [`expected {valid:true}, but validateKey threw ${describe(accepted.error)}`]
    return isValidKeyCheck(accepted.value) ? [] : [`expected exactly {valid:true}, got ${shown(accepted.value)}`]
  })
  await runner.run('validateKey resolves {valid:false} with a reason for the bad key, without throwing', async () => {
    const refused = await settle(() => provider.validateKey(bad, { signal: signal() }), canary, 'what validateKey(bad key) threw')
    if (refused.error !== undefined) return [`expected {valid:false, reason}, but validateKey threw ${describe(refused.error)}`]
    if (refused.value?.valid !== false) return [`expected {valid:false, reason}, got ${shown(refused.value)}`]
    const reason: unknown = refused.value.reason
    canary.inspect(reason, 'validateKey(bad key)\'s reason')
    return typeof reason === 'string' && reason !== '' ? [] : [`expected {valid:false} with a non-empty reason, got the reason ${shown(reason)}`]
  })

  await runner.run('listModels resolves well-formed models for the good key', async () => {
    const listed = await settle(() => provider.listModels(good, { signal: signal() }), canary, 'what listModels threw')
    if (listed.error !== undefined) return [`expected a list of models, but listModels threw ${describe(listed.error)}`]
    return modelListProblems(listed.value, 'listed')
  })

  await runner.run('invoke resolves text, a finish reason and usage counts for the good key', async () => {
    const decided = decideParameters(modelId, provider.capabilities(modelId), {})
    const answered = await settle(() => provider.invoke({
      ...good, modelId, prompt: 'Say hello.', instructions: 'Answer in one word.', maxOutputTokens: decided.maxOutputTokens, signal: signal()
    }), canary, 'what invoke with the good key threw')
    if (answered.error !== undefined) return [`expected an answer, but invoke threw ${describe(answered.error)}`]
    return invokeResultProblems(answered.value)
  })

  await runner.run('invoke with the bad key throws ProviderError PROVIDER_AUTH', async () =>
    (await expectFailure(canary, 'invoke with the bad key', 'PROVIDER_AUTH', '', () => provider.invoke({ ...bad, modelId, prompt: 'x', signal: signal() }))).problems)
  for (const [failure, code, note] of FAILURES) {
    const retryAfter = failure === 'rate-limited' ? options.rateLimitRetryAfterMs : undefined
    const carrying = retryAfter === undefined ? '' : `, carrying retryAfterMs ${retryAfter}`
    await runner.run(`invoke meeting "${failure}"${note} throws ProviderError ${code}${carrying}`, async () => {
      await options.scenarios.failNext(failure)
      const where = `invoke meeting "${failure}"`
      const { error, problems } = await expectFailure(canary, where, code, RETRY_HINT, () => provider.invoke({ ...good, modelId, prompt: 'x', signal: signal() }))
      if (error === undefined || retryAfter === undefined || error.retryAfterMs === retryAfter) return problems
      return [...problems, `expected retryAfterMs ${retryAfter} (the stub's retry-after), got ${shown(error.retryAfterMs)}`]
    })
  }
  await runner.run(`invoke meeting "hang" with a ${CONFORMANCE_HANG_SIGNAL_MS} ms signal throws ProviderError PROVIDER_TIMEOUT soon after`, async () => {
    await options.scenarios.failNext('hang')
    const begun = performance.now()
    const { problems } = await expectFailure(canary, 'invoke meeting "hang"', 'PROVIDER_TIMEOUT', '',
      () => provider.invoke({ ...good, modelId, prompt: 'x', signal: AbortSignal.timeout(CONFORMANCE_HANG_SIGNAL_MS) }))
    const took = Math.round(performance.now() - begun)
    return took < HANG_ENDS_WITHIN_MS ? problems : [...problems, `expected the call to end within ${HANG_ENDS_WITHIN_MS} ms, but it took ${took} ms`]
  })

  await runner.run('repeats no key, whole or in part, in errors, key-check reasons or logs', () => {
    for (const entry of logged) canary.inspect(entry, 'a log line')
    return canary.leaks.length === 0 ? [] : [`expected no text of either key, but ${canary.leaks.join(', ')}`]
  })
  // After the key check above, so a leak in a batch call fails the batch's own key check only.
  await runBatchChecks({ runner, canary, logged, provider, good, bad, modelId, scenario: options.batch })
  return report()
}

function isValidKeyCheck (value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 1 && (value as { valid?: unknown }).valid === true
}

/** Keeps every line for the canary, and passes it on to the caller's logger when one was given. */
function recordingLogger (entries: unknown[], forward: ProviderLogger | undefined): ProviderLogger {
  const writer = (level: keyof ProviderLogger) => (object: object, message?: string): void => {
    entries.push(message, object, ...(typeof object === 'object' && object !== null ? Object.values(object) : []))
    forward?.[level](object, message)
  }
  return { debug: writer('debug'), info: writer('info'), warn: writer('warn') }
}
