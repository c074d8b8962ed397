import t from 'tap'
import { execFile } from 'node:child_process'
import { mapAnthropicError } from '../../providers/anthropic/anthropic-errors.ts'
import { loadAnthropicSdk } from '../../providers/anthropic/anthropic-sdk.ts'
import { mapCohereError } from '../../providers/cohere/cohere-errors.ts'
import { loadCohereSdk } from '../../providers/cohere/cohere-sdk.ts'
import { ProviderError } from '../../providers/errors.ts'
import { mapGeminiError } from '../../providers/gemini/gemini-errors.ts'
import { loadGeminiSdk } from '../../providers/gemini/gemini-sdk.ts'
import { mapOpenAIError } from '../../providers/openai/openai-errors.ts'
import { loadOpenAISdk } from '../../providers/openai/openai-sdk.ts'
import { mapXaiError } from '../../providers/xai/xai-errors.ts'
import { repositoryPath } from '../helpers/repository.ts'

const FIRST_CALLS = repositoryPath('test/fixtures/sdk-loading/first-calls.ts')

interface FirstCalls {
  readonly metadata: readonly string[]
  readonly steps: ReadonlyArray<{ readonly step: string, readonly sdks: readonly string[] }>
  readonly answers: readonly string[]
}

/** Runs the fixture in a fresh node with tsx alone: tap's own loader (in NODE_OPTIONS) would load modules too. */
function runFirstCalls (): Promise<FirstCalls> {
  const { NODE_OPTIONS: _loaders, ...environment } = process.env
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', FIRST_CALLS], { env: environment, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`first-calls.ts failed: ${error.message}\n${stderr}`))
      else resolve(JSON.parse(stdout) as FirstCalls)
    })
  })
}

t.test('booting the built-in providers loads no vendor SDK; each first call loads its own SDK only', async t => {
  const { metadata, steps, answers } = await runFirstCalls()
  t.equal(metadata.length, 6, 'every built-in registered, with models and capabilities read at boot')
  t.same(steps, [
    { step: 'boot', sdks: [] },
    { step: 'after openai', sdks: ['openai'] },
    { step: 'after anthropic', sdks: ['openai', '@anthropic-ai/sdk'] },
    { step: 'after cohere', sdks: ['openai', '@anthropic-ai/sdk', 'cohere-ai'] },
    { step: 'after gemini', sdks: ['openai', '@anthropic-ai/sdk', 'cohere-ai', '@google/genai'] }
  ])
  t.equal(answers.length, 4, 'each call answered through its freshly loaded SDK')
})

t.test('errors that arrive before an SDK is loaded map as they always did', async t => {
  t.same([loadOpenAISdk, loadAnthropicSdk, loadCohereSdk, loadGeminiSdk].map(load => load.loaded()), [undefined, undefined, undefined, undefined],
    'this process has loaded none of the SDKs')
  const mappers = {
    openai: (error: unknown, signal: AbortSignal) => mapOpenAIError(error, signal, { vendor: 'OpenAI' }),
    xai: mapXaiError,
    anthropic: mapAnthropicError,
    cohere: mapCohereError,
    gemini: mapGeminiError
  }
  const aborted = AbortSignal.abort()
  const live = new AbortController().signal
  const refused = new ProviderError('PROVIDER_REJECTED', 'refused before any call')
  for (const [name, map] of Object.entries(mappers)) {
    t.equal(map(new DOMException('This operation was aborted', 'AbortError'), aborted).code, 'PROVIDER_TIMEOUT', `${name}: an abort is a timeout`)
    t.equal(map(new TypeError('fetch failed'), live).code, 'PROVIDER_UNAVAILABLE', `${name}: a network failure is unavailable`)
    t.equal(map(refused, live), refused, `${name}: a ProviderError passes through`)
  }
})
