import t from 'tap'
import type { TestApp } from '../helpers/build-app.ts'
import { connectedContext } from '../helpers/connected-context.ts'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'

const PORTAL = 5150
const { built, openai } = await connectedContext(t, PORTAL)

async function execute (app: TestApp['app'], action: string, inputFields: Record<string, string>) {
  const path = `/hubspot/actions/${action}`
  const payload = JSON.stringify(executionBody(PORTAL, inputFields))
  return app.inject({ method: 'POST', url: path, headers: signedHeaders('POST', path, payload), payload })
}

const created = await built.app.inject({ method: 'POST', url: `/api/portals/${PORTAL}/assistants`, headers: built.admin, payload: { name: 'Greeter', model: 'gpt-5.4', instructions: 'Greet.' } })
const FIELDS: Record<string, Record<string, string>> = {
  'custom-llm': { provider: 'openai', model: 'gpt-5.4', prompt: 'Say hello' },
  'openai-assistant': { assistant: created.json().id, prompt: 'Say hello' }
}

t.test('an unknown processing value fails the execution with INVALID_INPUT, and no provider is called', async t => {
  const before = openai.generations().length
  for (const [action, fields] of Object.entries(FIELDS)) {
    const response = await execute(built.app, action, { ...fields, processing: 'overnight' })
    t.equal(response.statusCode, 200, action)
    const output = response.json().outputFields
    t.same([output.hs_execution_state, output.errorCode], ['FAIL_CONTINUE', 'INVALID_INPUT'], action)
    t.equal(output.errorMessage, 'The field "processing" must be standard or economy, got "overnight".', action)
  }
  t.equal(openai.generations().length, before, 'no provider call')
})

t.test('processing empty, or standard in any case, runs as before', async t => {
  for (const [action, fields] of Object.entries(FIELDS)) {
    for (const processing of ['', ' Standard ']) {
      const response = await execute(built.app, action, { ...fields, processing })
      t.equal(response.json().outputFields.hs_execution_state, 'SUCCESS', `${action}: "${processing}"`)
    }
  }
})
