/**
 * The provider conformance kit, published as `hubspot-llm-actions/provider/testing`.
 *
 * Every built-in provider runs it, and a third-party provider package should too: it checks, against the
 * package's own loopback stub of its vendor, the promises the service relies on. A provider that passes can be
 * listed in `LLM_PROVIDER_PACKAGES`.
 *
 * ```ts
 * import t from 'tap'
 * import { runProviderConformance } from 'hubspot-llm-actions/provider/testing'
 * import provider from '../index.ts'
 * import { startMistralStub } from './mistral-stub.ts'
 *
 * t.test('conformance', async t => {
 *   const stub = await startMistralStub()
 *   t.teardown(() => stub.close())
 *   await runProviderConformance(t, {
 *     definition: provider,
 *     baseUrl: stub.baseUrl,
 *     goodKey: 'mistral-good-key-000000000000',
 *     badKey: 'mistral-canary-key-1234567890',
 *     modelId: 'mistral-large-latest',
 *     scenarios: { failNext: failure => stub.failNextGeneration(failure) }
 *   })
 * })
 * ```
 *
 * What the stub must do:
 * - accept `goodKey` on the routes `validateKey`, `listModels` and `invoke` use, and answer a generation with
 *   some text;
 * - refuse any other key the way the vendor does (status and body; echoing part of the key, as vendors do, lets
 *   the kit prove the provider never repeats it);
 * - answer the next generation request with a failure when `scenarios.failNext` asks (see
 *   `ConformanceScenarios`), and later ones normally again.
 *
 * The kit imports nothing from tap but its types: it runs with the tap the plugin's own tests use.
 */
import type { Test } from 'tap'
import {
  PROVIDER_SPEC_VERSION,
  REASONING_EFFORTS,
  type FinishReason,
  type LlmProvider,
  type ModelCapabilities,
  type ProviderContext,
  type ProviderCredentials,
  type ProviderDefinition,
  type ProviderModel
} from '../contract.ts'
import { ProviderError, type ProviderErrorCode } from '../errors.ts'
import { decideParameters } from '../parameters.ts'
import { PROVIDER_ID_PATTERN, createProviderRegistry } from '../registry.ts'

/**
 * A failure the stub produces for the next generation request (the route `invoke` calls), once:
 * - `unauthorized`: the vendor's answer to a revoked key (usually HTTP 401 and its error body);
 * - `rate-limited`: HTTP 429 (a `retry-after` header is welcome, see `rateLimitRetryAfterMs`);
 * - `unavailable`: HTTP 500 or 503;
 * - `hang`: no answer for at least 5 seconds (the kit gives up after `CONFORMANCE_HANG_SIGNAL_MS`).
 */
export type ConformanceFailure = 'unauthorized' | 'rate-limited' | 'unavailable' | 'hang'

/** How the kit drives the plugin's stub. */
export interface ConformanceScenarios {
  /**
   * Makes the next generation request (and only that one) fail as described by `failure`. The request after it
   * must succeed again; so a provider whose SDK retries on its own fails these checks, as it should: retries
   * belong to the service.
   */
  failNext (failure: ConformanceFailure): void | Promise<void>
}

export interface ConformanceOptions {
  /** The provider module's default export (made with `defineProvider`). */
  readonly definition: ProviderDefinition
  /**
   * The stub's base URL, in the form the provider takes. Given as the context's `baseUrl`, and also as each
   * call's `credentials.baseUrl` when the provider sets `requiresBaseUrl`.
   */
  readonly baseUrl: string
  /** A key the stub accepts. */
  readonly goodKey: string
  /**
   * A key the stub refuses: a "canary". No error, cause, key-check reason or log line may contain it, nor the good
   * key, nor any 8-character run of either; so make both keys random-looking (`sk-canary-7f3a9c2e5b1d4e8f`), with
   * no words a message could contain (a key holding `-compatible-` trips on "OpenAI-compatible endpoint").
   */
  readonly badKey: string
  /** A model the stub serves; it need not be in the provider's curated list. */
  readonly modelId: string
  readonly scenarios: ConformanceScenarios
  /** When set, the `rate-limited` failure must carry this `retryAfterMs` (the stub's `retry-after`, parsed). */
  readonly rateLimitRetryAfterMs?: number
  /** Context fields to override (`fetch`, `timeoutMs`, `log`). The kit's default `timeoutMs` is 10 000. */
  readonly context?: Partial<Omit<ProviderContext, 'baseUrl'>>
}

/** The signal given to the call that meets a hanging stub. */
export const CONFORMANCE_HANG_SIGNAL_MS = 300

const FINISH_REASONS: readonly FinishReason[] = ['stop', 'length', 'content-filter', 'error', 'other']
const HOST_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/
const UNSEEN_MODEL_ID = 'conformance-unseen-model-2099'
const FAILURES: ReadonlyArray<readonly [ConformanceFailure, ProviderErrorCode]> = [
  ['unauthorized', 'PROVIDER_AUTH'],
  ['rate-limited', 'PROVIDER_RATE_LIMITED'],
  ['unavailable', 'PROVIDER_UNAVAILABLE']
]

/**
 * Runs the conformance checks as subtests of `t`, one after the other (the stub scenarios depend on order), and
 * resolves when all have run:
 *
 * 1. the definition: contract version, id shape, label, hosts (bare host names; none only with `requiresBaseUrl`);
 * 2. registration through the service's own registry;
 * 3. the curated models (at least one unless `requiresBaseUrl`) and their capabilities: effort levels a subset
 *    of low/medium/high, a sane temperature range, positive token caps; and `capabilities()` for unseen ids;
 * 4. `validateKey`: the good key is `{valid:true}`, the bad one `{valid:false, reason}` (not a throw);
 * 5. `listModels` with the good key: well-formed models;
 * 6. `invoke` with the service's default parameters: text, finish reason, usage counts;
 * 7. failures, each a `ProviderError` with the right code: the bad key, then a revoked key (401) →
 *    PROVIDER_AUTH, 429 → PROVIDER_RATE_LIMITED, 5xx → PROVIDER_UNAVAILABLE, a hang past a 300 ms signal →
 *    PROVIDER_TIMEOUT;
 * 8. no key text in anything thrown or logged along the way.
 */
export async function runProviderConformance (t: Test, options: ConformanceOptions): Promise<void> {
  const { definition, modelId } = options
  const canary = new CanaryWatch([options.goodKey, options.badKey])
  const logged: string[] = []
  const context: ProviderContext = {
    fetch: globalThis.fetch,
    timeoutMs: 10_000,
    log: recordingLogger(logged),
    ...options.context,
    baseUrl: options.baseUrl
  }
  const connection = definition.requiresBaseUrl === true ? { baseUrl: options.baseUrl } : {}
  const good: ProviderCredentials = { apiKey: options.goodKey, ...connection }
  const bad: ProviderCredentials = { apiKey: options.badKey, ...connection }

  await t.test('declares the contract version, an id, a label and its hosts', async t => {
    t.equal(definition.specificationVersion, PROVIDER_SPEC_VERSION, 'specificationVersion is this contract\'s (made with defineProvider)')
    t.match(definition.id, PROVIDER_ID_PATTERN, 'id is lowercase letters, digits and dashes, starting with a letter')
    t.ok(typeof definition.label === 'string' && definition.label.trim() !== '', 'label is a non-empty string')
    t.ok(Array.isArray(definition.hosts), 'hosts is an array')
    if (definition.requiresBaseUrl !== true) t.ok(definition.hosts.length > 0, 'hosts names the vendor\'s hosts (empty only with requiresBaseUrl)')
    for (const host of Array.isArray(definition.hosts) ? definition.hosts : []) t.match(host, HOST_PATTERN, `host "${host}" is a bare lowercase host name (no scheme, port or path)`)
  })

  let provider: LlmProvider
  try {
    const registry = createProviderRegistry([{ definition, origin: `conformance ${String(definition.id)}` }], () => context)
    provider = registry.list()[0] as LlmProvider
    t.pass('the service\'s registry accepts it')
  } catch (error) {
    t.fail(`the service's registry refuses it: ${describe(error)}`)
    return
  }

  await t.test('curated models and capabilities are well formed', async t => {
    if (definition.requiresBaseUrl !== true) t.ok(provider.models.length > 0, 'models lists at least one curated model')
    checkModels(t, provider.models, 'curated')
    for (const id of [modelId, `${modelId}-2099-01-01`, UNSEEN_MODEL_ID]) {
      let capabilities: ModelCapabilities | undefined
      try {
        capabilities = provider.capabilities(id)
      } catch (error) {
        t.fail(`capabilities("${id}") throws: ${describe(error)}`)
        continue
      }
      t.same(capabilityProblems(capabilities), [], `capabilities("${id}") answers well-formed capabilities`)
    }
  })

  await t.test('validateKey tells a good key from a bad one', async t => {
    const accepted = await settle(() => provider.validateKey(good, { signal: signal() }), canary, 'validateKey(good key)')
    t.same(accepted.value, { valid: true }, 'the good key is {valid:true}')
    if (accepted.error !== undefined) t.fail(`validateKey(good key) throws: ${describe(accepted.error)}`)
    const refused = await settle(() => provider.validateKey(bad, { signal: signal() }), canary, 'validateKey(bad key)')
    if (refused.error !== undefined) t.fail(`validateKey(bad key) throws instead of resolving {valid:false}: ${describe(refused.error)}`)
    t.equal(refused.value?.valid, false, 'the bad key is {valid:false}')
    const reason = refused.value?.valid === false ? refused.value.reason : undefined
    t.ok(typeof reason === 'string' && reason !== '', 'with a reason')
    canary.inspect(reason, 'validateKey(bad key) reason')
  })

  await t.test('listModels answers well-formed models', async t => {
    const listed = await settle(() => provider.listModels(good, { signal: signal() }), canary, 'listModels')
    if (listed.error !== undefined) t.fail(`listModels throws: ${describe(listed.error)}`)
    t.ok(Array.isArray(listed.value), 'an array')
    checkModels(t, listed.value ?? [], 'listed')
  })

  await t.test('invoke answers text, a finish reason and usage', async t => {
    const decided = decideParameters(modelId, provider.capabilities(modelId), {})
    const answered = await settle(() => provider.invoke({
      ...good, modelId, prompt: 'Say hello.', instructions: 'Answer in one word.', maxOutputTokens: decided.maxOutputTokens, signal: signal()
    }), canary, 'invoke')
    if (answered.error !== undefined) {
      t.fail(`invoke throws: ${describe(answered.error)}`)
      return
    }
    const result = answered.value
    t.type(result?.text, 'string', 'text is a string')
    t.ok(FINISH_REASONS.includes(result?.finishReason as FinishReason), `finishReason "${String(result?.finishReason)}" is one of ${FINISH_REASONS.join(', ')}`)
    for (const field of ['inputTokens', 'outputTokens', 'cachedInputTokens', 'reasoningTokens'] as const) {
      const count = result?.usage?.[field]
      if (count === undefined && (field === 'cachedInputTokens' || field === 'reasoningTokens')) continue
      t.ok(isCount(count), `usage.${field} is a whole number ≥ 0 (got ${String(count)})`)
    }
    if (result?.model !== undefined) t.type(result.model, 'string', 'model, when given, is a string')
    if (result?.adjustments !== undefined) t.ok(result.adjustments.every(line => typeof line === 'string'), 'adjustments, when given, are sentences')
  })

  await t.test('failures are ProviderErrors with the contract codes', async t => {
    await expectFailure(t, canary, 'invoke with the bad key', 'PROVIDER_AUTH', () => provider.invoke({ ...bad, modelId, prompt: 'x', signal: signal() }))
    for (const [failure, code] of FAILURES) {
      await options.scenarios.failNext(failure)
      const error = await expectFailure(t, canary, `invoke meeting "${failure}"`, code, () => provider.invoke({ ...good, modelId, prompt: 'x', signal: signal() }))
      if (failure === 'rate-limited' && options.rateLimitRetryAfterMs !== undefined) {
        t.equal(error?.retryAfterMs, options.rateLimitRetryAfterMs, 'the rate limit carries the vendor\'s retry-after')
      }
    }
    await options.scenarios.failNext('hang')
    const started = Date.now()
    await expectFailure(t, canary, `invoke meeting "hang" with a ${CONFORMANCE_HANG_SIGNAL_MS} ms signal`, 'PROVIDER_TIMEOUT',
      () => provider.invoke({ ...good, modelId, prompt: 'x', signal: AbortSignal.timeout(CONFORMANCE_HANG_SIGNAL_MS) }))
    t.ok(Date.now() - started < 3000, 'the call ends soon after its signal fires')
  })

  await t.test('no key appears in errors, key-check reasons or logs', async t => {
    for (const line of logged) canary.inspect(line, 'a log line')
    t.same(canary.leaks, [], 'nothing repeats the good or bad key, whole or in part')
  })
}

/** Each problem found in a model's capabilities, as a sentence; empty when they are well formed. */
export function capabilityProblems (capabilities: ModelCapabilities | undefined): string[] {
  if (typeof capabilities !== 'object' || capabilities === null) return ['capabilities is not an object']
  const problems: string[] = []
  if (typeof capabilities.temperature !== 'boolean') problems.push('temperature is not a boolean')
  const range = capabilities.temperatureRange
  if (range !== undefined) {
    const [lowest, highest] = Array.isArray(range) ? range : []
    if (!Array.isArray(range) || range.length !== 2 || !Number.isFinite(lowest) || !Number.isFinite(highest) ||
      (lowest as number) < 0 || (lowest as number) > (highest as number)) {
      problems.push(`temperatureRange ${JSON.stringify(range)} is not [lowest, highest] with 0 ≤ lowest ≤ highest`)
    }
  }
  if (typeof capabilities.temperatureExcludesReasoning !== 'undefined' && typeof capabilities.temperatureExcludesReasoning !== 'boolean') {
    problems.push('temperatureExcludesReasoning is not a boolean')
  }
  const efforts = capabilities.reasoningEfforts
  if (!Array.isArray(efforts)) {
    problems.push('reasoningEfforts is not an array')
  } else {
    if (!efforts.every(effort => REASONING_EFFORTS.includes(effort))) problems.push(`reasoningEfforts ${JSON.stringify(efforts)} holds values other than low, medium, high`)
    if (new Set(efforts).size !== efforts.length) problems.push(`reasoningEfforts ${JSON.stringify(efforts)} repeats a level`)
  }
  if (typeof capabilities.structuredOutput !== 'boolean') problems.push('structuredOutput is not a boolean')
  for (const field of ['maxOutputTokens', 'defaultMaxOutputTokens'] as const) {
    const value = capabilities[field]
    if (value !== undefined && !(isCount(value) && value > 0)) problems.push(`${field} ${String(value)} is not a positive whole number`)
  }
  if (capabilities.maxOutputTokens !== undefined && capabilities.defaultMaxOutputTokens !== undefined &&
    capabilities.defaultMaxOutputTokens > capabilities.maxOutputTokens) {
    problems.push('defaultMaxOutputTokens exceeds maxOutputTokens')
  }
  return problems
}

function checkModels (t: Test, models: readonly ProviderModel[], which: string): void {
  const ids = models.map(model => model?.id)
  t.equal(new Set(ids).size, ids.length, `${which} model ids are unique`)
  for (const model of models) {
    const problems = typeof model?.id === 'string' && model.id !== '' ? [] : ['id is not a non-empty string']
    if (typeof model?.label !== 'string' || model.label.trim() === '') problems.push('label is not a non-empty string')
    if (model?.deprecatedAfter !== undefined && !DATE_PATTERN.test(model.deprecatedAfter)) problems.push('deprecatedAfter is not YYYY-MM-DD')
    problems.push(...capabilityProblems(model?.capabilities))
    t.same(problems, [], `${which} model "${String(model?.id)}" is well formed`)
  }
}

/** Settles one call, never throwing (a synchronous throw counts as a rejection), and hands any error to the canary. */
async function settle<T> (call: () => Promise<T>, canary: CanaryWatch, where: string): Promise<{ value?: T, error?: unknown }> {
  try {
    return { value: await call() }
  } catch (error) {
    canary.inspect(error, where)
    return { error: error ?? new Error('rejected with nothing') }
  }
}

async function expectFailure (t: Test, canary: CanaryWatch, where: string, code: ProviderErrorCode, call: () => Promise<unknown>): Promise<ProviderError | undefined> {
  const outcome = await settle(call, canary, where)
  if (outcome.error === undefined) {
    t.fail(`${where}: resolved, expected ${code}`)
    return undefined
  }
  const error = outcome.error
  if (!ProviderError.is(error)) {
    t.fail(`${where}: threw ${describe(error)}, not a ProviderError from providers/errors.ts`)
    return undefined
  }
  t.equal(error.code, code, `${where}: ${code}`)
  return error
}

/**
 * Watches for key text: each key whole, and every 8-character run of it (vendors echo `sk-abc…wxyz`-style parts).
 * Errors are searched through their message, stack, enumerable fields and causes, as a log serializer prints them.
 */
class CanaryWatch {
  readonly leaks: string[] = []
  private readonly fragments: string[]

  constructor (keys: readonly string[]) {
    this.fragments = [...new Set(keys.filter(key => key !== '').flatMap(key => key.length <= 8
      ? [key]
      : Array.from({ length: key.length - 7 }, (_, index) => key.slice(index, index + 8))))]
  }

  inspect (value: unknown, where: string): void {
    for (const text of searchableTexts(value)) {
      const fragment = this.fragments.find(candidate => text.includes(candidate))
      if (fragment !== undefined) {
        this.leaks.push(`${where} contains "${fragment}"`)
        return
      }
    }
  }
}

function searchableTexts (value: unknown, depth = 0): string[] {
  if (value === undefined || value === null || depth > 5) return []
  if (typeof value !== 'object') return [String(value)]
  const error = value as { message?: unknown, stack?: unknown, cause?: unknown }
  let json = ''
  try { json = JSON.stringify(value) ?? '' } catch { json = '' }
  return [String(error.message ?? ''), String(error.stack ?? ''), json, ...searchableTexts(error.cause, depth + 1)]
}

function recordingLogger (lines: string[]): ProviderContext['log'] {
  const write = (object: object, message?: string): void => {
    let line: string
    try { line = JSON.stringify({ ...object, message }) } catch { line = String(message) }
    lines.push(line)
  }
  return { debug: write, info: write, warn: write }
}

function isCount (value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0
}

function signal (): AbortSignal {
  return AbortSignal.timeout(5000)
}

function describe (error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  return String(error)
}
