import t from 'tap'
import { buildApp } from '../helpers/build-app.ts'
import { durableSetup, eventually, PORTAL } from '../helpers/durable-setup.ts'
import { ECONOMY_WINDOW, waitsTwoDays } from '../helpers/economy-batches.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'
import { sharedCluster } from '../helpers/postgres-cluster.ts'
import { completionCounts } from '../helpers/service-process.ts'
import { HUBSPOT_STUB_CLIENT_ID } from '../stubs/hubspot-stub.ts'

// Two instances on one PostgreSQL database, both running the economy queue: executions delivered to either go out
// in one batch, which only one of them submits and polls, and each is completed once.

const EXECUTE_PATH = '/hubspot/actions/custom-llm'
const EACH = 15

t.test('two instances share the economy queue: one batch for the connection, submitted once, each execution completed once', async t => {
  const url = await (await sharedCluster()).createDatabase()
  const first = await durableSetup(t, { ...ECONOMY_WINDOW, DATABASE_URL: url, INSTANCE_ID: 'economy-a' })
  const second = await buildApp(t, {
    ...ECONOMY_WINDOW,
    DATABASE_URL: url,
    INSTANCE_ID: 'economy-b',
    OPENAI_BASE_URL: first.openai.baseUrl,
    HUBSPOT_CLIENT_ID: HUBSPOT_STUB_CLIENT_ID,
    HUBSPOT_API_BASE_URL: first.hubspot.baseUrl,
    SYNC_BUDGET_MS: '300'
  })
  const bodies = Array.from({ length: EACH * 2 }, (_, index) =>
    executionBody(PORTAL, { provider: 'openai', model: 'gpt-4.1', prompt: `Score lead ${index}`, processing: 'economy' }))
  const answers = await Promise.all(bodies.map(async (body, index) => {
    const payload = JSON.stringify(body)
    const app = index % 2 === 0 ? first.app : second.app
    return await app.inject({ method: 'POST', url: EXECUTE_PATH, headers: signedHeaders('POST', EXECUTE_PATH, payload), payload })
  }))
  t.ok(answers.every(answer => waitsTwoDays(answer.json().outputFields?.hs_expiration_duration)), 'every execution answered BLOCK for two days, by either instance')

  await eventually('the batch to be sent', () => first.openai.batches.list().length > 0, 20_000)
  await new Promise(resolve => setTimeout(resolve, 2_500)) // a second batch, from the other instance, would come now
  const [batch] = first.openai.batches.list()
  t.equal(first.openai.batches.submissions(), 1, 'one batch')
  t.equal(first.openai.batches.input(batch!.id).length, EACH * 2, 'with the executions of both instances')
  first.openai.batches.complete(batch!.id)

  const completions = () => completionCounts(first.hubspot)
  await eventually('every execution to be completed', () => completions().size >= EACH * 2, 30_000)
  await new Promise(resolve => setTimeout(resolve, 1_500)) // a second completion would come now
  t.same([...completions().values()].filter(count => count !== 1), [], 'each completed exactly once')
  const batches = await first.app.repositories.economy.recent(PORTAL, 10)
  t.match(batches, [{ state: 'done', items: EACH * 2, answered: EACH * 2 }], 'one batch row, done; none left open or empty')
  t.equal(first.openai.generations().length, 0, 'no standard call')
})
