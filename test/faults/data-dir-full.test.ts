import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { durableSetup, eventually, PORTAL, type DurableSetup, type InjectResponse } from '../helpers/durable-setup.ts'
import { fillUp, freeBytes, mountExt4, mountTmpfs } from '../helpers/scratch-filesystems.ts'
import { openAIResponse } from '../stubs/openai-stub.ts'

// The data directory on real small file systems: a 4 MB tmpfs filled to the last byte, then freed; and an ext4 the
// kernel turns read-only under the open database, as it does when a disk fails. Needs root, mount(8) and (for ext4)
// a loop device: elsewhere each test says why it skips. test/engine/storage-faults.test.ts covers the full disk
// portably with SQLite's max_page_count, which refuses a page where a real disk refuses the commit.

/** Far bigger than the slack a WAL file has in its last tmpfs page, so writing it needs pages the disk has not got. */
const BIG_PROMPT = 'Say hi to {{firstname}} ' + 'and more '.repeat(20_000)

/**
 * What HubSpot was told SUCCESS for, to check against the database at the end: an execution told SUCCESS is one
 * HubSpot will never send again, so its row must hold that very outcome.
 */
function successLedger (setup: () => DurableSetup) {
  const told = new Map<string, unknown>()
  return {
    async execute (body: Record<string, unknown>): Promise<InjectResponse> {
      const answer = await setup().execute(body)
      if (answer.statusCode === 200 && answer.json().outputFields.hs_execution_state === 'SUCCESS') told.set(String(body.callbackId), answer.json().outputFields)
      return answer
    },
    async check (t: Test): Promise<void> {
      const { driver } = setup().app.database
      const { executions } = driver.tables
      const rows = await driver.all(driver.db.select({ callbackId: executions.callbackId, status: executions.status, outputFields: executions.outputFields }).from(executions))
      const stored = new Map(rows.map(row => [row.callbackId, row]))
      const lost = [...told].filter(([callbackId, outputFields]) => {
        const row = stored.get(callbackId)
        return row?.status !== 'success' || JSON.stringify(JSON.parse(row.outputFields ?? 'null')) !== JSON.stringify(outputFields)
      })
      t.same(lost.map(([callbackId]) => callbackId), [], `every one of the ${told.size} executions told SUCCESS is in the database with that outcome`)
      t.same(rows.filter(row => row.status === 'running').map(row => row.callbackId), [], 'none is left unfinished')
    }
  }
}

function assertStorageUnavailable (t: Test, answer: InjectResponse, what: string): void {
  t.equal(answer.statusCode, 503, `${what}: 503 (${answer.body.slice(0, 120)})`)
  t.equal(answer.json().code, 'STORAGE_UNAVAILABLE', `${what}: STORAGE_UNAVAILABLE`)
  t.ok(Number(answer.headers['retry-after']) >= 1, `${what}: with Retry-After`)
  t.notMatch(answer.body, /SQLITE|ENOSPC|EROFS|stack/, `${what}: no internals`)
}

t.test('a full data directory: 503 STORAGE_UNAVAILABLE, nothing told SUCCESS is lost, and the service recovers once space is freed', async t => {
  const mounted = mountTmpfs(4)
  if (typeof mounted === 'string') { t.pass(mounted, { skip: mounted }); return }
  t.teardown(mounted.unmount)
  const setup = await durableSetup(t, { DATA_DIR: join(mounted.dir, 'data'), SYNC_BUDGET_MS: '3000', STORE_PROMPTS: 'true' })
  const ledger = successLedger(() => setup)
  const filler = join(mounted.dir, 'filler')
  // Fills the disk while the call is at the provider, when the claim is written and the outcome is not yet.
  let fillDuringCall = false
  setup.openai.on('POST /v1/responses', setup.openai.guarded(request => {
    if (fillDuringCall) fillUp(filler)
    fillDuringCall = false
    return { body: openAIResponse(`Answer to ${String(request.json?.input).slice(0, 80)}`, { model: request.json?.model }) }
  }))
  t.equal((await ledger.execute(setup.body())).json().outputFields.hs_execution_state, 'SUCCESS', 'works before')

  fillUp(filler)
  t.equal(freeBytes(mounted.dir), 0, 'the file system is full')
  const calls = setup.openai.generations().length
  const refused = [setup.body({ prompt: BIG_PROMPT }), setup.body({ prompt: BIG_PROMPT })]
  for (const body of refused) assertStorageUnavailable(t, await ledger.execute(body), 'an execution whose claim cannot be written')
  t.equal(setup.openai.generations().length, calls, 'no provider call without a claim')
  t.match((await setup.app.inject({ url: '/ready' })).json(), { status: 'unavailable', reason: /database not writable/ }, '/ready says why')
  t.equal((await setup.app.inject({ url: '/health' })).statusCode, 200, 'the process stays up')
  rmSync(filler)

  // Written at the claim, refused at the outcome: HubSpot is told to retry, and the answer is kept for that retry.
  fillDuringCall = true
  const outcomeRefused = setup.body()
  assertStorageUnavailable(t, await ledger.execute(outcomeRefused), 'an execution whose outcome cannot be written')
  t.equal(freeBytes(mounted.dir), 0, 'the disk filled during that call')
  rmSync(filler)
  const row = async () => (await setup.app.repositories.executions.recent(PORTAL, 1))[0]
  await eventually('the kept outcome to be written once there is room', async () => (await row())?.status === 'success')
  const retried = await ledger.execute(outcomeRefused)
  t.equal(retried.json().outputFields.hs_execution_state, 'SUCCESS', 'HubSpot\'s retry gets the kept answer')
  t.equal(setup.openai.generations().length, calls + 1, 'without a second provider call')

  for (const body of refused) t.equal((await ledger.execute(body)).json().outputFields.hs_execution_state, 'SUCCESS', 'a refused execution succeeds when HubSpot retries it')
  t.equal((await ledger.execute(setup.body())).json().outputFields.hs_execution_state, 'SUCCESS', 'and new executions succeed')
  t.same((await setup.app.inject({ url: '/ready' })).json(), { status: 'ready' }, 'ready again')
  await ledger.check(t)
})

t.test('the data directory turned read-only under the service (ext4 errors=remount-ro): writes 503, /ready says why, reads work; after the repair and a restart nothing is lost', async t => {
  const mounted = mountExt4(16)
  if (typeof mounted === 'string') { t.pass(mounted, { skip: mounted }); return }
  t.teardown(mounted.unmount)
  let setup = await durableSetup(t, { DATA_DIR: join(mounted.dir, 'data'), SYNC_BUDGET_MS: '3000' })
  const ledger = successLedger(() => setup)
  t.equal((await ledger.execute(setup.body())).json().outputFields.hs_execution_state, 'SUCCESS', 'works before')

  // With synchronous=NORMAL (db/database.ts) a commit reaches the disk at the kernel's writeback, not at once, and a
  // file system that aborts drops what it had not written back: without this sync the restart below finds none of
  // this test's writes (the connection, the SUCCESS above). So the fault comes after a writeback here; one within the
  // writeback delay (up to 30 s by default) loses those commits, the power-loss risk NORMAL accepts.
  mounted.writeBack()
  mounted.failFileSystem()
  t.throws(() => { writeFileSync(join(mounted.dir, 'probe'), 'x') }, { code: 'EROFS' }, 'the file system is read-only now')
  const refused = setup.body()
  assertStorageUnavailable(t, await ledger.execute(refused), 'an execution on a read-only data directory')
  assertStorageUnavailable(t, await setup.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/budget`, headers: setup.admin, payload: { monthlyLimitUsd: 50 } }), 'an admin write')
  t.match((await setup.app.inject({ url: '/ready' })).json(), { status: 'unavailable', reason: /database not writable/ }, '/ready says why')
  t.equal((await setup.app.inject({ url: '/health' })).statusCode, 200, 'the process stays up')
  const list = await setup.app.inject({ url: `/api/portals/${PORTAL}/executions`, headers: setup.admin })
  t.equal(list.statusCode, 200, 'reads keep working')
  t.same(list.json().items.map((item: { status: string }) => item.status), ['success'], 'and show what was written before')

  // The kernel offers no way back to writable while files are open in it: the operator (or the orchestrator that
  // saw /ready fail) stops the service, repairs the file system, and starts the service again.
  setup = await setup.restart(() => { mounted.repair() })
  t.same((await setup.app.inject({ url: '/ready' })).json(), { status: 'ready' }, 'ready after the repair')
  t.equal((await ledger.execute(refused)).json().outputFields.hs_execution_state, 'SUCCESS', 'the refused execution succeeds when HubSpot retries it')
  t.equal((await ledger.execute(setup.body())).json().outputFields.hs_execution_state, 'SUCCESS', 'and new executions succeed')
  t.equal(setup.openai.generations().length, 3, 'one provider call each')
  await ledger.check(t)
})
