import t from 'tap'
import { readFile } from 'node:fs/promises'
import { dirname, relative, resolve } from 'node:path'
import type { BatchCapability, ProviderDefinition, ProviderImplementation } from '../../providers/contract.ts'
import { defineProvider } from '../../providers/define-provider.ts'
import { ProviderError } from '../../providers/errors.ts'
import openai from '../../providers/openai/index.ts'
import {
  formatConformanceReport,
  runProviderConformance,
  type ConformanceOptions,
  type ConformanceReport
} from '../../providers/testing/index.ts'
import { conformanceCheckNames } from '../helpers/conformance-check-names.ts'
import { stubScenarios } from '../helpers/conformance-scenarios.ts'
import { memoryProvider } from '../helpers/memory-provider.ts'
import { OPENAI_FAILURES, OPENAI_GOOD_KEY, startOpenAIStub } from '../stubs/openai-stub.ts'
import { repositoryPath } from '../helpers/repository.ts'

const BAD_KEY = 'sk-canary-0e9d8c7b6a5f4e3d2c1b'
const RETRY_HINT = ' (the stub fails one request only: does the provider or its SDK retry on its own? Retries belong to the service).'

/** OpenAI with one part of its implementation replaced. */
function brokenOpenAI (id: string, change: (implementation: ProviderImplementation) => Partial<ProviderImplementation>): ProviderDefinition {
  return defineProvider({
    id,
    label: id,
    hosts: ['api.openai.com'],
    create (context) {
      const implementation = openai.create(context)
      return { ...implementation, ...change(implementation) }
    }
  })
}

/** Runs the kit against a fresh OpenAI stub, so a failure one provider leaves queued never reaches the next. */
async function run (definition: ProviderDefinition, options: Partial<ConformanceOptions> = {}): Promise<ConformanceReport> {
  const stub = await startOpenAIStub()
  try {
    return await runProviderConformance({
      definition,
      baseUrl: stub.baseUrl,
      goodKey: OPENAI_GOOD_KEY,
      badKey: BAD_KEY,
      modelId: 'gpt-4.1',
      scenarios: stubScenarios(stub, 'POST /v1/responses', OPENAI_FAILURES),
      batch: { finish: batchId => stub.batches.complete(batchId) },
      ...options
    })
  } finally {
    await stub.close()
  }
}

function failures (report: ConformanceReport): Array<{ name: string, reason?: string }> {
  return report.checks.filter(check => !check.passed).map(check => ({ name: check.name, reason: check.reason }))
}

/** Every 8-character run of either key: what the kit's canary looks for, and what a reason must never hold. */
function keyFragments (): string[] {
  return [OPENAI_GOOD_KEY, BAD_KEY].flatMap(key => Array.from({ length: key.length - 7 }, (_, index) => key.slice(index, index + 8)))
}

const names = conformanceCheckNames({ batch: true })

t.test('a sound provider passes every check, each named and timed', async t => {
  const report = await run(openai)
  t.equal(report.passed, true)
  t.equal(report.provider, 'openai')
  t.same(report.checks.map(check => check.name), names)
  t.same(failures(report), [])
  t.ok(report.checks.every(check => Number.isInteger(check.durationMs) && check.durationMs >= 0), 'each check says how long it took')
  t.ok(report.checks.every(check => !('reason' in check)), 'a passed check has no reason')
  t.same(JSON.parse(JSON.stringify(report)), report, 'the report is plain data')
  t.match(formatConformanceReport(report), /^Provider conformance of "openai": 25 of 25 checks passed in \d+ ms\.\n {2}pass {2}is an object made with defineProvider/)
})

t.test('one whose SDK retries on its own fails each one-off failure, saying it resolved', async t => {
  const retrying = brokenOpenAI('retrying', implementation => ({
    invoke: request => implementation.invoke(request).catch(() => implementation.invoke(request))
  }))
  const report = await run(retrying)
  t.equal(report.passed, false)
  t.same(report.checks.map(check => check.name), names, 'every check still ran')
  t.same(failures(report), [
    { name: names[12], reason: `Expected a ProviderError with code PROVIDER_AUTH, but invoke meeting "unauthorized" resolved${RETRY_HINT}` },
    { name: names[13], reason: `Expected a ProviderError with code PROVIDER_RATE_LIMITED, but invoke meeting "rate-limited" resolved${RETRY_HINT}` },
    { name: names[14], reason: `Expected a ProviderError with code PROVIDER_UNAVAILABLE, but invoke meeting "unavailable" resolved${RETRY_HINT}` }
  ])
})

t.test('one that throws for a bad key and lets plain errors out fails those checks, quoting the errors', async t => {
  const careless = brokenOpenAI('careless', implementation => ({
    validateKey: async (credentials, options) => {
      const check = await implementation.validateKey(credentials, options)
      if (!check.valid) throw new Error('bad key')
      return check
    },
    invoke: request => implementation.invoke(request).catch((error: ProviderError) => {
      throw error.code === 'PROVIDER_AUTH' ? error : new Error(error.message)
    })
  }))
  const report = await run(careless)
  const notProviderError = 'which is not a ProviderError from hubspot-llm-actions/provider.'
  t.same(failures(report), [
    { name: names[8], reason: 'Expected {valid:false, reason}, but validateKey threw Error: bad key.' },
    { name: names[13], reason: `Expected a ProviderError with code PROVIDER_RATE_LIMITED, but invoke meeting "rate-limited" threw Error: OpenAI answered HTTP 429: Rate limit reached for requests, ${notProviderError}` },
    { name: names[14], reason: `Expected a ProviderError with code PROVIDER_UNAVAILABLE, but invoke meeting "unavailable" threw Error: OpenAI answered HTTP 503: The server is overloaded or not ready yet., ${notProviderError}` },
    { name: names[15], reason: `Expected a ProviderError with code PROVIDER_TIMEOUT, but invoke meeting "hang" threw Error: The provider did not answer in time., ${notProviderError}` }
  ])
  const text = formatConformanceReport(report)
  t.match(text, /^Provider conformance of "careless": 21 of 25 checks passed in \d+ ms, so it does not conform\./)
  t.match(text, `  FAIL  ${names[8]}\n        Expected {valid:false, reason}, but validateKey threw Error: bad key.\n`)
})

t.test('one that repeats part of a key in its errors fails the key check, which names where but not the text', async t => {
  const leaking = brokenOpenAI('leaking', implementation => ({
    invoke: request => implementation.invoke(request).catch((error: ProviderError) => {
      throw new ProviderError(error.code, `${error.message} (key ${request.apiKey.slice(0, 12)}…)`)
    })
  }))
  const report = await run(leaking)
  t.same(failures(report), [{
    name: names[16],
    reason: 'Expected no text of either key, but what invoke with the bad key threw repeats characters 1–8 of the bad key, ' +
      'what invoke meeting "unauthorized" threw repeats characters 1–8 of the good key, ' +
      'what invoke meeting "rate-limited" threw repeats characters 1–8 of the good key, ' +
      'what invoke meeting "unavailable" threw repeats characters 1–8 of the good key, ' +
      'what invoke meeting "hang" threw repeats characters 1–8 of the good key.'
  }])
})

t.test('one that mislabels errors and quotes the key fails those checks with the key redacted from every reason', async t => {
  const mislabelling = brokenOpenAI('mislabelling', implementation => ({
    invoke: request => implementation.invoke(request).catch((error: ProviderError) => {
      if (error.code === 'PROVIDER_RATE_LIMITED') throw new ProviderError('PROVIDER_UNAVAILABLE', `overloaded for ${request.apiKey}`)
      if (error.code === 'PROVIDER_UNAVAILABLE') throw new Error(`upstream failed for key ${request.apiKey} (${request.apiKey.toUpperCase()})`)
      throw error
    })
  }))
  const report = await run(mislabelling)
  t.same(failures(report).map(failure => failure.name), [names[13], names[14], names[16]])
  t.same(failures(report).map(failure => failure.reason), [
    'Expected a ProviderError with code PROVIDER_RATE_LIMITED, but invoke meeting "rate-limited" threw PROVIDER_UNAVAILABLE: overloaded for [redacted].',
    'Expected a ProviderError with code PROVIDER_UNAVAILABLE, but invoke meeting "unavailable" threw Error: upstream failed for key [redacted] ([redacted]), ' +
      'which is not a ProviderError from hubspot-llm-actions/provider.',
    'Expected no text of either key, but what invoke meeting "rate-limited" threw repeats characters 1–8 of the good key, ' +
      'what invoke meeting "unavailable" threw repeats characters 1–8 of the good key.'
  ])
  const printed = JSON.stringify(report) + formatConformanceReport(report)
  t.same(keyFragments().filter(fragment => printed.toLowerCase().includes(fragment.toLowerCase())), [], 'no fragment of either key, in any letter case, anywhere in the report')
})

t.test('a check that throws or never settles fails alone, and the run goes on', async t => {
  const sound = memoryProvider()
  const passing = await runProviderConformance({ ...sound, badKey: BAD_KEY })
  t.same(failures(passing), [], 'the in-memory provider passes as it is')

  const erratic = memoryProvider(implementation => ({
    capabilities: modelId => {
      if (modelId.startsWith('conformance-unseen')) throw new TypeError(`no table for ${modelId}`)
      return implementation.capabilities(modelId)
    },
    listModels: () => new Promise(() => {})
  }))
  const report = await runProviderConformance({
    ...erratic,
    badKey: BAD_KEY,
    scenarios: {
      failNext: failure => {
        if (failure === 'unavailable') throw new Error('this stub cannot fail that way')
        return erratic.scenarios.failNext(failure)
      }
    },
    checkTimeoutMs: 1000
  })
  const retryNames = conformanceCheckNames({ rateLimitRetryAfterMs: 1000 })
  t.same(report.checks.map(check => check.name), retryNames, 'every check ran')
  t.same(failures(report), [
    { name: retryNames[6], reason: 'Expected capabilities("conformance-unseen-model-2099") to answer, but it threw TypeError: no table for conformance-unseen-model-2099.' },
    { name: retryNames[9], reason: 'Expected the check to finish within 1000 ms, but it was still waiting on the provider (does a call ignore its signal?).' },
    { name: retryNames[14], reason: 'Expected the check to run to the end, but it threw Error: this stub cannot fail that way.' }
  ])
})

t.test('what is not a provider at all fails the definition checks and stops at the registry', async t => {
  const report = await run(undefined as unknown as ProviderDefinition)
  t.equal(report.passed, false)
  t.notOk('provider' in report, 'no id to name')
  t.match(formatConformanceReport(report), /^Provider conformance of a definition without an id: 0 of 5 checks passed/)
  t.same(failures(report), [
    { name: names[0], reason: 'Expected the module\'s default export made with defineProvider, got undefined.' },
    { name: names[1], reason: 'Expected an id such as "mistral", got undefined.' },
    { name: names[2], reason: 'Expected a label such as "Mistral", got undefined.' },
    { name: names[3], reason: 'Expected hosts to be an array of host names, got undefined.' },
    {
      name: names[4],
      reason: 'Expected the registry to accept it, but it refused: ProviderRegistrationError: provider conformance undefined: the default export must be made with defineProvider() ' +
        '(the checks that call the provider did not run).'
    }
  ])
})

/** OpenAI with its batch capability changed; `batchOf` reads the sound one. */
function brokenBatch (id: string, change: (batch: BatchCapability) => Partial<BatchCapability> | Record<string, unknown>): ProviderDefinition {
  return brokenOpenAI(id, implementation => ({ batch: { ...batchOf(implementation), ...change(batchOf(implementation)) } as BatchCapability }))
}

function batchOf (implementation: ProviderImplementation): BatchCapability {
  if (implementation.batch === undefined) throw new Error('the openai provider has no batch capability')
  return implementation.batch
}

const NOT_SUBMITTED = 'Expected a batch id from the submit check, but there was none, so this check did not run.'
const NOT_ENDED = 'Expected the batch to have ended in the status check, but it had not, so this check did not run.'

t.test('one whose batch answers a custom id it was never given, or declares no limit, fails those checks by name', async t => {
  const stray = brokenBatch('stray', batch => ({
    maxItems: 0,
    async * results (reference) {
      yield * batch.results(reference)
      yield { customId: 'conformance-third', kind: 'answer', result: { text: 'Hi.', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 } } }
    }
  }))
  const report = await run(stray)
  t.same(report.checks.map(check => check.name), names, 'every batch check ran')
  t.same(failures(report), [
    { name: names[18], reason: 'Expected maxItems to be a positive whole number, got 0.' },
    { name: names[21], reason: 'Expected results for the submitted custom ids "conformance-first" and "conformance-second" only, got one for "conformance-third".' }
  ])
})

t.test('one whose batch repeats the key in its results and errors fails the batch key check alone, quoting no key', async t => {
  const leaking = brokenBatch('leaking-batch', batch => ({
    async submit (request) {
      if (request.apiKey !== OPENAI_GOOD_KEY) throw new ProviderError('PROVIDER_AUTH', `The key ${request.apiKey} was refused.`)
      return await batch.submit(request)
    },
    async * results (reference) {
      for await (const result of batch.results(reference)) {
        yield result.kind === 'answer' ? { ...result, result: { ...result.result, text: `answered for ${reference.apiKey.slice(0, 10)}` } } : result
      }
    }
  }))
  const report = await run(leaking)
  t.same(failures(report), [{
    name: names[24],
    reason: 'Expected no text of either key, but what batch results yielded repeats characters 1–8 of the good key, ' +
      'what batch results yielded repeats characters 1–8 of the good key, what batch submit with the bad key threw repeats characters 1–8 of the bad key.'
  }], 'the key check of the calls before batch still passes')
  const printed = JSON.stringify(report) + formatConformanceReport(report)
  t.same(keyFragments().filter(fragment => printed.toLowerCase().includes(fragment.toLowerCase())), [], 'no fragment of either key anywhere in the report')
})

t.test('one whose batch is malformed fails the shape check, and no batch call is made', async t => {
  const malformed = brokenBatch('malformed-batch', () => ({ status: 'soon', find: true, supports: () => 'yes' }))
  const report = await run(malformed)
  t.same(report.checks.map(check => check.name), names.slice(0, 18), 'the batch checks stopped at the shape')
  t.same(failures(report), [{
    name: names[17],
    reason: 'Expected status to be a function, got "soon"; expected find, when present, to be a function, got true; expected supports("gpt-4.1") to answer a boolean, got "yes".'
  }])
})

t.test('a provider that declares batch fails the round trip when the options do not say how a batch ends', async t => {
  const report = await run(openai, { batch: undefined })
  t.same(report.checks.map(check => check.name), names)
  t.same(failures(report), [
    {
      name: names[19],
      reason: 'Expected options.batch, which says how a batch submitted to the stub ends (see ConformanceBatchScenario), since the provider declares batch; the round trip did not run.'
    },
    { name: names[20], reason: NOT_SUBMITTED },
    { name: names[21], reason: NOT_SUBMITTED },
    { name: names[22], reason: NOT_SUBMITTED }
  ])
})

t.test('a batch that never leaves running fails the status check once the poll bound passes', async t => {
  const report = await run(openai, { batch: { endsWithinMs: 300, pollIntervalMs: 50 } })
  const failed = failures(report)
  t.same(failed.map(failure => failure.name), [names[20], names[21], names[22]])
  t.match(failed[0]?.reason, /^Expected the batch to leave running within 300 ms, but status still answered running \(in_progress\) after \d+ calls \(options\.batch\.finish can end it at the stub at once\)\.$/)
  t.same(failed.slice(1).map(failure => failure.reason), [NOT_ENDED, NOT_ENDED])
})

t.test('mistakes in the options themselves reject with a TypeError naming the option', async t => {
  const options = { definition: openai, baseUrl: 'http://127.0.0.1:1', goodKey: 'a-good-key', badKey: 'a-bad-key', modelId: 'gpt-4.1', scenarios: { failNext () {} } }
  await t.rejects(runProviderConformance({ ...options, scenarios: {} as ConformanceOptions['scenarios'] }),
    new TypeError('runProviderConformance(options): scenarios.failNext must be a function'))
  await t.rejects(runProviderConformance({ ...options, badKey: 'a-good-key' }), new TypeError('runProviderConformance(options): goodKey and badKey must differ'))
  await t.rejects(runProviderConformance({ ...options, batch: { finish: 'now' } as unknown as ConformanceOptions['batch'] }),
    new TypeError('runProviderConformance(options): batch.finish must be a function when given'))
  await t.rejects(runProviderConformance({ ...options, batch: { endsWithinMs: Infinity } }),
    new TypeError('runProviderConformance(options): batch.endsWithinMs must be a positive number when given'))
  await t.rejects(runProviderConformance(undefined as unknown as ConformanceOptions), new TypeError('runProviderConformance(options): options must be an object'))
})

t.test('the kit reaches nothing outside providers/ but node built-ins: no test runner, no Fastify', async t => {
  const providers = repositoryPath('providers')
  const seen = new Set<string>()
  const outside: string[] = []
  const visit = async (file: string): Promise<void> => {
    if (seen.has(file)) return
    seen.add(file)
    const source = await readFile(file, 'utf8')
    for (const [, imported, bare] of source.matchAll(/^(?:import|export)\b[^'"]*?\bfrom\s+'([^']+)'|^import\s+'([^']+)'/gm)) {
      const specifier = imported ?? bare ?? ''
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier)
        if (relative(providers, target).startsWith('..')) outside.push(`${relative(providers, file)} imports ${specifier}`)
        else await visit(target)
      } else if (!specifier.startsWith('node:')) {
        outside.push(`${relative(providers, file)} imports ${specifier}`)
      }
    }
  }
  await visit(resolve(providers, 'testing', 'index.ts'))
  t.same(outside, [])
  t.ok(seen.has(resolve(providers, 'registry.ts')), 'the walk followed the kit into the contract and the registry')
})
