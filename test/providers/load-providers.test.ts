import t from 'tap'
import { readFileSync } from 'node:fs'
import { basename, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ProviderDefinition } from '../../providers/contract.ts'
import { loadProviderPackages } from '../../providers/load-providers.ts'
import { createProviderRegistry, type RegistryEntry } from '../../providers/registry.ts'
import { captureLogger } from '../helpers/provider-context.ts'
import { stubScenarios } from '../helpers/conformance-scenarios.ts'
import { assertConformance } from '../helpers/conformance-tap.ts'
import { ECHO_FAILURES, ECHO_GOOD_KEY, startEchoStub } from '../stubs/echo-stub.ts'
import { REPOSITORY, repositoryPath, runnable } from '../helpers/repository.ts'

// The echo package is TypeScript, compiled with the tests: its entry beside the running test, source or compiled.
const ECHO_FILE = fileURLToPath(new URL(runnable('../fixtures/provider-plugin/index.ts'), import.meta.url))
const ECHO_MANIFEST = JSON.parse(readFileSync(repositoryPath('test/fixtures/provider-plugin/package.json'), 'utf8')) as Record<string, unknown>
const FUTURE_PACKAGE = repositoryPath('test/fixtures/provider-plugin-v2')

function register (entries: readonly RegistryEntry[], baseUrl?: string) {
  return createProviderRegistry(entries, () => ({ fetch: globalThis.fetch, timeoutMs: 5000, log: captureLogger(), baseUrl }))
}

/** Text of what a promise rejects with. */
async function failure (promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
  throw new Error('expected a rejection')
}

t.test('a provider file, absolute or relative to cwd, loads its default export', async t => {
  const absolute = ECHO_FILE
  const [byAbsolute] = await loadProviderPackages([absolute], { cwd: '/' })
  t.equal(byAbsolute?.origin, `file ${absolute}`)
  t.equal((byAbsolute?.definition as ProviderDefinition).id, 'echo')

  const [byRelative] = await loadProviderPackages([`./${relative(REPOSITORY, absolute)}`], { cwd: REPOSITORY })
  t.equal(byRelative?.origin, `file ${absolute}`)
  t.equal(byRelative?.definition, byAbsolute?.definition, 'the same module')
})

t.test('the loaded fixture registers and keeps the provider contract', async t => {
  const stub = await startEchoStub()
  t.teardown(() => stub.close())
  const entries = await loadProviderPackages([ECHO_FILE], { cwd: REPOSITORY })
  t.equal(register(entries, stub.origin).find('echo')?.label, 'Echo (test fixture)')
  const report = await assertConformance(t, {
    definition: entries[0]?.definition as ProviderDefinition,
    baseUrl: stub.origin,
    goodKey: ECHO_GOOD_KEY,
    badKey: 'echo-canary-9d8c7b6a5f4e3d2c1b0a',
    modelId: 'echo-1',
    scenarios: stubScenarios(stub, 'POST /echo', ECHO_FAILURES),
    rateLimitRetryAfterMs: 1000
  })
  t.ok(report.passed, 'the report says it passed')
})

t.test('npm package names resolve from cwd\'s node_modules, as import would', async t => {
  const cwd = t.testdir({
    'package.json': JSON.stringify({ name: 'operator-install', private: true }),
    node_modules: {
      // The echo fixture as an installed package whose main is its entry, source or compiled as the test runs.
      'hubspot-llm-provider-echo': {
        'package.json': JSON.stringify({ ...ECHO_MANIFEST, main: basename(ECHO_FILE) }),
        [basename(ECHO_FILE)]: t.fixture('symlink', ECHO_FILE)
      },
      'hubspot-llm-provider-future': t.fixture('symlink', FUTURE_PACKAGE),
      '@acme': {
        // ESM only: require() could not resolve it; the import condition must win over a missing require build.
        'hubspot-llm-provider-esm': {
          'package.json': JSON.stringify({
            name: '@acme/hubspot-llm-provider-esm',
            type: 'module',
            exports: { '.': { require: './missing.cjs', import: './dist/index.js' }, './alternate': { default: './dist/alternate.js' } }
          }),
          dist: {
            'index.js': "export default { specificationVersion: 1, id: 'acme-esm', label: 'Acme', hosts: ['api.acme.example'], create: () => ({}) }\n",
            'alternate.js': "export default { specificationVersion: 1, id: 'acme-alternate', label: 'Acme alternate', hosts: ['api.acme.example'], create: () => ({}) }\n"
          }
        }
      },
      'hubspot-llm-provider-cjs': {
        'package.json': JSON.stringify({ name: 'hubspot-llm-provider-cjs', main: 'build/main.js' }),
        build: { 'main.js': "Object.defineProperty(exports, '__esModule', { value: true }); exports.default = { id: 'cjs' }\n" }
      }
    }
  })
  const loaded = await loadProviderPackages(
    ['hubspot-llm-provider-echo', '@acme/hubspot-llm-provider-esm', '@acme/hubspot-llm-provider-esm/alternate', 'hubspot-llm-provider-cjs'],
    { cwd: join(cwd, 'node_modules', '@acme') }
  )
  t.same(loaded.map(entry => entry.origin), [
    'package hubspot-llm-provider-echo',
    'package @acme/hubspot-llm-provider-esm',
    'package @acme/hubspot-llm-provider-esm/alternate',
    'package hubspot-llm-provider-cjs'
  ])
  t.same(loaded.map(entry => (entry.definition as { id: string }).id), ['echo', 'acme-esm', 'acme-alternate', 'cjs'], 'a CommonJS build\'s default is unwrapped')
  t.equal(register(loaded.slice(0, 1)).find('echo')?.id, 'echo')

  await t.test('a package written for contract version 2 is refused at registration, named', async t => {
    const entries = await loadProviderPackages(['hubspot-llm-provider-future'], { cwd })
    t.throws(() => register(entries), {
      name: 'ProviderRegistrationError',
      message: 'provider package hubspot-llm-provider-future: written for contract version 2, this service speaks version 1'
    })
  })
})

t.test('the version-2 fixture loaded as a file is refused too, naming the file', async t => {
  const file = join(FUTURE_PACKAGE, 'index.js')
  const entries = await loadProviderPackages([file], { cwd: REPOSITORY })
  t.throws(() => register(entries), { message: `provider file ${file}: written for contract version 2, this service speaks version 1` })
})

t.test('bad specifiers stop the boot with an error naming them and what to do', async t => {
  const cwd = t.testdir({
    'package.json': JSON.stringify({ name: 'operator-install', private: true }),
    'no-default.mjs': 'export const provider = {}\n',
    'broken.mjs': 'export default {\n',
    'in-house.mjs': 'export default {}\n',
    node_modules: {
      'hubspot-llm-provider-no-entry': {
        'package.json': JSON.stringify({ name: 'hubspot-llm-provider-no-entry', exports: { '.': { require: './index.cjs' } } }),
        'index.cjs': 'module.exports = {}\n'
      },
      'hubspot-llm-provider-gone': {
        'package.json': JSON.stringify({ name: 'hubspot-llm-provider-gone', main: 'dist/index.js' })
      }
    }
  })
  t.match(await failure(loadProviderPackages(['hubspot-llm-provider-missing'], { cwd })),
    `Provider package "hubspot-llm-provider-missing" (from LLM_PROVIDER_PACKAGES) is not installed: run \`npm install hubspot-llm-provider-missing\` in ${cwd}`)
  t.match(await failure(loadProviderPackages(['./missing.js'], { cwd })), `Provider file "./missing.js" (from LLM_PROVIDER_PACKAGES) was not found at ${join(cwd, 'missing.js')}`)
  t.match(await failure(loadProviderPackages(['./no-default.mjs'], { cwd })), /Provider file .*no-default\.mjs \(from LLM_PROVIDER_PACKAGES\) has no default export: .*export default defineProvider/)
  t.match(await failure(loadProviderPackages(['./broken.mjs'], { cwd })), /Provider file .*broken\.mjs \(from LLM_PROVIDER_PACKAGES\) failed to load: /)
  t.match(await failure(loadProviderPackages(['hubspot-llm-provider-no-entry'], { cwd })), /Provider package "hubspot-llm-provider-no-entry" exports no "\." entry for import/)
  t.match(await failure(loadProviderPackages(['hubspot-llm-provider-gone'], { cwd })), /Provider package "hubspot-llm-provider-gone" points at .*dist\/index\.js, which does not exist: reinstall or rebuild/)
  t.match(await failure(loadProviderPackages(['Not A Package'], { cwd })), /"Not A Package" in LLM_PROVIDER_PACKAGES is neither an npm package name nor a file path/)
  t.match(await failure(loadProviderPackages(['in-house.mjs'], { cwd })), `(for the file ${join(cwd, 'in-house.mjs')}, write ./in-house.mjs)`)
  t.same(await loadProviderPackages([], { cwd }), [])
})
