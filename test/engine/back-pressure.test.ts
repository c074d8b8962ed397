import t from 'tap'
import { durableSetup, eventually, PORTAL, EXECUTE_PATH } from '../helpers/durable-setup.ts'
import { signedHeaders } from '../helpers/hubspot-request.ts'
import { openAIResponse } from '../stubs/openai-stub.ts'

t.test('PROVIDER_CONCURRENCY caps calls per connection; the bounded line refuses the rest with 429, and nothing is lost', async t => {
  // The calls wait until all six are answered, and the budget leaves the refusals time to be written on a busy
  // machine: the four that got in are BLOCKed however slowly each step ran.
  const setup = await durableSetup(t, { PROVIDER_CONCURRENCY: '2', PROVIDER_QUEUE_LIMIT: '2', SYNC_BUDGET_MS: '2000' })
  let running = 0
  let most = 0
  let answered = false
  setup.openai.on('POST /v1/responses', setup.openai.guarded(async request => {
    running++
    most = Math.max(most, running)
    await eventually('the executions to be answered', () => answered, 60_000)
    await new Promise(resolve => setTimeout(resolve, 200))
    running--
    return { body: openAIResponse('ok', { model: request.json?.model }) }
  }))
  const bodies = Array.from({ length: 6 }, () => setup.body())
  const answers = await Promise.all(bodies.map(body => setup.execute(body)))
  answered = true
  const states = answers.map(answer => answer.statusCode === 200 ? answer.json().outputFields.hs_execution_state : `${answer.statusCode} ${String(answer.json().code)}`)
  t.equal(states.filter(state => state === 'BLOCK').length, 4, `two running and two waiting: ${states.join(',')}`)
  const refused = answers.filter(answer => answer.statusCode === 429)
  t.equal(refused.length, 2)
  for (const answer of refused) {
    t.ok(Number(answer.headers['retry-after']) >= 1)
    t.equal(answer.json().code, 'RATE_LIMITED')
  }
  await eventually('four completions', () => setup.hubspot.state.completedCallbacks.length >= 4)
  t.equal(most, 2, 'never more than PROVIDER_CONCURRENCY calls at once on the connection')

  // HubSpot retries the refused ones later: they run then, once each.
  const retried = bodies.filter((_body, index) => answers[index]?.statusCode === 429)
  answered = false
  const again = await Promise.all(retried.map(body => setup.execute(body)))
  answered = true
  t.same(again.map(answer => answer.json().outputFields.hs_execution_state), ['BLOCK', 'BLOCK'])
  await eventually('six completions', () => setup.hubspot.state.completedCallbacks.length >= 6)
  t.equal(new Set(setup.hubspot.state.completedCallbacks.map(entry => entry.callbackId)).size, 6, 'every enrollment answered once')
  t.equal(setup.openai.generations().length, 6)
})

t.test('a refusal written after the budget ran out is answered as the refusal it is, not as still running', async t => {
  const setup = await durableSetup(t, { PROVIDER_CONCURRENCY: '1', PROVIDER_QUEUE_LIMIT: '1', SYNC_BUDGET_MS: '300' })
  let release = false
  setup.openai.on('POST /v1/responses', setup.openai.guarded(async request => {
    await eventually('the test to release the calls', () => release, 60_000)
    return { body: openAIResponse('ok', { model: request.json?.model }) }
  }))
  const first = await Promise.all([setup.execute(setup.body()), setup.execute(setup.body())])
  t.same(first.map(answer => answer.json().outputFields.hs_execution_state), ['BLOCK', 'BLOCK'], 'one call running and one waiting')
  // A slow database: the claim outlasts the budget, so the BLOCK is being marked while the full queue's refusal is
  // written (the mark waits for it here, as a busy machine makes it).
  const executions = setup.app.repositories.executions
  const claim = executions.claim.bind(executions)
  executions.claim = async (start, lease) => {
    await new Promise(resolve => setTimeout(resolve, 400))
    return await claim(start, lease)
  }
  const markBlocked = executions.markBlocked.bind(executions)
  executions.markBlocked = async id => {
    await eventually('the refusal to be written', async () => (await executions.recent(PORTAL, 5)).some(row => row.id === id && row.status !== 'running'))
    return await markBlocked(id)
  }
  const refused = await setup.execute(setup.body())
  t.equal(refused.statusCode, 429, `the full queue's answer: ${refused.statusCode} ${String(refused.json().code)}`)
  t.equal(refused.json().code, 'RATE_LIMITED')
  t.ok(Number(refused.headers['retry-after']) >= 1, 'with Retry-After')
  release = true
  await eventually('the two completions', () => setup.hubspot.state.completedCallbacks.length === 2)
})

t.test('MAX_IN_FLIGHT: a caller that hangs up does not keep its slot once the work ends', async t => {
  // Four places: one portal alone may hold three of them (a tenth is kept for another portal).
  const setup = await durableSetup(t, { MAX_IN_FLIGHT: '4', SYNC_BUDGET_MS: '5000' }, { install: false })
  setup.providerDelayMs = 500
  const address = await setup.app.listen({ port: 0, host: '127.0.0.1' })
  const post = async (body: Record<string, unknown>, signal?: AbortSignal) => {
    const payload = JSON.stringify(body)
    return await fetch(`${address}${EXECUTE_PATH}`, { method: 'POST', headers: signedHeaders('POST', EXECUTE_PATH, payload), body: payload, ...(signal === undefined ? {} : { signal }) })
  }
  const hangUps = Array.from({ length: 3 }, () => {
    const controller = new AbortController()
    const sent = post(setup.body(), controller.signal).catch(() => undefined)
    setTimeout(() => controller.abort(), 100)
    return sent
  })
  await Promise.all(hangUps)
  const busy = await post(setup.body())
  t.equal(busy.status, 429, 'while the three calls run, the portal holds all it may')
  await eventually('the three calls to end', () => setup.app.engine.active === 0)
  const later = await post(setup.body())
  t.equal(later.status, 200, 'the slots came back when the work ended')
  t.equal(((await later.json()) as { outputFields: Record<string, string> }).outputFields.hs_execution_state, 'SUCCESS')
  const list = await setup.app.inject({ url: `/api/portals/${PORTAL}/executions`, headers: setup.admin })
  t.equal(list.json().items.filter((item: { status: string }) => item.status === 'success').length, 4, 'the hung-up executions finished and were recorded')
})

t.test('MAX_IN_FLIGHT counts the executions whose claim is still being written', async t => {
  const setup = await durableSetup(t, { MAX_IN_FLIGHT: '3', SYNC_BUDGET_MS: '10000' }, { install: false })
  // A database that takes its time to write each claim, as a remote one does: no execution is running yet when
  // the others are checked, only claimed.
  const executions = setup.app.repositories.executions
  const claim = executions.claim.bind(executions)
  executions.claim = async (start, lease) => {
    await new Promise(resolve => setTimeout(resolve, 100))
    return await claim(start, lease)
  }
  // The calls that got in end only once the other three are refused (or after 5 s, when they were not): however
  // slowly a busy machine sends the five, none finishes early and leaves its place to a later one.
  let refused = 0
  setup.openai.on('POST /v1/responses', setup.openai.guarded(async request => {
    await eventually('the other three to be refused', () => refused === 3, 5_000).catch(() => undefined)
    return { body: openAIResponse('ok', { model: request.json?.model }) }
  }))
  const answers = await Promise.all(Array.from({ length: 5 }, async () => {
    const answer = await setup.execute(setup.body())
    if (answer.statusCode === 429) refused++
    return answer
  }))
  t.same(answers.map(answer => answer.statusCode).sort(), [200, 200, 429, 429, 429], 'two run, three are refused at once')
  t.equal(setup.openai.generations().length, 2)
})

t.test('a shutdown that begins while the claim is written starts no call; the next start runs it', async t => {
  const setup = await durableSetup(t)
  const executions = setup.app.repositories.executions
  const claim = executions.claim.bind(executions)
  executions.claim = async (start, lease) => {
    const claimed = await claim(start, lease)
    setup.app.engine.stopAccepting()
    return claimed
  }
  const body = setup.body()
  const answer = await setup.execute(body)
  t.equal(answer.statusCode, 503)
  t.equal(answer.json().code, 'SHUTTING_DOWN')
  t.equal(setup.openai.generations().length, 0, 'no provider call while shutting down')
  const left = await setup.app.repositories.executions.recent(PORTAL, 10)
  t.same(left.map(row => row.status), ['running'], 'the claimed execution is left unfinished, not failed')

  // HubSpot was answered 503, not BLOCK: its retry of the delivery gets the outcome the resumed run recorded.
  const restarted = await setup.restart()
  await eventually('the resumed execution to finish', async () => (await restarted.app.repositories.executions.recent(PORTAL, 10))[0]?.status === 'success')
  const retried = await restarted.execute(body)
  t.equal(retried.statusCode, 200)
  t.equal(retried.json().outputFields.hs_execution_state, 'SUCCESS')
  t.equal(restarted.openai.generations().length, 1, 'called once')
})
