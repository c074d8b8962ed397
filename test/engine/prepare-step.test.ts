import t, { type Test } from 'tap'
import type { ActionContext } from '../../src/actions/action-context.ts'
import { resolveCustomLlm } from '../../src/actions/custom-llm/resolve-plan.ts'
import { prepareExecution } from '../../src/actions/engine/prepare.ts'
import type { ExecutionRequest, RecordPropertyReader } from '../../src/actions/engine/types.ts'
import { callTarget } from '../../src/actions/plan-parts.ts'
import { RECORD_DATA_INSTRUCTIONS } from '../../src/actions/render-prompt.ts'
import { AppError } from '../../plugins/errors.ts'
import { connectedContext } from '../helpers/connected-context.ts'

// Step "prepare": the plan, the rendered prompt and the request per target model. Nothing here calls a provider.

const PORTAL = 515151

/** The real services (database, keyring, providers) with OpenAI and Anthropic connected, against loopback stubs. */
async function preparedContext (t: Test): Promise<{ context: ActionContext, generations: () => number }> {
  const { context, openai, anthropic } = await connectedContext(t, PORTAL)
  return { context, generations: () => openai.generations().length + anthropic.generations().length }
}

// Prepare writes nothing, so one set of services serves every test in this file.
const shared = await preparedContext(t)

function request (inputFields: Record<string, unknown>, properties: Record<string, unknown> = { firstname: 'Ada' }): ExecutionRequest {
  return {
    action: 'custom-llm',
    trigger: 'workflow',
    portalId: PORTAL,
    callbackId: 'prepare-step',
    inputFields: { provider: 'openai', model: 'gpt-4.1', ...inputFields },
    object: { objectId: 904, objectType: 'CONTACT', properties }
  }
}

async function rejection (promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => undefined, (thrown: unknown) => thrown)
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`)
  return error
}

t.test('placeholders are filled from the input fields and the record, as record data', async t => {
  const { context, generations } = shared
  const prepared = await prepareExecution(context, request({ prompt: 'Greet {{FirstName}} from {{input1}}.', input1: 'Acme' }), resolveCustomLlm, undefined)
  t.equal(prepared.prompt, 'Greet <record-data name="firstname">Ada</record-data> from <record-data name="input1">Acme</record-data>.')
  const { request: providerRequest } = prepared.requestFor(prepared.plan, prepared.prompt)
  t.equal(providerRequest.prompt, prepared.prompt)
  t.equal(providerRequest.instructions, RECORD_DATA_INSTRUCTIONS, 'the model is told the record data is data')
  t.equal(prepared.plan.provider.id, 'openai')
  t.equal(prepared.plan.modelId, 'gpt-4.1')
  t.equal(generations(), 0, 'no provider was called')
})

t.test('a prompt without placeholders passes unchanged and gets no record-data instructions', async t => {
  const { context } = shared
  const prepared = await prepareExecution(context, request({ prompt: 'Say hello.' }), resolveCustomLlm, undefined)
  t.equal(prepared.prompt, 'Say hello.')
  t.notOk('instructions' in prepared.requestFor(prepared.plan, prepared.prompt).request, 'no instructions at all for plain text')
})

t.test('an unresolved placeholder fails with TEMPLATE_UNRESOLVED, naming it', async t => {
  const { context } = shared
  const error = await rejection(prepareExecution(context, request({ prompt: 'Greet {{firstname}} at {{Company}}.' }), resolveCustomLlm, undefined))
  t.equal(error.code, 'TEMPLATE_UNRESOLVED')
  t.match(error.message, /\{\{Company\}\}/)
  t.match(error.message, /installed in this portal with OAuth/, 'without a CRM reader the likely fix is to install the app')

  const emptyInput = await rejection(prepareExecution(context, request({ prompt: 'Use {{input2}}.', input2: '  ' }), resolveCustomLlm, undefined))
  t.equal(emptyInput.code, 'TEMPLATE_UNRESOLVED')
  t.match(emptyInput.message, /Record data 2/)
})

t.test('properties HubSpot did not send are read from the CRM, only the missing ones', async t => {
  const { context } = shared
  const asked: Array<{ portalId: number, objectType: string, objectId: string, names: readonly string[] }> = []
  const reader: RecordPropertyReader = async (portalId, objectType, objectId, names) => {
    asked.push({ portalId, objectType, objectId, names })
    return { company: 'Analytical Engines', firstname: 'Not Ada' }
  }
  const prepared = await prepareExecution(context, request({ prompt: '{{firstname}} works at {{company}}.' }), resolveCustomLlm, reader)
  t.same(asked, [{ portalId: PORTAL, objectType: 'CONTACT', objectId: '904', names: ['company'] }])
  t.equal(prepared.prompt, '<record-data name="firstname">Ada</record-data> works at <record-data name="company">Analytical Engines</record-data>.', 'what HubSpot sent wins')
})

t.test('a property the CRM does not have either is unresolved, and the message says no such property was found', async t => {
  const { context } = shared
  const reader: RecordPropertyReader = async () => ({})
  const error = await rejection(prepareExecution(context, request({ prompt: 'Hi {{nosuchproperty}}' }), resolveCustomLlm, reader))
  t.equal(error.code, 'TEMPLATE_UNRESOLVED')
  t.match(error.message, /no such property was found on this record/)
})

t.test('the CRM is not asked when everything was sent', async t => {
  const { context } = shared
  let calls = 0
  const reader: RecordPropertyReader = async () => { calls++; return {} }
  await prepareExecution(context, request({ prompt: 'Hi {{firstname}}' }), resolveCustomLlm, reader)
  t.equal(calls, 0)
})

t.test('a plan that cannot be resolved fails before any rendering', async t => {
  const { context } = shared
  const notConnected = await rejection(prepareExecution(context, request({ provider: 'cohere', model: 'command-a', prompt: 'Hi' }), resolveCustomLlm, undefined))
  t.equal(notConnected.code, 'PROVIDER_NOT_CONNECTED')
  const halfFallback = await rejection(prepareExecution(context, request({ prompt: 'Hi', fallbackProvider: 'anthropic' }), resolveCustomLlm, undefined))
  t.equal(halfFallback.code, 'INVALID_INPUT')
})

t.test('a model that takes a temperature gets it, and the reasoning effort it cannot take is dropped and said so', async t => {
  const { context } = shared
  const prepared = await prepareExecution(context, request({ prompt: 'Hi', temperature: '0.3', reasoningEffort: 'high', maxOutputTokens: '500' }), resolveCustomLlm, undefined)
  const { request: sent, adjustments } = prepared.requestFor(prepared.plan, prepared.prompt)
  t.equal(sent.modelId, 'gpt-4.1')
  t.equal(sent.temperature, 0.3)
  t.equal(sent.reasoningEffort, undefined)
  t.equal(sent.maxOutputTokens, 500)
  t.same(adjustments, ['Reasoning effort "high" ignored: gpt-4.1 has no reasoning-effort setting.'])
})

t.test('the same plan asks a reasoning model differently: effort kept, temperature dropped', async t => {
  const { context } = shared
  const prepared = await prepareExecution(context, request({ prompt: 'Hi', temperature: '0.3', reasoningEffort: 'high' }), resolveCustomLlm, undefined)
  const reasoning = await callTarget(context, PORTAL, 'openai', 'gpt-5')
  const { request: sent, adjustments } = prepared.requestFor(reasoning, 'another prompt')
  t.equal(sent.modelId, 'gpt-5')
  t.equal(sent.prompt, 'another prompt', 'the prompt given is the one sent (a repair prompt, for instance)')
  t.equal(sent.reasoningEffort, 'high')
  t.notOk('temperature' in sent, 'no temperature key at all')
  t.same(adjustments, ['Temperature 0.3 ignored: gpt-5 does not accept a temperature.'])

  const fallback = await callTarget(context, PORTAL, 'anthropic', 'claude-sonnet-4-6')
  const toFallback = prepared.requestFor(fallback, prepared.prompt)
  t.equal(toFallback.request.modelId, 'claude-sonnet-4-6')
  t.notOk('temperature' in toFallback.request)
  t.equal(toFallback.request.reasoningEffort, 'high')
  t.equal(toFallback.request.maxOutputTokens, 4096, 'the model\'s default cap when none is asked for')
  t.match(toFallback.adjustments, [/Temperature 0\.3 ignored: claude-sonnet-4-6/])
})

t.test('a typed format asks for structured output, unless the model has none', async t => {
  const { context } = shared
  const prepared = await prepareExecution(context, request({ prompt: 'How many?', outputFormat: 'number' }), resolveCustomLlm, undefined)
  const { request: sent, adjustments } = prepared.requestFor(prepared.plan, prepared.prompt)
  t.same(sent.jsonSchema, { type: 'object', properties: { value: { type: 'number' } }, required: ['value'], additionalProperties: false })
  t.match(sent.instructions, /Answer with a single number only/)
  t.same(adjustments, [])
  t.same(prepared.parseOptions, { choices: [] })

  const old = prepared.requestFor(await callTarget(context, PORTAL, 'openai', 'gpt-3.5-turbo'), prepared.prompt)
  t.notOk('jsonSchema' in old.request)
  t.same(old.adjustments, ['gpt-3.5-turbo has no structured-output mode: the JSON format is asked for in the instructions and validated.'])
})

t.test('a user\'s JSON schema strict mode would refuse is not sent, validated instead, and said so', async t => {
  const { context } = shared
  const schema = { type: 'object', properties: { score: { type: 'number' } } }
  const prepared = await prepareExecution(context, request({ prompt: 'Score it', outputFormat: 'json', jsonSchema: JSON.stringify(schema) }), resolveCustomLlm, undefined)
  const { request: sent, adjustments } = prepared.requestFor(prepared.plan, prepared.prompt)
  t.notOk('jsonSchema' in sent)
  t.match(adjustments, [/^The JSON schema was not sent to gpt-4\.1 \(.+\); answers are validated against it instead\.$/])
  t.same(prepared.parseOptions, { choices: [], schema })
  t.match(sent.instructions, /It must match this JSON Schema/)
})

t.test('choices go to the parser and into the instructions', async t => {
  const { context } = shared
  const prepared = await prepareExecution(context, request({ prompt: 'Rate the lead', outputFormat: 'choice', choices: 'Hot; Warm; Cold' }), resolveCustomLlm, undefined)
  t.same(prepared.parseOptions, { choices: ['Hot', 'Warm', 'Cold'] })
  const { request: sent } = prepared.requestFor(prepared.plan, prepared.prompt)
  t.match(sent.instructions, /Hot; Warm; Cold/)
  t.same(sent.jsonSchema, { type: 'object', properties: { value: { type: 'string', enum: ['Hot', 'Warm', 'Cold'] } }, required: ['value'], additionalProperties: false })
})
