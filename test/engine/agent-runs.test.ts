import t from 'tap'
import { durableSetup, eventually, PORTAL } from '../helpers/durable-setup.ts'

// Runs that do not come from a workflow: HubSpot's agents, copilot, standalone and test runs.

t.test('an agent run with no enrolled record succeeds from its inputs and records its source', async t => {
  const setup = await durableSetup(t, { SYNC_BUDGET_MS: '5000' })
  const body = setup.body({ prompt: 'Summarise: {{input1}}', input1: 'The renewal is due in May.' })
  delete body.object
  delete body.context
  body.requestContext = { source: 'AGENTS', agentId: 'agent-1', trajectoryId: 'trajectory-1' }
  const response = await setup.execute(body)
  t.equal(response.statusCode, 200, response.body)
  t.equal(response.json().outputFields.hs_execution_state, 'SUCCESS')
  const execution = (await setup.app.inject({ url: `/api/portals/${PORTAL}/executions`, headers: setup.admin })).json().items[0]
  t.equal(execution.source, 'AGENTS')

  const copilot = setup.body({ prompt: 'Hello {{firstname}}' })
  delete copilot.object
  copilot.requestContext = { source: 'copilot' }
  const unresolved = await setup.execute(copilot)
  t.equal(unresolved.json().outputFields.errorCode, 'TEMPLATE_UNRESOLVED', 'a record placeholder without a record is named, not guessed')
  t.match(unresolved.json().outputFields.errorMessage, /\{\{firstname\}\}/)
})

t.test('the source of a workflow run, an unknown source, and none', async t => {
  const setup = await durableSetup(t, { SYNC_BUDGET_MS: '5000' })
  const workflow = setup.body()
  const unknown = { ...setup.body(), context: { source: 'Something <script>' } }
  const none = setup.body()
  delete none.context
  for (const body of [workflow, unknown, none]) t.equal((await setup.execute(body)).statusCode, 200)
  const items = (await setup.app.inject({ url: `/api/portals/${PORTAL}/executions`, headers: setup.admin })).json().items
  t.same(items.map((item: { source: string | null }) => item.source).reverse(), ['WORKFLOWS', 'OTHER', null], 'free text never reaches the records')
})

t.test('a BLOCKed agent run is completed with typed outputs that match its output fields', async t => {
  const setup = await durableSetup(t)
  setup.providerDelayMs = 600
  const body = setup.body({ outputFormat: 'number', prompt: 'How many? {{input1}}', input1: 'three' })
  delete body.object
  body.requestContext = { source: 'AGENTS' }
  setup.openai.on('POST /v1/responses', setup.openai.guarded(async request => {
    await new Promise(resolve => setTimeout(resolve, 600))
    return { body: { id: 'resp_1', object: 'response', status: 'completed', model: request.json?.model, output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: '3' }] }], usage: { input_tokens: 5, output_tokens: 1 } } }
  }))
  t.equal((await setup.execute(body)).json().outputFields.hs_execution_state, 'BLOCK')
  await eventually('the completion', () => setup.hubspot.state.completedCallbacks.length > 0)
  const completed = setup.hubspot.state.completedCallbacks[0]?.body
  t.equal(completed.outputFields.responseNumber, '3')
  t.equal(completed.typedOutputs.responseNumber, 3)
  t.equal(completed.typedOutputs.inputTokens, Number(completed.outputFields.inputTokens))
  t.equal(completed.typedOutputs.response, completed.outputFields.response)
})
