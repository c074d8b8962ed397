import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { buildApp, TEST_ENCRYPTION_KEY, type TestApp } from '../helpers/build-app.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'
import { startOpenAIStub, type OpenAIStub } from '../stubs/openai-stub.ts'

const KEY_A = TEST_ENCRYPTION_KEY
const KEY_B = Buffer.alloc(32, 9).toString('base64')
const CANARY = 'sk-canary-KEY-must-never-leak-5d1e8b7c40'
const SECOND_CANARY = 'sk-canary-SECOND-key-never-leaks-9a2f6e31'
const PORTALS = [5151, 5252] as const
const EXECUTE_PATH = '/hubspot/actions/custom-llm'

type Boot = (t: Test, keys: Record<string, string | undefined>) => Promise<TestApp & { stub: OpenAIStub }>

/**
 * Boots the app on one data directory with the given encryption settings; each boot closes when its subtest ends.
 * Each boot gets its own OpenAI stub, so a request the previous one sent late cannot be counted against the next.
 */
function restartable (t: Test): Boot {
  const dataDir = mkdtempSync(join(tmpdir(), 'llm-actions-restart-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  return async (t, keys) => {
    const stub = await startOpenAIStub({ goodKeys: [CANARY, SECOND_CANARY] })
    t.teardown(() => stub.close())
    return { ...await buildApp(t, { OPENAI_BASE_URL: stub.baseUrl, ...keys }, { dataDir }), stub }
  }
}

const connectionUrl = (portalId: number) => `/api/portals/${portalId}/connections/openai`

async function connect (built: TestApp, portalId: number, apiKey: string) {
  return await built.app.inject({ method: 'PUT', url: connectionUrl(portalId), headers: built.admin, payload: { apiKey } })
}

async function statusOf (built: TestApp, portalId: number): Promise<string> {
  const listed = await built.app.inject({ url: `/api/portals/${portalId}/connections`, headers: built.admin })
  return listed.json().items.map((connection: { provider: string, status: string }) => `${connection.provider}:${connection.status}`).join(',')
}

async function execute (built: TestApp, portalId: number) {
  const payload = JSON.stringify(executionBody(portalId, { provider: 'openai', model: 'gpt-5.4', prompt: 'Say hello to {{firstname}}' }))
  return await built.app.inject({ method: 'POST', url: EXECUTE_PATH, headers: signedHeaders('POST', EXECUTE_PATH, payload), payload })
}

function errorLines (built: TestApp): Array<Record<string, unknown>> {
  return built.logs.map(line => JSON.parse(line) as Record<string, unknown>).filter(line => Number(line.level) >= 50)
}

t.test('restarted with encryption keys that cannot decrypt the stored keys', async t => {
  const boot = restartable(t)
  const ciphertexts: string[] = []

  await t.test('first boot, with key A: two portals connect OpenAI', async t => {
    const built = await boot(t, { ENCRYPTION_KEY: KEY_A })
    for (const portalId of PORTALS) t.equal((await connect(built, portalId, CANARY)).statusCode, 201)
    ciphertexts.push(...(await built.app.repositories.connections.allCiphertexts()).map(row => row.encryptedKey))
    t.equal(ciphertexts.length, 2)
  })

  await t.test('second boot, with key B: key_unreadable, one error line, models 409, executions FAIL_CONTINUE, no provider call', async t => {
    const built = await boot(t, { ENCRYPTION_KEY: KEY_B })

    const errors = errorLines(built)
    t.equal(errors.length, 1, 'one error line at boot')
    const line = JSON.stringify(errors[0])
    t.match(errors[0]?.msg, /ENCRYPTION_KEYS does not hold the key they were encrypted with/)
    for (const portalId of PORTALS) t.match(line, `portal ${portalId} openai`, `the line names portal ${portalId}`)
    t.match(errors[0]?.connections, PORTALS.map(portalId => ({ portalId, provider: 'openai' })))

    for (const portalId of PORTALS) t.equal(await statusOf(built, portalId), 'openai:key_unreadable')

    const models = await built.app.inject({ url: `${connectionUrl(PORTALS[0])}/models`, headers: built.admin })
    t.equal(models.statusCode, 409)
    t.equal(models.json().code, 'KEY_UNREADABLE')
    t.match(models.json().message, new RegExp(`openai.*portal ${PORTALS[0]}.*ENCRYPTION_KEYS.*connect`, 's'))

    const execution = await execute(built, PORTALS[1])
    t.equal(execution.statusCode, 200)
    t.match(execution.json().outputFields, { hs_execution_state: 'FAIL_CONTINUE', errorCode: 'KEY_UNREADABLE', errorMessage: /ENCRYPTION_KEYS/ })

    t.same(built.stub.requests, [], 'the provider was never called')
    const everything = built.logs.join('') + models.body + execution.body
    for (const secret of [CANARY, KEY_A, KEY_B, ...ciphertexts, ...ciphertexts.map(ciphertext => ciphertext.split('.')[3] ?? ciphertext)]) {
      t.notOk(everything.includes(secret), 'no key, encryption key or ciphertext in logs or answers')
    }
  })

  await t.test('third boot, with new:B,old:A: a key set as ENCRYPTION_KEY has the id "default", so still unreadable', async t => {
    const built = await boot(t, { ENCRYPTION_KEY: undefined, ENCRYPTION_KEYS: `new:${KEY_B},old:${KEY_A}` })
    t.equal(await statusOf(built, PORTALS[0]), 'openai:key_unreadable')
    t.equal(errorLines(built).length, 1)
    t.match(errorLines(built)[0]?.msg, /default:/, 'the line says how to list it')
  })

  await t.test('fourth boot, with new:B,default:A: connected again, no error line, models listed', async t => {
    const built = await boot(t, { ENCRYPTION_KEY: undefined, ENCRYPTION_KEYS: `new:${KEY_B},default:${KEY_A}` })
    for (const portalId of PORTALS) t.equal(await statusOf(built, portalId), 'openai:connected')
    t.same(errorLines(built), [])
    const models = await built.app.inject({ url: `${connectionUrl(PORTALS[0])}/models`, headers: built.admin })
    t.equal(models.statusCode, 200)
  })
})

t.test('connecting again on an unreadable connection switches the key and makes it connected', async t => {
  const boot = restartable(t)

  await t.test('first boot, with key A', async t => {
    const built = await boot(t, { ENCRYPTION_KEY: KEY_A })
    t.equal((await connect(built, PORTALS[0], CANARY)).statusCode, 201)
  })

  await t.test('second boot, with key B: reconnect', async t => {
    const built = await boot(t, { ENCRYPTION_KEY: KEY_B })
    t.equal(await statusOf(built, PORTALS[0]), 'openai:key_unreadable')
    const switched = await connect(built, PORTALS[0], SECOND_CANARY)
    t.equal(switched.statusCode, 200)
    t.match(switched.json(), { status: 'connected', keyHint: SECOND_CANARY.slice(-4) })
    t.equal(await statusOf(built, PORTALS[0]), 'openai:connected')
    const execution = await execute(built, PORTALS[0])
    t.equal(execution.json().outputFields?.hs_execution_state, 'SUCCESS', execution.body)
    t.equal(built.stub.generations().length, 1, 'the new key is used')
  })

  await t.test('third boot, with key B: still connected, no error line', async t => {
    const built = await boot(t, { ENCRYPTION_KEY: KEY_B })
    t.equal(await statusOf(built, PORTALS[0]), 'openai:connected')
    t.same(errorLines(built), [])
  })
})
