import fc from 'fast-check'
import t from 'tap'
import { executionBody, signedHeaders } from '../helpers/hubspot-request.ts'
import { durableSetup, EXECUTE_PATH, PORTAL } from '../helpers/durable-setup.ts'
import { checkAnswer, contentType, fuzzSeed, hostileJson, hostileJsonText, hostileQuery, invalidUtf8, nastyString, runs, toJsonText, unexpectedErrors } from './fuzz-kit.ts'
import { signedFor } from './sign-bytes.ts'

// HubSpot's routes under hostile bodies, both signed correctly (so the body really is parsed and run) and signed
// wrongly (so it must be refused before parsing). Whatever arrives: no 5xx, a catalogue code, no internals.

const SIGNED_PATHS = ['/hubspot/actions/custom-llm', '/hubspot/actions/custom-llm/options', '/hubspot/actions/openai-assistant', '/hubspot/actions/openai-assistant/options']
const EXECUTION_STATES = new Set(['SUCCESS', 'FAIL_CONTINUE', 'BLOCK'])

/** An execution that is almost right: real envelope, hostile inputs, and now and then one field of the wrong type. */
const executionText = fc.record({
  provider: fc.oneof({ weight: 3, arbitrary: fc.constant('openai') }, { weight: 1, arbitrary: fc.constantFrom('anthropic', 'none', '__proto__', 'constructor') }, { weight: 1, arbitrary: nastyString }),
  model: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('gpt-4.1', 'gpt-5.4') }, { weight: 1, arbitrary: nastyString }),
  prompt: fc.oneof(nastyString, fc.constant('Say hi to {{firstname}}')),
  extraInputs: fc.dictionary(fc.constantFrom('outputFormat', 'temperature', 'maxOutputTokens', 'reasoningEffort', 'jsonSchema', 'choices', 'fallbackProvider', 'systemPrompt', 'assistantId', '__proto__'), nastyString, { maxKeys: 3 }),
  broken: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom('callbackId', 'origin', 'object', 'inputFields', 'context', 'portalId', 'fields'), hostileJson) })
}).map(({ provider, model, prompt, extraInputs, broken }) => {
  const body = executionBody(PORTAL, { provider, model, prompt, ...extraInputs })
  if (broken !== undefined) body[broken[0]] = broken[1]
  return toJsonText(body)
})

const body = fc.oneof({ weight: 4, arbitrary: executionText }, { weight: 3, arbitrary: hostileJsonText }, { weight: 1, arbitrary: invalidUtf8 })
const signing = fc.constantFrom('v3', 'v3', 'v3', 'v2', 'wrong-secret', 'stale', 'none', 'garbage')

function headersFor (mode: string, path: string, payload: string | Buffer): Record<string, string> {
  const text = typeof payload === 'string' ? payload : payload.toString('latin1')
  switch (mode) {
    case 'v3': return signedFor('POST', path, payload)
    case 'v2': return signedHeaders('POST', path, text, { version: 'v2' })
    case 'wrong-secret': return signedHeaders('POST', path, text, { secret: 'not-the-client-secret' })
    case 'stale': return signedHeaders('POST', path, text, { timestamp: Date.now() - 10 * 60_000 })
    case 'garbage': return { 'x-hubspot-signature-v3': '%%%not base64', 'x-hubspot-request-timestamp': 'yesterday' }
    default: return {}
  }
}

t.test('signed and unsigned HubSpot routes under hostile bodies: no 5xx, catalogue codes, no internals, still serving', async t => {
  const seed = fuzzSeed()
  t.comment(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`)
  const setup = await durableSetup(t, { RATE_LIMIT_PER_PORTAL: '1000000' })
  let reachedBody = 0
  await fc.assert(fc.asyncProperty(fc.constantFrom(...SIGNED_PATHS), hostileQuery, body, signing, contentType, async (route, query, payload, mode, type) => {
    const path = route + query
    const headers: Record<string, string> = { ...headersFor(mode, path, payload) }
    if (type === undefined) delete headers['content-type']
    else if (mode !== 'v3' || Math.random() < 0.3) headers['content-type'] = type
    const answer = await setup.app.inject({ method: 'POST', url: path, headers, payload })
    checkAnswer('POST', answer)
    if (answer.statusCode === 200 && !route.endsWith('/options')) {
      reachedBody++
      const state = answer.json().outputFields?.hs_execution_state
      if (!EXECUTION_STATES.has(state)) throw new Error(`an execution answered without a known state: ${answer.body.slice(0, 300)}`)
    }
  }), { seed, numRuns: runs(1500) })

  t.ok(reachedBody > 50, `enough signed bodies were parsed and answered 200 (${reachedBody})`)
  t.ok(setup.openai.generations().length > 5, `some reached the provider (${setup.openai.generations().length})`)
  t.same(unexpectedErrors(setup.logs), [], 'no unexpected error was logged')
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is untouched')
  const normal = await setup.execute(setup.body())
  t.equal(normal.statusCode, 200)
  t.equal(normal.json().outputFields.hs_execution_state, 'SUCCESS', 'a normal signed execution still succeeds')
})

t.test('bodies at and past the 1 MB limit, signed and not: refused cleanly, no parsing before the signature', async t => {
  const setup = await durableSetup(t, { RATE_LIMIT_PER_PORTAL: '1000000' })
  const nearLimit = toJsonText(executionBody(PORTAL, { provider: 'openai', model: 'gpt-4.1', prompt: 'x'.repeat(1024 * 1024 - 600) }))
  const overLimit = toJsonText(executionBody(PORTAL, { provider: 'openai', model: 'gpt-4.1', prompt: 'y'.repeat(1024 * 1024 + 10) }))
  const deep = '['.repeat(1024 * 1024 - 10)
  for (const [name, payload, signed] of [['near the limit, signed', nearLimit, true], ['near the limit, unsigned', nearLimit, false], ['over the limit, signed', overLimit, true], ['a megabyte of [, signed', deep, true], ['a megabyte of [, unsigned', deep, false]] as const) {
    const headers = signed ? signedHeaders('POST', EXECUTE_PATH, payload) : { 'content-type': 'application/json' }
    const answer = await setup.app.inject({ method: 'POST', url: EXECUTE_PATH, headers, payload })
    t.doesNotThrow(() => checkAnswer('POST', answer), `${name}: ${answer.statusCode} ${answer.body.slice(0, 200)}`)
    if (answer.statusCode === 200) t.equal(answer.json().outputFields.hs_execution_state, 'FAIL_CONTINUE', `${name}: a prompt past 200,000 characters is refused`)
  }
  t.equal(setup.openai.generations().length, 0, 'no huge prompt reached the provider')
  t.same(unexpectedErrors(setup.logs), [])
  t.equal((await setup.execute(setup.body())).json().outputFields.hs_execution_state, 'SUCCESS')
})
