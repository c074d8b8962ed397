import { randomBytes } from 'node:crypto'
import t from 'tap'
import { main } from '../../src/cli/index.ts'
import { buildApp, TEST_ADMIN_TOKEN, TEST_ENCRYPTION_KEY, testEnvironment } from '../helpers/build-app.ts'
import { signIn } from '../helpers/sign-in.ts'
import { OPENAI_GOOD_KEY, startOpenAIStub } from '../stubs/openai-stub.ts'

function io (env: Record<string, string | undefined>) {
  const out: string[] = []
  const errors: string[] = []
  return { out, errors, io: { env, stdout: (text: string) => { out.push(text) }, stderr: (text: string) => { errors.push(text) }, fetch: globalThis.fetch } }
}

t.test('rekey moves every secret to the primary key; the old key can then be dropped', async t => {
  const stub = await startOpenAIStub()
  t.teardown(() => stub.close())
  const dataDir = t.testdir()
  const environment = { DATA_DIR: dataDir, OPENAI_BASE_URL: stub.baseUrl }
  const first = await buildApp(t, environment)
  await first.app.inject({ method: 'PUT', url: '/api/portals/5/connections/openai', headers: first.admin, payload: { apiKey: OPENAI_GOOD_KEY } })
  t.match((await first.app.repositories.connections.allCiphertexts())[0]?.encryptedKey, /^v1\.default\./)
  await first.app.close()

  const newKey = randomBytes(32).toString('base64')
  const rotated = { DATA_DIR: dataDir, ADMIN_TOKEN: TEST_ADMIN_TOKEN, ENCRYPTION_KEYS: `next:${newKey},default:${TEST_ENCRYPTION_KEY}` }
  const run = io(rotated)
  t.equal(await main(['rekey'], run.io), 0, run.errors.join(''))
  t.match(run.out.join(''), /1 secret\(s\) re-encrypted under key "next", 0 already current/)
  const again = io(rotated)
  t.equal(await main(['rekey'], again.io), 0)
  t.match(again.out.join(''), /0 secret\(s\) re-encrypted under key "next", 1 already current/, 'safe to re-run')

  const after = await buildApp(t, { ...environment, ENCRYPTION_KEY: undefined, ENCRYPTION_KEYS: `next:${newKey}` })
  t.match((await after.app.repositories.connections.allCiphertexts())[0]?.encryptedKey, /^v1\.next\./)
  const models = await after.app.inject({ url: '/api/portals/5/connections/openai/models', headers: after.admin })
  t.equal(models.json().source, 'live', 'the re-encrypted key still works with only the new key configured')
})

t.test('rekey with an unreadable key list changes nothing and says why', async t => {
  const run = io({ DATA_DIR: t.testdir(), ADMIN_TOKEN: TEST_ADMIN_TOKEN, ENCRYPTION_KEYS: 'broken' })
  t.equal(await main(['rekey'], run.io), 2)
  t.match(run.errors.join(''), /ENCRYPTION_KEYS entry 1/)
})

t.test('migrate reports an up-to-date database; unknown commands print usage', async t => {
  const run = io({ DATA_DIR: t.testdir(), ADMIN_TOKEN: TEST_ADMIN_TOKEN, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY })
  t.equal(await main(['migrate'], run.io), 0)
  t.match(run.out.join(''), /database is up to date/)
  const unknown = io({})
  t.equal(await main(['frobnicate'], unknown.io), 2)
  t.match(unknown.errors.join(''), /unknown command "frobnicate"/)
  const help = io({})
  t.equal(await main(['--help'], help.io), 0)
  t.match(help.out.join(''), /publish/)
})

t.test('end-sessions signs every admin page session out from the command line, audited as cli', async t => {
  const dataDir = t.testdir()
  const first = await buildApp(t, {}, { dataDir })
  const sessions = [await signIn(first), await signIn(first)]
  await first.app.close()

  const run = io(testEnvironment(dataDir))
  t.equal(await main(['end-sessions'], run.io), 0, run.errors.join(''))
  t.equal(run.out.join(''), 'end-sessions: 2 session(s) ended\n')

  const after = await buildApp(t, {}, { dataDir })
  for (const session of sessions) t.equal((await after.app.inject({ url: '/api/portals', headers: { cookie: session.cookie } })).statusCode, 401, 'the session is refused')
  t.match((await after.app.repositories.audit.list({ limit: 1 }))[0], { portalId: 0, action: 'end_sessions', actor: 'cli', before: { sessions: 2 }, after: { sessions: 0 } })
  const help = io({})
  t.equal(await main(['end-sessions', '--help'], help.io), 0)
  t.match(help.out.join(''), /Sign out everywhere/)
})
