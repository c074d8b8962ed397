import t, { type Test } from 'tap'
import { buildApp, type TestApp } from '../helpers/build-app.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'
import { OPENAI_GOOD_KEY, openAIResponse, startOpenAIStub, type OpenAIStub } from '../stubs/openai-stub.ts'

const PORTAL = 9001

async function signedPost (built: TestApp, path: string, body: unknown) {
  const payload = JSON.stringify(body)
  return built.app.inject({ method: 'POST', url: path, headers: signedHeaders('POST', path, payload), payload })
}

async function setup (t: Test): Promise<TestApp & { stub: OpenAIStub }> {
  const stub = await startOpenAIStub()
  t.teardown(() => stub.close())
  const built = await buildApp(t, { OPENAI_BASE_URL: stub.baseUrl })
  const connected = await built.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai`, headers: built.admin, payload: { apiKey: OPENAI_GOOD_KEY } })
  t.equal(connected.statusCode, 201)
  return { ...built, stub }
}

t.test('definitions are served publicly, built from PUBLIC_URL', async t => {
  const built = await buildApp(t)
  const response = await built.app.inject({ url: '/hubspot/definitions' })
  t.equal(response.statusCode, 200)
  const items = response.json().items
  t.same(items.map((item: { key: string }) => item.key), ['custom-llm', 'openai-assistant'])
  t.equal(items[0].definition.actionUrl, 'https://llm.example.test/hubspot/actions/custom-llm')
})

t.test('options: connected providers, allowed models (searchable, paged), assistants', async t => {
  const built = await setup(t)
  const providers = await signedPost(built, '/hubspot/actions/custom-llm/options', { origin: { portalId: PORTAL }, inputFieldName: 'provider', inputFields: {} })
  t.same(providers.json(), { options: [{ label: 'OpenAI', value: 'openai' }], searchable: true })

  const models = await signedPost(built, '/hubspot/actions/custom-llm/options', { origin: { portalId: PORTAL }, inputFieldName: 'model', inputFields: { provider: { type: 'STATIC_VALUE', value: 'openai' } } })
  t.same(models.json().options.map((option: { value: string }) => option.value), ['gpt-7-preview', 'gpt-5.4', 'gpt-4.1'])
  t.match(models.json().options[1].description, /reasoning effort: low\/medium\/high/)

  const searched = await signedPost(built, '/hubspot/actions/custom-llm/options', { origin: { portalId: PORTAL }, inputFieldName: 'model', inputFields: { provider: { type: 'STATIC_VALUE', value: 'openai' } }, fetchOptions: { q: '4.1' } })
  t.same(searched.json().options.map((option: { value: string }) => option.value), ['gpt-4.1'])

  await built.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai/allowed-models`, headers: built.admin, payload: { models: ['gpt-4.1'] } })
  const allowed = await signedPost(built, '/hubspot/actions/openai-assistant/options', { origin: { portalId: PORTAL }, inputFieldName: 'model', inputFields: {} })
  t.same(allowed.json().options.map((option: { value: string }) => option.value), ['gpt-4.1'], 'cut to the allowlist')

  const none = await signedPost(built, '/hubspot/actions/custom-llm/options', { origin: { portalId: PORTAL + 1 }, inputFieldName: 'provider', inputFields: {} })
  t.same(none.json().options, [], 'a portal without connections gets no providers')

  const unsigned = await built.app.inject({ method: 'POST', url: '/hubspot/actions/custom-llm/options', payload: { origin: { portalId: PORTAL }, inputFieldName: 'provider' } })
  t.equal(unsigned.statusCode, 401, 'options are signed too')
})

t.test('options are paged with after when the list is long', async t => {
  const stub = await startOpenAIStub({ models: Array.from({ length: 230 }, (_, index) => ({ id: `gpt-4.1-ft-${String(index).padStart(3, '0')}`, object: 'model', created: 1744316542 - index, owned_by: 'system' })) })
  t.teardown(() => stub.close())
  const built = await buildApp(t, { OPENAI_BASE_URL: stub.baseUrl })
  await built.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai`, headers: built.admin, payload: { apiKey: OPENAI_GOOD_KEY } })
  const body = (after?: string) => ({ origin: { portalId: PORTAL }, inputFieldName: 'model', inputFields: { provider: { type: 'STATIC_VALUE', value: 'openai' } }, ...(after === undefined ? {} : { fetchOptions: { after } }) })
  const first = (await signedPost(built, '/hubspot/actions/custom-llm/options', body())).json()
  t.equal(first.options.length, 100)
  t.equal(first.after, '100')
  const last = (await signedPost(built, '/hubspot/actions/custom-llm/options', body('200'))).json()
  t.equal(last.options.length, 30)
  t.equal(last.after, undefined)
})

t.test('a workflow: assistants, both actions with record data and typed outputs, executions and usage', async t => {
  const built = await setup(t)
  const { app, admin, stub } = built

  t.test('assistant CRUD with validation', async t => {
    const invalid = await app.inject({ method: 'POST', url: `/api/portals/${PORTAL}/assistants`, headers: admin, payload: { name: 'x', model: 'gpt-4.1', instructions: 'x', reasoningEffort: 'high' } })
    t.equal(invalid.statusCode, 400)
    t.match(invalid.json().message, /no reasoning-effort setting/)
    const missing = await app.inject({ method: 'POST', url: `/api/portals/${PORTAL}/assistants`, headers: admin, payload: { name: 'x' } })
    t.equal(missing.json().code, 'INVALID_INPUT')
    const unknown = await app.inject({ url: `/api/portals/${PORTAL}/assistants/asst_nope`, headers: admin })
    t.equal(unknown.statusCode, 404)
    t.equal(unknown.json().code, 'ASSISTANT_NOT_FOUND')
  })

  const created = await app.inject({ method: 'POST', url: `/api/portals/${PORTAL}/assistants`, headers: admin, payload: { name: 'Lead scorer', model: 'gpt-5.4', instructions: 'You score sales leads from 0 to 100.', reasoningEffort: 'low' } })
  t.equal(created.statusCode, 201)
  const assistant = created.json()
  t.match(assistant, { name: 'Lead scorer', model: 'gpt-5.4', temperature: null, reasoningEffort: 'low' })
  const updated = await app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/assistants/${assistant.id}`, headers: admin, payload: { name: 'Lead scorer', model: 'gpt-5.4', instructions: 'You score B2B sales leads from 0 to 100.', reasoningEffort: 'medium' } })
  t.equal(updated.json().reasoningEffort, 'medium')
  t.same((await app.inject({ url: `/api/portals/${PORTAL}/assistants`, headers: admin })).json().items.map((item: { id: string }) => item.id), [assistant.id])
  const assistantOptions = await signedPost(built, '/hubspot/actions/openai-assistant/options', { origin: { portalId: PORTAL }, inputFieldName: 'assistant', inputFields: {} })
  t.same(assistantOptions.json().options, [{ label: 'Lead scorer', value: assistant.id, description: 'gpt-5.4' }])

  stub.on('POST /v1/responses', request => {
    const instructions = String(request.json?.instructions ?? '')
    if (instructions.includes('score')) return { body: openAIResponse('{"value": 87}') }
    if (instructions.includes('true or false')) return { body: openAIResponse('Yes.') }
    if (instructions.includes('exactly one of')) return { body: openAIResponse('**Warm**') }
    return { body: openAIResponse('```json\n{"segment": "enterprise"}\n```') }
  })

  t.test('"Ask OpenAI assistant" runs the saved assistant; a number answer comes typed', async t => {
    const response = await signedPost(built, '/hubspot/actions/openai-assistant', executionBody(PORTAL, { assistant: assistant.id, prompt: 'Score {{email}} at {{input1}}', input1: 'Acme Corp', outputFormat: 'number' }))
    t.equal(response.statusCode, 200)
    t.match(response.json().outputFields, { response: '87', responseNumber: '87', provider: 'openai', model: 'gpt-5.4', hs_execution_state: 'SUCCESS' })
    const sent = stub.generations().at(-1)?.json
    t.match(sent.instructions, /score B2B sales leads/)
    t.same(sent.reasoning, { effort: 'medium' })
    t.match(sent.input, '<record-data name="email">ada@example.com</record-data>')
    t.match(sent.input, '<record-data name="input1">Acme Corp</record-data>')
    t.equal(sent.text.format.type, 'json_schema', 'structured output for a typed answer')
  })

  t.test('the action\'s model and temperature override the assistant\'s', async t => {
    const response = await signedPost(built, '/hubspot/actions/openai-assistant', executionBody(PORTAL, { assistant: assistant.id, prompt: 'Score it', model: 'gpt-4.1', temperature: '0.2', outputFormat: 'number' }))
    t.equal(response.json().outputFields.model, 'gpt-4.1')
    const sent = stub.generations().at(-1)?.json
    t.equal(sent.model, 'gpt-4.1')
    t.equal(sent.temperature, 0.2)
    t.equal(sent.reasoning, undefined, 'gpt-4.1 takes no effort: the assistant\'s is dropped and recorded')
  })

  t.test('"Use a custom LLM" with boolean, choice and json formats', async t => {
    const yes = await signedPost(built, '/hubspot/actions/custom-llm', executionBody(PORTAL, { provider: 'openai', model: 'gpt-5.4', prompt: 'Is {{firstname}} a decision maker?', outputFormat: 'boolean' }))
    t.match(yes.json().outputFields, { responseBoolean: 'true', hs_execution_state: 'SUCCESS' })
    const warm = await signedPost(built, '/hubspot/actions/custom-llm', executionBody(PORTAL, { provider: 'openai', model: 'gpt-4.1', prompt: 'Temperature of {{firstname}}?', outputFormat: 'choice', choices: 'Cold; Warm; Hot' }))
    t.match(warm.json().outputFields, { responseChoice: 'Warm' })
    const json = await signedPost(built, '/hubspot/actions/custom-llm', executionBody(PORTAL, { provider: 'openai', model: 'gpt-4.1', prompt: 'Segment {{firstname}}', outputFormat: 'json' }))
    t.match(json.json().outputFields, { responseJson: '{"segment":"enterprise"}' })
  })

  t.test('an unusable answer gets one repair attempt, then OUTPUT_FORMAT', async t => {
    const before = stub.generations().length
    stub.once('POST /v1/responses', { body: openAIResponse('It depends.') }, { body: openAIResponse('Hard to say, maybe yes and maybe no.') })
    const response = await signedPost(built, '/hubspot/actions/custom-llm', executionBody(PORTAL, { provider: 'openai', model: 'gpt-5.4', prompt: 'Is it?', outputFormat: 'boolean' }))
    t.equal(response.json().outputFields.errorCode, 'OUTPUT_FORMAT')
    t.equal(stub.generations().length - before, 2)
    t.match(stub.generations().at(-1)?.json.input, /previous-answer/)

    stub.once('POST /v1/responses', { body: openAIResponse('It depends.') })
    const repaired = await signedPost(built, '/hubspot/actions/custom-llm', executionBody(PORTAL, { provider: 'openai', model: 'gpt-5.4', prompt: 'Is it?', outputFormat: 'boolean' }))
    t.equal(repaired.json().outputFields.responseBoolean, 'true', 'the repair answer is used')
  })

  t.test('the test console runs a prompt as the action would', async t => {
    const response = await app.inject({ method: 'POST', url: `/api/portals/${PORTAL}/invoke`, headers: admin, payload: { inputFields: { provider: 'openai', model: 'gpt-5', prompt: 'Segment {{company}}', temperature: '0.5', outputFormat: 'json' }, properties: { company: 'Acme' } } })
    t.equal(response.statusCode, 200)
    t.equal(response.json().state, 'SUCCESS')
    t.match(response.json().adjustments[0], /Temperature 0.5 ignored: gpt-5 does not accept a temperature/)
    const assistantRun = await app.inject({ method: 'POST', url: `/api/portals/${PORTAL}/invoke`, headers: admin, payload: { action: 'openai-assistant', inputFields: { assistant: 'asst_missing', prompt: 'x' } } })
    t.equal(assistantRun.json().outputFields.errorCode, 'ASSISTANT_NOT_FOUND')
  })

  t.test('executions and usage are visible in the admin API', async t => {
    const executions = (await app.inject({ url: `/api/portals/${PORTAL}/executions?limit=3`, headers: admin })).json()
    t.equal(executions.items.length, 3)
    t.ok(executions.next > 0)
    const older = (await app.inject({ url: `/api/portals/${PORTAL}/executions?limit=100&before=${executions.next}`, headers: admin })).json()
    t.ok(older.items.every((item: { id: number }) => item.id < executions.next))
    const all = [...executions.items, ...older.items]
    const failed = (await app.inject({ url: `/api/portals/${PORTAL}/executions?status=failed&limit=500`, headers: admin })).json()
    t.ok(failed.items.length > 0, 'some executions failed')
    t.same(failed.items.map((item: { id: number }) => item.id), all.filter((item: { status: string }) => item.status === 'failed').map((item: { id: number }) => item.id), 'status= filters on the server, newest first')
    t.equal((await app.inject({ url: `/api/portals/${PORTAL}/executions?status=done`, headers: admin })).statusCode, 400, 'an unknown status is 400')
    const overridden = all.find((item: { model: string, action: string }) => item.model === 'gpt-4.1' && item.action === 'openai-assistant')
    t.match(overridden.adjustments[0], /Reasoning effort "medium" ignored/)
    t.match(all.find((item: { errorCode: string }) => item.errorCode === 'OUTPUT_FORMAT'), { status: 'failed', inputTokens: 24 })
    t.equal(all[0].prompt, undefined, 'prompts are not stored unless STORE_PROMPTS=true')
    t.ok(all.every((item: { latencyMs: number | null }) => item.latencyMs !== null && item.latencyMs >= 0))

    const usage = (await app.inject({ url: `/api/portals/${PORTAL}/usage`, headers: admin })).json()
    const gpt54 = usage.items.find((row: { model: string }) => row.model === 'gpt-5.4')
    t.match(gpt54, { provider: 'openai', errors: 1 })
    t.ok(gpt54.executions >= 4)
    t.equal(usage.totals.executions, usage.items.reduce((sum: number, row: { executions: number }) => sum + row.executions, 0))
    t.ok(usage.totals.reasoningTokens > 0)
    const empty = (await app.inject({ url: `/api/portals/${PORTAL}/usage?from=2020-01-01&to=2020-02-01`, headers: admin })).json()
    t.same(empty.items, [])
    const bad = await app.inject({ url: `/api/portals/${PORTAL}/usage?from=yesterday`, headers: admin })
    t.equal(bad.statusCode, 400)
    t.equal(bad.json().code, 'INVALID_INPUT')
  })

  t.test('deleting an assistant', async t => {
    t.equal((await app.inject({ method: 'DELETE', url: `/api/portals/${PORTAL}/assistants/${assistant.id}`, headers: admin })).statusCode, 204)
    t.equal((await app.inject({ method: 'DELETE', url: `/api/portals/${PORTAL}/assistants/${assistant.id}`, headers: admin })).statusCode, 404)
  })
})

t.test('STORE_PROMPTS=true keeps prompt and answer text', async t => {
  const stub = await startOpenAIStub()
  t.teardown(() => stub.close())
  const built = await buildApp(t, { OPENAI_BASE_URL: stub.baseUrl, STORE_PROMPTS: 'true' })
  await built.app.inject({ method: 'PUT', url: `/api/portals/${PORTAL}/connections/openai`, headers: built.admin, payload: { apiKey: OPENAI_GOOD_KEY } })
  await signedPost(built, '/hubspot/actions/custom-llm', executionBody(PORTAL, { provider: 'openai', model: 'gpt-4.1', prompt: 'Hello {{firstname}}' }))
  const listed = await built.app.inject({ url: `/api/portals/${PORTAL}/executions`, headers: built.admin })
  t.equal(listed.statusCode, 200, listed.body)
  const [execution] = listed.json().items
  t.match(execution.prompt, 'Hello <record-data name="firstname">Ada</record-data>')
  t.equal(execution.response, 'Hello from stub')
})
