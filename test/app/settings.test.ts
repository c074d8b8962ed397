import { statSync, readFileSync, existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import Fastify from 'fastify'
import fp from 'fastify-plugin'
import app from '../../src/app.ts'
import { buildApp, TEST_ADMIN_TOKEN } from '../helpers/build-app.ts'

async function boot (environment: Record<string, string | undefined>): Promise<Error | undefined> {
  const fastify = Fastify({ logger: false })
  try {
    await fastify.register(fp(app), { environment })
    await fastify.ready()
    return undefined
  } catch (error) {
    return error as Error
  } finally {
    await fastify.close()
  }
}

t.test('bad settings stop the boot with one line naming the variable', async t => {
  const dataDir = t.testdir()
  const base = { DATA_DIR: dataDir, ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'), ADMIN_TOKEN: TEST_ADMIN_TOKEN }
  const cases: Array<[Record<string, string | undefined>, RegExp]> = [
    [{ PORT: 'abc' }, /^PORT must be integer/],
    [{ PORT: '70000' }, /^PORT must be <= 65535/],
    [{ SYNC_BUDGET_MS: '10' }, /^SYNC_BUDGET_MS must be >= 100/],
    [{ STORE_PROMPTS: 'maybe' }, /^STORE_PROMPTS must be boolean/],
    [{ HUBSPOT_SIGNATURE_V2: 'maybe' }, /^HUBSPOT_SIGNATURE_V2 must be boolean/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be equal to one of the allowed values \(fatal, error/],
    [{ ENCRYPTION_KEY: 'dG9vLXNob3J0' }, /^ENCRYPTION_KEY must be base64 of 32 random bytes/],
    [{ ENCRYPTION_KEYS: 'nocolon' }, /^ENCRYPTION_KEYS entry 1/],
    [{ ADMIN_TOKEN: 'short' }, /^ADMIN_TOKEN must NOT have fewer than 16 characters/],
    [{ PUBLIC_URL: 'llm.example.com' }, /^PUBLIC_URL must be an absolute http\(s\) URL/],
    [{ OPENAI_BASE_URL: 'ftp://x' }, /^OPENAI_BASE_URL must use http or https/],
    [{ DATABASE_URL: 'mysql://user:pw@db/x' }, /^DATABASE_URL must be sqlite:<file>, postgres:\/\/… or postgresql:\/\/…, got "mysql:\/\/user:\*\*\*@db\/x"/],
    [{ DATABASE_URL: 'postgres://user:pw@127.0.0.1:1/x' }, /^DATABASE_URL: could not open postgres:\/\/user:\*\*\*@127\.0\.0\.1:1\/x \(.*ECONNREFUSED/],
    [{ DATABASE_URL: 'postgres://user:pw@127.0.0.1:1/x', ENCRYPTION_KEY: undefined }, /^ENCRYPTION_KEY \(or ENCRYPTION_KEYS\) must be set when DATABASE_URL is PostgreSQL/],
    [{ DATABASE_URL: 'postgresql://user:pw@127.0.0.1:1/x', ADMIN_TOKEN: undefined }, /^ADMIN_TOKEN must be set when DATABASE_URL is PostgreSQL/],
    [{ DATABASE_POOL_SIZE: '1' }, /^DATABASE_POOL_SIZE must be >= 2/],
    [{ LLM_PROVIDER_PACKAGES: 'hubspot-llm-provider-does-not-exist' }, /hubspot-llm-provider-does-not-exist/]
  ]
  for (const [environment, expected] of cases) {
    const error = await boot({ ...base, ...environment })
    t.match(error?.message, expected, Object.keys(environment)[0] ?? '')
    t.notMatch(error?.message ?? '', /\n/, 'one line')
  }
})

t.test('first start: secrets generated once into DATA_DIR/secrets.json (0600), logged by path only', async t => {
  const dataDir = t.testdir()
  const built = await buildApp(t, { DATA_DIR: dataDir, ENCRYPTION_KEY: undefined, ADMIN_TOKEN: undefined })
  const file = join(dataDir, 'secrets.json')
  t.ok(existsSync(file))
  t.equal(statSync(file).mode & 0o777, 0o600)
  const secrets = JSON.parse(readFileSync(file, 'utf8'))
  t.equal(Buffer.from(secrets.ENCRYPTION_KEY, 'base64').length, 32)
  t.ok(secrets.ADMIN_TOKEN.length >= 24)
  const logs = built.logs.join('\n')
  t.match(logs, 'secrets.json')
  t.notMatch(logs, secrets.ADMIN_TOKEN)
  t.notMatch(logs, secrets.ENCRYPTION_KEY)
  const authorized = await built.app.inject({ url: '/api/providers', headers: { authorization: `Bearer ${secrets.ADMIN_TOKEN}` } })
  t.equal(authorized.statusCode, 200)
  await built.app.close()

  const again = await buildApp(t, { DATA_DIR: dataDir, ENCRYPTION_KEY: undefined, ADMIN_TOKEN: undefined })
  t.same(JSON.parse(readFileSync(file, 'utf8')), secrets, 'reused, not regenerated')
  t.notMatch(again.logs.join('\n'), 'generated ENCRYPTION_KEY')
})

t.test('an empty data directory gets a migrated database; /health and /ready answer', async t => {
  const built = await buildApp(t)
  t.same((await built.app.inject({ url: '/health' })).json(), { status: 'ok' })
  t.same((await built.app.inject({ url: '/ready' })).json(), { status: 'ready' })
  t.ok(existsSync(join(built.dataDir, 'app.db')))
  await built.app.database.close()
  const down = await built.app.inject({ url: '/ready' })
  t.equal(down.statusCode, 503)
})

t.test('unknown routes and server errors use the error format without internals', async t => {
  const built = await buildApp(t)
  const missing = await built.app.inject({ url: '/nope?x=1' })
  t.same(missing.json(), { statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: 'No route GET /nope.' })
  await built.app.database.close()
  const broken = await built.app.inject({ url: '/api/portals', headers: built.admin })
  t.same(broken.json(), { statusCode: 500, code: 'INTERNAL', error: 'Internal Server Error', message: 'Something went wrong on our side.' })
  t.notMatch(broken.body, /database|sqlite|at /i, 'no internals or stack in the body')
  t.match(built.logs.join('\n'), /unexpected error/, 'but the log has it')
})

/** Every run of six characters of `secret` that `text` contains: none, when nothing of the secret leaked. */
function fragmentsOf (secret: string, text: string): string[] {
  const fragments: string[] = []
  for (let start = 0; start + 6 <= secret.length; start++) {
    const fragment = secret.slice(start, start + 6)
    if (text.includes(fragment)) fragments.push(fragment)
  }
  return fragments
}

t.test('a malformed secrets.json stops the boot naming the file and the problem, never its contents', async t => {
  const canary = 'Qz8vKmW3xTn5RbJ7pLd2YhFs9GcV4eUa'
  const validToken = 'Xa1Xa1Xa1Xa1Xa1Xa1Xa1Xa1'
  const cases: Array<[string, string, RegExp]> = [
    ['not JSON (the key left unquoted)', `{"ENCRYPTION_KEY": ${canary}, "ADMIN_TOKEN": "${validToken}"}`, /is not valid JSON/],
    ['not an object', JSON.stringify(canary), /missing ENCRYPTION_KEY or ADMIN_TOKEN/],
    ['null', 'null', /missing ENCRYPTION_KEY or ADMIN_TOKEN/],
    ['a key that is not 32 bytes', JSON.stringify({ ENCRYPTION_KEY: canary, ADMIN_TOKEN: validToken }), /ENCRYPTION_KEY in it is not base64 of 32 bytes/]
  ]
  for (const [name, contents, problem] of cases) {
    const dataDir = t.testdir()
    const file = join(dataDir, 'secrets.json')
    writeFileSync(file, contents)
    const error = await boot({ DATA_DIR: dataDir, ENCRYPTION_KEY: undefined, ADMIN_TOKEN: undefined })
    const message = error?.message ?? ''
    t.match(message, problem, name)
    t.ok(message.startsWith(file), `${name}: names the file`)
    t.notMatch(message, /\n/, `${name}: one line`)
    t.same(fragmentsOf(canary, message), [], `${name}: no part of the contents`)
  }
})
