import t, { type Test } from 'tap'
import { startInstances, type InstancesSetup, type ServiceInstance } from '../helpers/instances.ts'
import { sendExecution, type ExecutionAnswer } from '../helpers/service-process.ts'

// Three instances on one PostgreSQL database behind haproxy, each of which may die at any moment: work an instance
// held when it was killed is finished by the others within about EXECUTION_LEASE_MS, exactly once; an instance
// paused past its lease writes and sends nothing when it wakes; and a rolling restart under steady load loses
// nothing, fails nothing and answers nothing twice.

const LEASE_MS = 3000
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))
const state = (answer: ExecutionAnswer) => String(answer.json?.outputFields?.hs_execution_state ?? answer.json?.code ?? answer.status)

async function within (withinMs: number, check: () => Promise<boolean> | boolean): Promise<number | undefined> {
  const started = Date.now()
  for (;;) {
    if (await check()) return Date.now() - started
    if (Date.now() - started > withinMs) return undefined
    await sleep(50)
  }
}


// Three processes, haproxy and PostgreSQL on a 2-core machine that runs other test files meanwhile: minutes, not seconds.
t.setTimeout(300_000)
t.test('instances die, pause and restart; every execution is finished once', async t => {
  const setup: InstancesSetup = await startInstances(t, { executionLeaseMs: LEASE_MS, environment: { SHUTDOWN_GRACE_MS: '2000' } })
  const completedOnce = (ids: readonly string[]) => ids.every(id => setup.stubs.completions().get(id) === 1)
  /** `count` executions sent to one instance, each answered BLOCK (the calls take `callMs`); their callbackIds. */
  const blockedOn = async (t: Test, instance: ServiceInstance, count: number, callMs: number): Promise<string[]> => {
    setup.stubs.providerDelayMs = callMs
    const bodies = Array.from({ length: count }, () => setup.body())
    const answers = await Promise.all(bodies.map(body => sendExecution(instance.process, body)))
    t.same(answers.map(state), Array(count).fill('BLOCK'), `all ${count} answered BLOCK by ${instance.id}`)
    return bodies.map(body => String(body.callbackId))
  }

  await t.test('ten executions BLOCKed on one instance, which is then SIGKILLed: the others complete each exactly once', async t => {
    const victim = setup.instance('instance-1')
    const ids = await blockedOn(t, victim, 10, 2000)
    victim.kill('SIGKILL')
    const killedAt = Date.now()
    await victim.process.exited
    const took = await within(LEASE_MS + 15_000, () => completedOnce(ids))
    t.ok(took !== undefined, `every one completed, ${String(took)} ms after the kill (EXECUTION_LEASE_MS ${LEASE_MS}, each call ${setup.stubs.providerDelayMs} ms)`)
    await sleep(1500)
    t.same(ids.filter(id => setup.stubs.completions().get(id) !== 1), [], 'each completed exactly once')
    t.same(ids.filter(id => (setup.stubs.providerCalls().get(id) ?? 0) > 2), [], 'each called again at most once for the death')
    const rows = await setup.query<{ owners: number }>("select count(*)::int as owners from executions where status = 'running'")
    t.equal(rows[0]?.owners, 0, 'nothing left running')
    t.comment(`completed ${String(took)} ms after the kill, ${Date.now() - killedAt} ms checked`)
    await victim.restart()
    await setup.balancer.waitForServerState(victim.id, 'UP', 20_000)
  })

  await t.test('an instance paused past its lease and then resumed: no second completion, no overwritten outcome', async t => {
    const sleeper = setup.instance('instance-2')
    const ids = await blockedOn(t, sleeper, 5, 1500)
    sleeper.kill('SIGSTOP')
    const took = await within(LEASE_MS + 15_000, () => completedOnce(ids))
    t.ok(took !== undefined, `the others completed every one while instance-2 slept (${String(took)} ms)`)
    const before = await setup.query<{ callback_id: string, output_fields: string, finished_at: string }>(
      'select callback_id, output_fields, finished_at::text from executions where callback_id = any($1) order by callback_id', [ids])
    sleeper.kill('SIGCONT')
    // Its own calls answer as it wakes: it must find the executions taken over and write nothing.
    await sleep(4000)
    t.same(ids.filter(id => setup.stubs.completions().get(id) !== 1), [], 'each completed exactly once after the sleeper woke')
    const after = await setup.query<{ callback_id: string, output_fields: string, finished_at: string }>(
      'select callback_id, output_fields, finished_at::text from executions where callback_id = any($1) order by callback_id', [ids])
    t.same(after, before, 'the new owner\'s outcomes stand')
    t.ok(sleeper.process.logs().some(line => /another instance took/.test(String(line.msg))), 'the sleeper said it lost them')
    t.equal(sleeper.process.exit, undefined, 'and it is still running')
    await setup.balancer.waitForServerState(sleeper.id, 'UP', 20_000)
  })

  await t.test('a rolling restart under steady load: nothing lost, nothing FAIL_CONTINUE, nothing answered twice', async t => {
    setup.stubs.providerDelayMs = 400
    /** HubSpot's side: every delivery retried on 429/503 (and on a dropped connection) until it gets an answer. */
    const finalAnswers = new Map<string, string>()
    let sending = true
    const deliver = async (): Promise<void> => {
      const body = setup.body()
      const id = String(body.callbackId)
      for (let attempt = 0; attempt < 40; attempt++) {
        let answer: ExecutionAnswer | undefined
        try {
          answer = await setup.execute(body)
        } catch {
          answer = undefined
        }
        if (answer !== undefined && answer.status === 200) {
          finalAnswers.set(id, state(answer))
          return
        }
        await sleep(250)
      }
      finalAnswers.set(id, 'NO ANSWER')
    }
    const load = (async () => {
      const inFlight = new Set<Promise<void>>()
      while (sending) {
        const delivery = deliver().finally(() => inFlight.delete(delivery))
        inFlight.add(delivery)
        await sleep(150)
      }
      await Promise.all(inFlight)
    })()

    for (const instance of setup.instances) {
      await sleep(500)
      await setup.balancer.setServerState(instance.id, 'maint')
      instance.kill('SIGTERM')
      const exit = await instance.process.waitForExit(30_000)
      t.equal(exit.code, 0, `${instance.id} left cleanly on SIGTERM`)
      await instance.restart()
      await setup.balancer.setServerState(instance.id, 'ready')
      await setup.balancer.waitForServerState(instance.id, 'UP', 20_000)
    }
    await sleep(1000)
    sending = false
    await load

    const ids = [...finalAnswers.keys()]
    const blocked = ids.filter(id => finalAnswers.get(id) === 'BLOCK')
    t.ok(ids.length >= 50, `${ids.length} executions sent through the restarts`)
    t.same([...new Set(finalAnswers.values())].filter(value => value !== 'SUCCESS' && value !== 'BLOCK'), [], 'each answered SUCCESS or BLOCK: none FAIL_CONTINUE, none lost')
    const took = await within(LEASE_MS + 20_000, () => completedOnce(blocked))
    t.ok(took !== undefined, `the ${blocked.length} BLOCKed ones were each completed`)
    await sleep(1500)
    t.same(ids.filter(id => (setup.stubs.completions().get(id) ?? 0) > 1), [], 'no execution completed twice')
    t.same(ids.filter(id => finalAnswers.get(id) === 'SUCCESS' && setup.stubs.completions().has(id)), [], 'none answered SUCCESS and completed as well')
    const rows = await setup.query<{ status: string, count: number }>('select status, count(*)::int as count from executions where callback_id = any($1) group by status', [ids])
    t.same(rows, [{ status: 'success', count: ids.length }], 'every one recorded as a success')
    for (const instance of setup.instances) {
      t.ok(instance.process.logs().length > 0 && instance.process.exit === undefined, `${instance.id} is back and running`)
    }
  })
})
