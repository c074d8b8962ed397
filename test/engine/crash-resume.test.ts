import t from 'tap'
import {
  completionCounts, connectOpenAI, customLlmBody, installPortal, listExecutions, secretsIn, sendExecution,
  serviceDataDir, serviceEnvironment, serviceHarness, sleep, storedExecutions, until
} from '../helpers/service-process.ts'
import { TEST_CLIENT_SECRET } from '../helpers/build-app.ts'
import { startHubSpotStub } from '../stubs/hubspot-stub.ts'
import { openAIResponse, startOpenAIStub } from '../stubs/openai-stub.ts'

// The crash test: the service, run as production runs it, is SIGKILLed while 20 BLOCKed calls are at the provider.
// The next start on the same DATA_DIR must run each again and complete each through HubSpot's callback API exactly
// once; nothing is lost, nothing is sent twice, and no secret reaches the process output.

const PORTAL = 81818
const EXECUTIONS = 20
const PROVIDER_DELAY_MS = 4000

t.test('SIGKILL with 20 BLOCKed calls in flight: the next start completes each exactly once', async t => {
  const openai = await startOpenAIStub()
  const hubspot = await startHubSpotStub({ clientSecret: TEST_CLIENT_SECRET })
  t.teardown(async () => { await openai.close(); await hubspot.close() })
  openai.on('POST /v1/responses', openai.guarded(request => ({
    body: openAIResponse(`Answer to ${String(request.json?.input).slice(0, 80)}`, { model: request.json?.model }),
    delayMs: PROVIDER_DELAY_MS
  })))

  const services = serviceHarness(t)
  const dataDir = serviceDataDir(t)
  const environment = {
    ...serviceEnvironment({ dataDir, openaiBaseUrl: openai.baseUrl, hubspotBaseUrl: hubspot.baseUrl }),
    // The default (16 calls at once per connection) would queue 4 of the 20, so not all would be at the provider.
    PROVIDER_CONCURRENCY: '32'
  }

  // First process: connect, install, 20 executions answered BLOCK, then killed while every call is at the provider.
  const first = await services.start(environment)
  await connectOpenAI(first, PORTAL)
  await installPortal(first, hubspot, PORTAL)
  const bodies = Array.from({ length: EXECUTIONS }, () => customLlmBody(PORTAL))
  const callbackIds = bodies.map(body => String(body.callbackId))
  const answers = await Promise.all(bodies.map(body => sendExecution(first, body)))
  t.same(answers.map(answer => answer.status), Array(EXECUTIONS).fill(200), 'every execution answered 200')
  t.same(answers.map(answer => answer.json?.outputFields?.hs_execution_state), Array(EXECUTIONS).fill('BLOCK'), 'every execution answered BLOCK')
  t.ok(answers.every(answer => /^PT\d+S$/.test(String(answer.json?.outputFields?.hs_expiration_duration))), 'with an expiration duration')

  await until(`${EXECUTIONS} provider requests`, () => openai.generations().length >= EXECUTIONS, 5000)
  t.equal(openai.generations().length, EXECUTIONS, 'one provider call per execution')
  t.equal(hubspot.state.completedCallbacks.length, 0, 'nothing completed before the crash (the provider has not answered)')
  first.kill('SIGKILL')
  const crash = await first.waitForExit(5000)
  t.equal(crash.signal, 'SIGKILL', 'the first process was killed')
  t.equal(hubspot.state.completedCallbacks.length, 0, 'no completion was received')
  t.equal(hubspot.callbackRequests().length, 0, 'no completion was even attempted')

  const left = storedExecutions(dataDir)
  t.equal(left.length, EXECUTIONS, 'every execution was written before its call')
  t.ok(left.every(row => row.status === 'running' && row.answered === 'block' && row.runs === 1 && row.hasRequest && row.completionState === null),
    'each is left running, BLOCKed, started once, with its request kept for the resume')

  // Second process on the same DATA_DIR: resumes the 20 and completes them.
  const second = await services.start(environment)
  try {
    await until(`${EXECUTIONS} completions`, () => completionCounts(hubspot).size >= EXECUTIONS, 30_000)
  } catch (error) {
    t.comment(`executions in the database now: ${JSON.stringify(storedExecutions(dataDir), null, 1)}`)
    throw error
  }
  await sleep(1000) // a duplicate would come now
  const counts = completionCounts(hubspot)
  t.same([...counts.keys()].sort(), [...callbackIds].sort(), 'completions for exactly the 20 callbackIds')
  t.same(callbackIds.filter(id => counts.get(id) !== 1), [], 'each callbackId completed exactly once (single and batch calls counted)')
  t.ok(hubspot.state.completedCallbacks.every(completion => completion.body?.outputFields?.hs_execution_state === 'SUCCESS'), 'every completion is SUCCESS')
  t.ok(hubspot.state.completedCallbacks.every(completion => /^Answer to /.test(String(completion.body?.outputFields?.response))), 'with the provider\'s answer')
  t.ok(hubspot.state.completedCallbacks.every(completion => completion.portalId === PORTAL && completion.version === '2026-09'), 'for the portal, through the 2026-09 paths')
  t.equal(openai.generations().length, EXECUTIONS * 2, 'each call was made again once after the crash, no more')

  const listed = await listExecutions(second, PORTAL)
  t.equal(listed.length, EXECUTIONS, '20 executions listed')
  t.same(listed.filter(execution => execution.status !== 'success').map(execution => execution.status), [], 'all status success')
  t.same(listed.filter(execution => execution.completion?.state !== 'delivered').map(execution => execution.completion), [], 'all completion.state delivered')
  t.same(listed.filter(execution => execution.runs !== 2).map(execution => execution.runs), [], 'all runs: 2 (the start before the crash, the resume)')
  t.same(listed.map(execution => execution.callbackId).sort(), [...callbackIds].sort(), 'the same callbackIds')
  t.ok(second.logs().some(line => line.msg === 'took over unfinished executions' && line.resumed === EXECUTIONS), 'the second process logged resuming 20')

  // A 21st delivery of one callbackId, after all this: its stored answer, and no new generation.
  const generations = openai.generations().length
  const redelivery = await sendExecution(second, bodies[7] ?? {})
  t.equal(redelivery.status, 200)
  t.equal(redelivery.json?.outputFields?.hs_execution_state, 'SUCCESS', 'a redelivery gets the stored SUCCESS')
  t.match(redelivery.json?.outputFields?.response, /^Answer to /, 'with the stored answer')
  await sleep(200)
  t.equal(openai.generations().length, generations, 'and the provider sees no extra generation')
  t.equal(hubspot.state.completedCallbacks.length, EXECUTIONS, 'and nothing is completed again')

  const output = services.output()
  t.same(secretsIn(output, hubspot), [], 'no secret in either process\'s output')
  t.ok(hubspot.issuedTokens().length > 0, '(the stub did issue tokens to look for)')
})
