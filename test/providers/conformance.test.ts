import t from 'tap'
import anthropic from '../../providers/anthropic/index.ts'
import cohere from '../../providers/cohere/index.ts'
import gemini from '../../providers/gemini/index.ts'
import openai from '../../providers/openai/index.ts'
import openaiCompatible from '../../providers/openai-compatible/index.ts'
import xai from '../../providers/xai/index.ts'
import type { ConformanceOptions } from '../../providers/testing/index.ts'
import { stubScenarios } from '../helpers/conformance-scenarios.ts'
import { assertConformance } from '../helpers/conformance-tap.ts'
import { ANTHROPIC_FAILURES, ANTHROPIC_GOOD_KEY, startAnthropicStub } from '../stubs/anthropic-stub.ts'
import { COHERE_FAILURES, COHERE_GOOD_KEY, startCohereStub } from '../stubs/cohere-stub.ts'
import { GEMINI_FAILURES, GEMINI_GOOD_KEY, generateRoute, startGeminiStub } from '../stubs/gemini-stub.ts'
import { OPENAI_FAILURES, OPENAI_GOOD_KEY, startOpenAIStub } from '../stubs/openai-stub.ts'
import { COMPATIBLE_GOOD_KEY, startCompatibleStub } from '../stubs/openai-compatible-stub.ts'
import { XAI_FAILURES, XAI_GOOD_KEY, startXaiStub } from '../stubs/xai-stub.ts'

/** One built-in under the kit: start its stub and say how to drive it; `close` runs when its tests end. */
interface ConformanceTarget {
  readonly name: string
  readonly start: () => Promise<ConformanceOptions & { readonly close: () => Promise<void> }>
}

/**
 * To add a provider, start its stub and name the route `invoke` posts to and its vendor's failure replies (and,
 * when it declares `batch`, how its stub ends a batch: `batch: { finish: batchId => stub.batches.end(batchId) }`):
 *
 *   { name: 'anthropic', start: async () => {
 *       const stub = await startAnthropicStub()
 *       return { definition: anthropic, baseUrl: stub.baseUrl, goodKey: ANTHROPIC_GOOD_KEY, badKey: 'sk-ant-canary-…',
 *         modelId: 'claude-…', scenarios: stubScenarios(stub, 'POST /v1/messages', ANTHROPIC_FAILURES), close: stub.close } } }
 */
const TARGETS: readonly ConformanceTarget[] = [
  {
    name: 'openai',
    start: async () => {
      const stub = await startOpenAIStub()
      return {
        definition: openai,
        baseUrl: stub.baseUrl,
        goodKey: OPENAI_GOOD_KEY,
        badKey: 'sk-canary-7f3a9c2e5b1d4e8f0a6c',
        modelId: 'gpt-4.1',
        scenarios: stubScenarios(stub, 'POST /v1/responses', OPENAI_FAILURES),
        rateLimitRetryAfterMs: 2000,
        batch: { finish: batchId => stub.batches.complete(batchId) },
        close: stub.close
      }
    }
  },
  {
    name: 'anthropic',
    start: async () => {
      const stub = await startAnthropicStub()
      return {
        definition: anthropic,
        baseUrl: stub.baseUrl,
        goodKey: ANTHROPIC_GOOD_KEY,
        badKey: 'sk-ant-canary-5d8e1f3a9b7c2e4d6f0a',
        modelId: 'claude-sonnet-4-6',
        scenarios: stubScenarios(stub, 'POST /v1/messages', ANTHROPIC_FAILURES),
        rateLimitRetryAfterMs: 2000,
        batch: { finish: batchId => stub.batches.end(batchId) },
        close: stub.close
      }
    }
  },
  {
    name: 'cohere',
    start: async () => {
      const stub = await startCohereStub()
      return {
        definition: cohere,
        baseUrl: stub.origin,
        goodKey: COHERE_GOOD_KEY,
        badKey: 'co-canary-9e2b7d4a1c8f3e5b0d6a',
        modelId: 'command-a-03-2025',
        scenarios: stubScenarios(stub, 'POST /v2/chat', COHERE_FAILURES),
        rateLimitRetryAfterMs: 2000,
        close: stub.close
      }
    }
  },
  {
    name: 'gemini',
    start: async () => {
      const stub = await startGeminiStub()
      return {
        definition: gemini,
        baseUrl: stub.origin,
        goodKey: GEMINI_GOOD_KEY,
        badKey: 'AIza-canary-3f8a1d6c9e2b5f7a0c4d',
        modelId: 'gemini-2.5-flash',
        scenarios: stubScenarios(stub, generateRoute('gemini-2.5-flash'), GEMINI_FAILURES),
        batch: { finish: batchId => stub.batches.succeed(batchId) },
        close: stub.close
      }
    }
  },
  {
    name: 'xai',
    start: async () => {
      const stub = await startXaiStub()
      return {
        definition: xai,
        baseUrl: stub.baseUrl,
        goodKey: XAI_GOOD_KEY,
        badKey: 'xai-canary-b8e14d07c93f2a65e1d0',
        modelId: 'grok-4.3',
        scenarios: stubScenarios(stub, 'POST /v1/responses', XAI_FAILURES),
        rateLimitRetryAfterMs: 2000,
        close: stub.close
      }
    }
  },
  {
    name: 'openai-compatible',
    start: async () => {
      const stub = await startCompatibleStub()
      return {
        definition: openaiCompatible,
        baseUrl: stub.baseUrl,
        goodKey: COMPATIBLE_GOOD_KEY,
        badKey: 'sk-canary-4c2e9a7b1f0d3e6a58b7',
        modelId: 'llama3.3:70b',
        scenarios: stubScenarios(stub, 'POST /v1/chat/completions', OPENAI_FAILURES),
        rateLimitRetryAfterMs: 2000,
        close: stub.close
      }
    }
  }
]

for (const target of TARGETS) {
  t.test(`${target.name} keeps the provider contract`, async t => {
    const { close, ...options } = await target.start()
    t.teardown(close)
    const report = await assertConformance(t, options)
    t.ok(report.passed, 'the report says it passed')
    t.equal(report.checks.some(check => check.name.startsWith('batch ')), options.batch !== undefined, 'the batch checks ran exactly when its batch is wired')
  })
}
