import t from 'tap'
import { resolveCustomLlm } from '../../src/actions/custom-llm/resolve-plan.ts'
import type { ExecutionRequest, PlanResolver } from '../../src/actions/engine/types.ts'
import { resolveOpenAIAssistant } from '../../src/actions/openai-assistant/resolve-plan.ts'
import { isAppError } from '../../plugins/errors.ts'
import { connectedContext } from '../helpers/connected-context.ts'

const PORTAL = 7311
const shared = await connectedContext(t, PORTAL)
const created = await shared.built.app.inject({
  method: 'POST', url: `/api/portals/${PORTAL}/assistants`, headers: shared.built.admin, payload: { name: 'Summariser', model: 'gpt-5.4', instructions: 'Summarise.' }
})
const assistantId: string = created.json().id

/** Both actions, with the inputs each needs besides `processing`. */
const ACTIONS: Array<[string, PlanResolver, Record<string, string>]> = [
  ['custom-llm', resolveCustomLlm, { provider: 'openai', model: 'gpt-5.4', prompt: 'Hi' }],
  ['openai-assistant', resolveOpenAIAssistant, { assistant: assistantId, prompt: 'Hi' }]
]

function request (action: string, inputFields: Record<string, unknown>): ExecutionRequest {
  return { action, trigger: 'workflow', portalId: PORTAL, callbackId: `cb-${Math.random()}`, inputFields }
}

t.test('processing absent or empty is standard, in both actions', async t => {
  t.equal(created.statusCode, 201, 'assistant saved')
  for (const [action, resolve, inputs] of ACTIONS) {
    for (const absent of [{}, { processing: '' }, { processing: '   ' }, { processing: null }]) {
      const plan = await resolve(shared.context, request(action, { ...inputs, ...absent }))
      t.equal(plan.processing, 'standard', `${action}: ${JSON.stringify(absent)}`)
    }
  }
})

t.test('standard and economy are read trimmed and regardless of case', async t => {
  for (const [action, resolve, inputs] of ACTIONS) {
    for (const [value, processing] of [['standard', 'standard'], ['economy', 'economy'], [' Economy ', 'economy'], ['STANDARD', 'standard']]) {
      const plan = await resolve(shared.context, request(action, { ...inputs, processing: value }))
      t.equal(plan.processing, processing, `${action}: "${value}"`)
    }
  }
})

t.test('any other processing value is INVALID_INPUT naming the allowed values, before any provider call', async t => {
  const before = shared.openai.generations().length
  for (const [action, resolve, inputs] of ACTIONS) {
    for (const value of ['fast', 'batch', 'economy-plus', 1]) {
      const error = await Promise.resolve(resolve(shared.context, request(action, { ...inputs, processing: value }))).then(() => undefined, (caught: unknown) => caught)
      t.ok(isAppError(error) && error.code === 'INVALID_INPUT', `${action}: ${String(value)} is INVALID_INPUT`)
      t.match((error as Error).message, /^The field "processing" must be standard or economy, got "/, `${action}: ${String(value)}`)
    }
  }
  t.equal(shared.openai.generations().length, before, 'no provider call')
})
