import t from 'tap'
import { executionBody } from '../helpers/hubspot-request.ts'
import {
  completionCounts, connectOpenAI, installPortal, sendExecution, serviceDataDir, serviceEnvironment, serviceHarness, sleep, until
} from '../helpers/service-process.ts'
import { TEST_CLIENT_SECRET } from '../helpers/build-app.ts'
import { waitsTwoDays } from '../helpers/economy-batches.ts'
import { startHubSpotStub } from '../stubs/hubspot-stub.ts'
import { startOpenAIStub } from '../stubs/openai-stub.ts'

// Economy mode through kill -9, run as production runs: the service is killed while its economy executions wait for
// their batch, and again while the batch is at the provider. Every execution is completed once at HubSpot, the
// batch is submitted once, and no standard call is made for any of them.

const PORTAL = 82828
const EXECUTIONS = 30

t.test('kill -9 while executions wait and while their batch is polled: one batch, each completed once', async t => {
  t.setTimeout(240_000)
  const openai = await startOpenAIStub()
  const hubspot = await startHubSpotStub({ clientSecret: TEST_CLIENT_SECRET })
  t.teardown(async () => { await openai.close(); await hubspot.close() })
  const services = serviceHarness(t)
  const dataDir = serviceDataDir(t)
  const base = serviceEnvironment({ dataDir, openaiBaseUrl: openai.baseUrl, hubspotBaseUrl: hubspot.baseUrl })

  // First process: a long window, so the executions are still waiting when it is killed.
  const first = await services.start({ ...base, ECONOMY_BATCH_WINDOW_MS: '600000' })
  await connectOpenAI(first, PORTAL)
  await installPortal(first, hubspot, PORTAL)
  const bodies = Array.from({ length: EXECUTIONS }, (_, index) =>
    executionBody(PORTAL, { provider: 'openai', model: 'gpt-4.1', prompt: `Say hi to {{firstname}}, number ${index}`, processing: 'economy' }))
  const callbackIds = bodies.map(body => String(body.callbackId))
  const answers = await Promise.all(bodies.map(async body => await sendExecution(first, body)))
  t.ok(answers.every(answer => answer.json?.outputFields?.hs_execution_state === 'BLOCK' && waitsTwoDays(answer.json?.outputFields?.hs_expiration_duration)), 'every execution answered BLOCK for two days')
  first.kill('SIGKILL')
  t.equal((await first.waitForExit(5000)).signal, 'SIGKILL', 'killed while every execution waits for its batch')
  t.equal(openai.batches.submissions(), 0, 'nothing was sent before the crash')

  // Second process: a short window; it sends the waiting executions as one batch, and is killed while polling it.
  const environment = { ...base, ECONOMY_BATCH_WINDOW_MS: '1000' }
  const second = await services.start(environment)
  await until('the batch to be submitted and polled', () => openai.batches.list().some(batch => batch.status === 'in_progress'), 30_000)
  second.kill('SIGKILL')
  await second.waitForExit(5000)
  const [batch] = openai.batches.list()
  t.equal(openai.batches.submissions(), 1, 'one batch')
  t.equal(openai.batches.input(batch!.id).length, EXECUTIONS, 'holding every execution')
  openai.batches.complete(batch!.id)

  // Third process: takes the batch over, reads its results, completes each execution.
  await services.start(environment)
  await until(`${EXECUTIONS} completions`, () => completionCounts(hubspot).size >= EXECUTIONS, 60_000)
  await sleep(1500) // a duplicate would come now
  const counts = completionCounts(hubspot)
  t.same([...counts.keys()].sort(), [...callbackIds].sort(), 'completions for exactly these executions')
  t.same(callbackIds.filter(id => counts.get(id) !== 1), [], 'each completed exactly once')
  t.ok(hubspot.state.completedCallbacks.every(completion => completion.body?.outputFields?.hs_execution_state === 'SUCCESS'), 'every completion is SUCCESS')
  t.equal(openai.batches.submissions(), 1, 'the batch was never submitted again')
  t.equal(openai.generations().length, 0, 'and no execution ran as a standard call')
})
