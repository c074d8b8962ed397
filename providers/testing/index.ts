/**
 * The provider conformance kit, published as `hubspot-llm-actions/provider/testing`.
 *
 * Every built-in provider runs it, and a third-party provider package should too: it checks, against the
 * package's own loopback stub of its vendor, the promises the service relies on. A provider that passes can be
 * listed in `LLM_PROVIDER_PACKAGES`.
 *
 * It belongs to no test runner: `runProviderConformance(options)` runs every check and resolves a plain
 * `ConformanceReport` (`{ provider?, passed, checks: [{ name, passed, reason?, durationMs }], durationMs }`), so
 * any runner can assert on it, or none. With `node:test` (or any runner, in JavaScript or TypeScript):
 *
 * ```js
 * import { test } from 'node:test'
 * import assert from 'node:assert/strict'
 * import { formatConformanceReport, runProviderConformance } from 'hubspot-llm-actions/provider/testing'
 * import provider from '../index.js'
 * import { startMistralStub } from './mistral-stub.js'
 *
 * test('keeps the provider contract', async t => {
 *   const stub = await startMistralStub()
 *   t.after(() => stub.close())
 *   const report = await runProviderConformance({
 *     definition: provider,
 *     baseUrl: stub.baseUrl,
 *     goodKey: 'mistral-good-key-000000000000',
 *     badKey: 'mistral-canary-key-1234567890',
 *     modelId: 'mistral-large-latest',
 *     scenarios: { failNext: failure => stub.failNextGeneration(failure) }
 *   })
 *   assert.ok(report.passed, formatConformanceReport(report))
 * })
 * ```
 *
 * With tap, a few lines report each check as its own assertion (this repository's `test/helpers/conformance-tap.ts`
 * does this):
 *
 * ```ts
 * const report = await runProviderConformance(options)
 * for (const check of report.checks) t.ok(check.passed, check.name, check.passed ? {} : { reason: check.reason })
 * ```
 *
 * What the stub must do:
 * - accept `goodKey` on the routes `validateKey`, `listModels` and `invoke` use, and answer a generation with
 *   some text;
 * - refuse any other key the way the vendor does (status and body; echoing part of the key, as vendors do, lets
 *   the kit prove the provider never repeats it);
 * - answer the next generation request with a failure when `scenarios.failNext` asks (see
 *   `ConformanceScenarios`), and later ones normally again;
 * - for a provider with `batch`, take a batch of two requests and end it, every request answered, when
 *   `batch.finish` asks (or on its own, within `batch.endsWithinMs`).
 *
 * The checks, run one after the other (the stub's scenarios depend on order):
 *
 * 1. the definition: contract version, id shape, label, hosts (bare host names; none only with `requiresBaseUrl`);
 * 2. registration through the service's own registry (when it refuses, the report ends there);
 * 3. the curated models (at least one unless `requiresBaseUrl`) and their capabilities: effort levels a subset
 *    of low/medium/high, a sane temperature range, positive token caps; and `capabilities()` for unseen ids;
 * 4. `validateKey`: the good key is `{valid:true}`, the bad one `{valid:false, reason}` (not a throw);
 * 5. `listModels` with the good key: well-formed models;
 * 6. `invoke` with the service's default parameters: text, finish reason, usage counts;
 * 7. failures, each a `ProviderError` with the right code: the bad key, then a revoked key (401) →
 *    PROVIDER_AUTH, 429 → PROVIDER_RATE_LIMITED, 5xx → PROVIDER_UNAVAILABLE, a hang past a 300 ms signal →
 *    PROVIDER_TIMEOUT;
 * 8. no key text in anything thrown or logged along the way;
 * 9. when the provider declares `batch`: its shape (the four methods, `supports` and `find` as functions when
 *    present, positive whole `maxItems` and `maxBytes`); a round trip of two items, ended as `options.batch` says
 *    (see `ConformanceBatchScenario`): submit → `status` until it leaves running, then `ended` → exactly one
 *    well-formed answer per custom id → cancel of the ended batch does nothing; a submit with the bad key →
 *    PROVIDER_AUTH; and no key text in what those calls threw, resolved, yielded or logged.
 *
 * A check that throws, or runs past `checkTimeoutMs`, is a failed check whose reason says so; the run goes on.
 * Reasons never hold key text: whatever the provider threw is quoted with every fragment of either key redacted,
 * so a report is safe to print in CI logs. The kit imports nothing but the provider contract: no test runner,
 * no Fastify.
 */
export { runProviderConformance, CONFORMANCE_HANG_SIGNAL_MS } from './run-provider-conformance.ts'
export { formatConformanceReport, type ConformanceCheck, type ConformanceReport } from './conformance-report.ts'
export type { ConformanceBatchScenario, ConformanceFailure, ConformanceOptions, ConformanceScenarios } from './conformance-options.ts'
export { capabilityProblems } from './model-checks.ts'
