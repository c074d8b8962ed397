import t, { type Test } from 'tap'
import {
  completionCounts, connectOpenAI, customLlmBody, installPortal, listExecutions, secretsIn, sendExecution,
  serviceDataDir, serviceEnvironment, serviceHarness, sleep, storedExecutions, until, type ExecutionAnswer
} from '../helpers/service-process.ts'
import { TEST_CLIENT_SECRET } from '../helpers/build-app.ts'
import { startHubSpotStub, type HubSpotStub } from '../stubs/hubspot-stub.ts'
import { openAIResponse, startOpenAIStub, type OpenAIStub } from '../stubs/openai-stub.ts'

// SIGTERM while BLOCKed calls run, with the service run as production runs it: calls that finish within
// SHUTDOWN_GRACE_MS are recorded before the process exits 0; calls that do not are left unfinished (not failed)
// and the next start runs them. Either way HubSpot gets each outcome exactly once.

const PORTAL = 82828

interface Stubs {
  readonly openai: OpenAIStub
  readonly hubspot: HubSpotStub
  /** How long the OpenAI stub takes to answer; change it at any time. */
  delayMs: number
  /** Delays for the next generations, first first, before `delayMs` applies again. */
  readonly nextDelaysMs: number[]
  /** When each generation's answer is (was) sent, in Date.now() time. */
  readonly answersDueAt: number[]
}

async function startStubs (t: Test): Promise<Stubs> {
  const openai = await startOpenAIStub()
  const hubspot = await startHubSpotStub({ clientSecret: TEST_CLIENT_SECRET })
  t.teardown(async () => { await openai.close(); await hubspot.close() })
  const stubs: Stubs = { openai, hubspot, delayMs: 0, nextDelaysMs: [], answersDueAt: [] }
  openai.on('POST /v1/responses', openai.guarded(request => {
    const delayMs = stubs.nextDelaysMs.shift() ?? stubs.delayMs
    stubs.answersDueAt.push(Date.now() + delayMs)
    return { body: openAIResponse(`Answer to ${String(request.json?.input).slice(0, 80)}`, { model: request.json?.model }), delayMs }
  }))
  return stubs
}

/** Waits until every callbackId has a completion, then a little longer for duplicates, and checks each came once, as SUCCESS. */
async function completedOnce (t: Test, hubspot: HubSpotStub, dataDir: string, callbackIds: readonly string[]): Promise<void> {
  try {
    await until(`completions of ${callbackIds.length} executions`, () => callbackIds.every(id => completionCounts(hubspot).has(id)), 15_000)
  } catch (error) {
    t.comment(`executions in the database now: ${JSON.stringify(storedExecutions(dataDir), null, 1)}`)
    t.comment(`callback requests the stub received: ${JSON.stringify(hubspot.callbackRequests().map(request => ({ path: request.path, body: request.text.slice(0, 300) })))}`)
    throw error
  }
  await sleep(700)
  const counts = completionCounts(hubspot)
  t.same(callbackIds.filter(id => counts.get(id) !== 1).map(id => ({ id, completions: counts.get(id) ?? 0 })), [], 'each completed exactly once')
  t.same([...counts.keys()].filter(id => !callbackIds.includes(id)), [], 'and nothing else completed')
  t.ok(hubspot.state.completedCallbacks.every(completion => completion.body?.outputFields?.hs_execution_state === 'SUCCESS'), 'every completion is SUCCESS')
}

t.test('SIGTERM while calls finish within SHUTDOWN_GRACE_MS: they are recorded, the process exits 0, each is completed once', async t => {
  const stubs = await startStubs(t)
  stubs.delayMs = 1000
  // The third answer comes a little after the other two, so the shutdown meets a completion round under way for
  // the first two while the third finishes (the race a graceful stop must survive).
  stubs.nextDelaysMs.push(1000, 1000, 1060)
  const services = serviceHarness(t)
  const dataDir = serviceDataDir(t)
  const environment = { ...serviceEnvironment({ dataDir, openaiBaseUrl: stubs.openai.baseUrl, hubspotBaseUrl: stubs.hubspot.baseUrl }), SHUTDOWN_GRACE_MS: '5000' }

  const first = await services.start(environment)
  await connectOpenAI(first, PORTAL)
  await installPortal(first, stubs.hubspot, PORTAL)
  const bodies = Array.from({ length: 3 }, () => customLlmBody(PORTAL))
  const answers = await Promise.all(bodies.map(body => sendExecution(first, body)))
  t.same(answers.map(answer => answer.json?.outputFields?.hs_execution_state), ['BLOCK', 'BLOCK', 'BLOCK'], 'three executions answered BLOCK')
  const callbackIds = bodies.map(body => String(body.callbackId))
  t.equal(stubs.openai.generations().length, 3, 'three calls at the provider')

  first.kill('SIGTERM')
  const signalledAt = Date.now()
  await until('the shutdown log line', () => first.logs().some(line => line.msg === 'shutting down: finishing in-flight requests') || first.exit !== undefined, 5000)

  // A delivery during the shutdown: refused at the socket, or 503 with Retry-After. A delivery that slipped in
  // before the signal took effect would be an ordinary execution, and then it must be completed once too.
  let during: ExecutionAnswer | Error
  const lateBody = customLlmBody(PORTAL)
  try {
    during = await sendExecution(first, lateBody)
  } catch (error) {
    during = error as Error
  }
  if (during instanceof Error) {
    t.pass(`a delivery during the shutdown was refused at the connection (${String((during.cause as Error | undefined)?.message ?? during.message)})`)
  } else if (during.status === 200) {
    t.equal(during.json?.outputFields?.hs_execution_state, 'BLOCK', 'a delivery that beat the shutdown is an ordinary BLOCKed execution')
    callbackIds.push(String(lateBody.callbackId))
  } else {
    t.equal(during.status, 503, `a delivery during the shutdown is answered 503 (${JSON.stringify(during.json)})`)
    t.ok(Number(during.headers.get('retry-after')) >= 1, 'with Retry-After')
  }

  const exit = await first.waitForExit(10_000)
  t.equal(exit.signal, null, 'not killed')
  t.equal(exit.code, 0, 'exit code 0')
  t.ok(exit.at >= Math.max(...stubs.answersDueAt), `it exited only after the provider answered all ${stubs.answersDueAt.length} calls`)
  t.ok(exit.at - signalledAt < 5000, `and soon after, before the grace ran out (${exit.at - signalledAt} ms after SIGTERM)`)
  const logs = first.logs()
  t.ok(logs.some(line => line.msg === 'shutting down: waiting for running executions' && line.running === callbackIds.length), 'it logged waiting for the running calls')
  t.notOk(logs.some(line => line.msg === 'shutting down: executions still running are handed to the other instances or the next start'), 'none was left running')

  const stored = storedExecutions(dataDir)
  t.same(stored.map(row => row.callbackId).sort(), [...callbackIds].sort(), 'one row per execution that was accepted')
  t.same(stored.filter(row => row.status !== 'success').map(row => ({ id: row.id, status: row.status, errorCode: row.errorCode })), [], 'each recorded as success before the exit')
  t.ok(stored.every(row => row.completionState === 'pending' || row.completionState === 'delivered'), 'each completion delivered or queued in the database')
  const deliveredBeforeExit = completionCounts(stubs.hubspot).size
  t.comment(`${deliveredBeforeExit} of ${callbackIds.length} completions delivered before the exit; in the database: ${JSON.stringify(stored.map(row => ({ completion: row.completionState, attempts: row.completionAttempts, dueAt: row.completionDueAt, finishedAt: row.finishedAt })))}`)

  const second = await services.start(environment)
  await completedOnce(t, stubs.hubspot, dataDir, callbackIds)
  t.equal(stubs.openai.generations().length, callbackIds.length, 'no call was made twice')
  const listed = await listExecutions(second, PORTAL)
  t.same(listed.map(execution => [execution.status, execution.completion?.state, execution.runs]), callbackIds.map(() => ['success', 'delivered', 1]), 'listed: success, delivered, started once')
  t.same(secretsIn(services.output(), stubs.hubspot), [], 'no secret in the output')
})

t.test('SIGTERM while calls outlast SHUTDOWN_GRACE_MS: exits 0 soon after the grace, leaves them running, the next start completes them', async t => {
  const stubs = await startStubs(t)
  stubs.delayMs = 10_000
  const services = serviceHarness(t)
  const dataDir = serviceDataDir(t)
  const environment = { ...serviceEnvironment({ dataDir, openaiBaseUrl: stubs.openai.baseUrl, hubspotBaseUrl: stubs.hubspot.baseUrl }), SHUTDOWN_GRACE_MS: '500' }

  const first = await services.start(environment)
  await connectOpenAI(first, PORTAL)
  await installPortal(first, stubs.hubspot, PORTAL)
  const bodies = Array.from({ length: 2 }, () => customLlmBody(PORTAL))
  const answers = await Promise.all(bodies.map(body => sendExecution(first, body)))
  t.same(answers.map(answer => answer.json?.outputFields?.hs_execution_state), ['BLOCK', 'BLOCK'], 'two executions answered BLOCK')
  const callbackIds = bodies.map(body => String(body.callbackId))
  await until('both calls at the provider', () => stubs.openai.generations().length >= 2, 3000)

  first.kill('SIGTERM')
  const signalledAt = Date.now()
  const exit = await first.waitForExit(8000)
  const tookMs = exit.at - signalledAt
  t.equal(exit.signal, null, 'not killed')
  t.equal(exit.code, 0, 'exit code 0')
  t.ok(tookMs >= 400, `it gave the calls the grace (${tookMs} ms)`)
  t.ok(tookMs < 3500, `and exited within the grace plus a margin, long before the provider's 10 s answer (${tookMs} ms)`)
  t.equal(stubs.hubspot.state.completedCallbacks.length, 0, 'nothing was completed')
  const logs = first.logs()
  t.ok(logs.some(line => line.msg === 'shutting down: executions still running are handed to the other instances or the next start' && line.left === 2), 'it logged leaving both for the next start')

  const stored = storedExecutions(dataDir)
  t.equal(stored.length, 2)
  t.same(stored.map(row => ({ status: row.status, errorCode: row.errorCode, answered: row.answered, hasRequest: row.hasRequest, completion: row.completionState })),
    [0, 1].map(() => ({ status: 'running', errorCode: null, answered: 'block', hasRequest: true, completion: null })),
    'both left running (not failed, no timeout recorded), BLOCKed, with their requests kept')

  stubs.delayMs = 200
  const second = await services.start(environment)
  await completedOnce(t, stubs.hubspot, dataDir, callbackIds)
  t.equal(stubs.openai.generations().length, 4, 'each call made once more, after the restart')
  const listed = await listExecutions(second, PORTAL)
  t.same(listed.map(execution => [execution.status, execution.completion?.state, execution.runs, execution.errorCode]), [0, 1].map(() => ['success', 'delivered', 2, null]), 'listed: success, delivered, runs 2')
  t.same(secretsIn(services.output(), stubs.hubspot), [], 'no secret in the output')
})
