import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { MAX_RUNS } from '../../src/actions/engine/takeover.ts'
import { EXECUTION_EXPIRY_MS } from '../../src/actions/engine/answers.ts'
import { buildApp } from '../helpers/build-app.ts'
import { startOpenAIStub } from '../stubs/openai-stub.ts'

// What a start does with what the last process left behind, besides running in-flight calls again (the crash test).

const PORTAL = 90909

t.test('at start: expired executions are closed, endless ones and interrupted test runs are given up, none is called', async t => {
  const openai = await startOpenAIStub()
  t.teardown(() => openai.close())
  const dataDir = mkdtempSync(join(tmpdir(), 'llm-actions-resume-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const environment = { OPENAI_BASE_URL: openai.baseUrl }

  // A first process leaves three unfinished executions behind (written as a claim writes them).
  const first = await buildApp(t, environment, { dataDir })
  const executions = first.app.repositories.executions
  const now = Date.now()
  const request = JSON.stringify({ inputFields: { provider: 'openai', model: 'gpt-4.1', prompt: 'Hi' } })
  // Under the first process's own lease, which its shutdown hands back.
  const owner = first.app.config.instanceId
  const claim = async (callbackId: string | undefined, startedAt: number) => {
    const claimed = await executions.claim({ portalId: PORTAL, action: callbackId === undefined ? 'test' : 'custom-llm', ...(callbackId === undefined ? {} : { callbackId }), startedAt, request, expiresAt: startedAt + EXECUTION_EXPIRY_MS },
      { owner, until: Date.now() + 30_000 })
    if (claimed.kind !== 'new') throw new Error('expected a new claim')
    return claimed.id
  }
  const expired = await claim('ap-expired', now - EXECUTION_EXPIRY_MS - 60_000)
  await executions.markBlocked(expired)
  const endless = await claim('ap-endless', now)
  await executions.markBlocked(endless)
  for (let run = 1; run < MAX_RUNS; run++) await executions.startRun(endless, owner)
  const interrupted = await claim(undefined, now)
  await first.app.close()

  // The completion queue never runs here (a timer that never fires): the portal has no install, so its first round
  // would mark the endless one's completion failed, which is the completion queue's own test, not this one.
  const second = await buildApp(t, environment, { dataDir, setTimer: () => () => {} })
  const row = (id: number) => second.app.repositories.executions.find(id)
  t.equal((await row(expired))?.status, 'expired')
  t.equal((await row(expired))?.errorCode, 'EXECUTION_EXPIRED')
  t.equal((await row(expired))?.completionState, null, 'HubSpot stopped waiting: nothing to complete')
  t.equal((await row(expired))?.request, null, 'the stored request is erased')
  t.equal((await row(endless))?.status, 'failed')
  t.match((await row(endless))?.errorMessage, new RegExp(`started ${MAX_RUNS} times`))
  t.equal((await row(endless))?.completionState, 'pending', 'HubSpot was told BLOCK, so it is told the failure')
  t.equal((await row(interrupted))?.status, 'failed')
  t.match((await row(interrupted))?.errorMessage, /interrupted by a restart/)
  t.equal(openai.generations().length, 0, 'no provider call for any of them')
  t.ok(second.logs.some(line => line.includes('took over unfinished executions') && line.includes('"expired":1') && line.includes('"abandoned":2')), 'the start says what it found')
})

t.test('resume() takes over only executions whose lease ran out; one another instance still holds is left to it', async t => {
  const openai = await startOpenAIStub()
  t.teardown(() => openai.close())
  // The app's clock stands still unless the test moves it: the lease keeper's own looks (real time) then find the
  // same leases live as the test's resume() does, until the test moves past them.
  let now = Date.now()
  const built = await buildApp(t, { OPENAI_BASE_URL: openai.baseUrl }, { clock: () => now })
  const executions = built.app.repositories.executions
  const request = JSON.stringify({ inputFields: { provider: 'openai', model: 'gpt-4.1', prompt: 'Hi' } })
  const other = 'instance-elsewhere'
  // Both started long enough ago that HubSpot stopped waiting: taken over, each is closed without a provider call.
  const startedAt = now - EXECUTION_EXPIRY_MS - 60_000
  const claim = async (callbackId: string, until: number) => {
    const claimed = await executions.claim({ portalId: PORTAL, action: 'custom-llm', callbackId, startedAt, request, expiresAt: startedAt + EXECUTION_EXPIRY_MS }, { owner: other, until })
    if (claimed.kind !== 'new') throw new Error('expected a new claim')
    await executions.markBlocked(claimed.id)
    return claimed.id
  }
  const held = await claim('ap-held', now + 600_000)
  const runsOut = await claim('ap-runs-out', now + 1_000)

  t.same(await built.app.engine.resume(), { resumed: 0, expired: 0, abandoned: 0 }, 'both leases are live')
  now += 2_000
  t.same(await built.app.engine.resume(), { resumed: 0, expired: 1, abandoned: 0 }, 'only the one whose lease ran out')
  t.match(await executions.find(runsOut), { status: 'expired', errorCode: 'EXECUTION_EXPIRED', leaseOwner: null })
  t.match(await executions.find(held), { status: 'running', leaseOwner: other }, 'the live lease is left alone')
  t.same(await built.app.engine.resume(), { resumed: 0, expired: 0, abandoned: 0 }, 'nothing more while it lasts')

  // The other instance stopped renewing: once its lease ran out too, the next look takes it over.
  now += 600_000
  t.same(await built.app.engine.resume(), { resumed: 0, expired: 1, abandoned: 0 })
  t.match(await executions.find(held), { status: 'expired', leaseOwner: null })
  t.equal(openai.generations().length, 0)
})
