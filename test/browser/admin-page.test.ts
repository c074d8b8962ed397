/// <reference lib="dom" />
import t from 'tap'
import type { Page } from 'playwright-core'
import { eq } from 'drizzle-orm'
import { buildApp, TEST_ADMIN_TOKEN } from '../helpers/build-app.ts'
import { OPENAI_GOOD_KEY, startOpenAIStub } from '../stubs/openai-stub.ts'
import { launchChromium, newContext, screenshot } from './browser.ts'

const PORTAL = '777'
const SECOND_KEY = 'sk-test-openai-second-key-111111111111wxyz'
const BAD_KEY = 'sk-test-openai-revoked-key-00000000000bad1'

/**
 * The admin page as an operator uses it, in Debian's Chromium against the real service on loopback, with the
 * OpenAI stub behind it: every step of the issue, through the page's labelled controls only.
 */
t.test('an operator signs in, connects and switches a key, allows two models, creates an assistant, tests a prompt, reads executions, economy and spend, sets a budget, disconnects and signs out', async t => {
  const stub = await startOpenAIStub({ goodKeys: [OPENAI_GOOD_KEY, SECOND_KEY], answer: () => 'Acme makes anvils.' })
  t.teardown(() => stub.close())
  // HubSpot's API is a closed loopback port: a resend must never leave the machine.
  const built = await buildApp(t, { OPENAI_BASE_URL: stub.baseUrl, PUBLIC_URL: 'http://127.0.0.1', HUBSPOT_API_BASE_URL: 'http://127.0.0.1:9' })
  const origin = await built.app.listen({ host: '127.0.0.1', port: 0 })
  const browser = await launchChromium(t)
  const context = await newContext(browser, { viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  const requested: string[] = []
  page.on('request', request => { requested.push(request.url()) })
  const pageErrors: string[] = []
  page.on('pageerror', error => { pageErrors.push(error.message) })
  /** The page in a browser context of its own (no cookie yet), its requests seen like the first page's. */
  async function freshPage (viewport: { width: number, height: number }): Promise<Page> {
    const fresh = await newContext(browser, { viewport })
    t.teardown(() => fresh.close())
    const opened = await fresh.newPage()
    opened.on('request', request => { requested.push(request.url()) })
    opened.on('pageerror', error => { pageErrors.push(error.message) })
    await opened.goto(origin)
    return opened
  }

  await page.goto(origin)
  await t.test('sign in: a wrong token is refused with a message, the right one opens the portals list', async t => {
    await page.getByLabel('Admin token').fill('not-the-admin-token')
    await page.getByRole('button', { name: 'Sign in' }).click()
    t.match(await page.getByRole('alert').textContent(), /not the admin token/)
    await screenshot(page, 'sign-in')
    await page.getByLabel('Admin token').fill(TEST_ADMIN_TOKEN)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Portals' }).waitFor()
    const cookies = await context.cookies()
    const session = cookies.find(cookie => cookie.name === 'llm_actions_session')
    t.ok(session?.httpOnly, 'the session cookie is HttpOnly')
    t.equal(session?.sameSite, 'Strict')
    t.notOk(await page.evaluate(() => document.cookie.includes('llm_actions_session')), 'the page\'s script cannot read it')
  })

  await t.test('connect: a rejected key shows the provider\'s reason and stores nothing; a good key connects', async t => {
    await page.getByLabel('Portal id').fill(PORTAL)
    await page.getByRole('button', { name: 'Open portal' }).click()
    await page.getByRole('heading', { name: `Portal ${PORTAL}` }).waitFor()
    const card = page.getByRole('article', { name: 'OpenAI', exact: true })
    await card.getByText('Not connected').waitFor()
    await card.getByRole('button', { name: 'Connect' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByRole('heading', { name: 'Connect OpenAI' }).waitFor()
    await dialog.getByLabel('API key').fill(BAD_KEY)
    await dialog.getByRole('button', { name: 'Save key' }).click()
    t.match(await dialog.getByRole('alert').textContent(), /OpenAI rejected this API key; nothing was stored/, 'the provider\'s verdict, next to the field')
    t.same((await built.app.repositories.connections.list(Number(PORTAL))), [], 'nothing stored')
    await dialog.getByLabel('API key').fill(OPENAI_GOOD_KEY)
    await dialog.getByRole('button', { name: 'Save key' }).click()
    await card.getByText('Connected', { exact: true }).waitFor()
    await card.getByText(`Key ending in ${OPENAI_GOOD_KEY.slice(-4)}`).waitFor()
    t.notOk(await page.content().then(html => html.includes(OPENAI_GOOD_KEY)), 'the key is nowhere in the page')
    await screenshot(page, 'connections')
  })

  await t.test('portals: the list shows the portal\'s providers and this month\'s spend, from two calls in all', async t => {
    const before = requested.length
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Portals', exact: true }).click()
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: PORTAL, exact: true }) })
    await row.getByText('OpenAI', { exact: true }).waitFor()
    await row.getByText('$0.0000, no budget').waitFor()
    const paths = requested.slice(before).map(url => new URL(url).pathname)
    t.ok(paths.includes('/api/portals') && paths.includes('/api/usage'), `the list and the spend report were asked for (${paths.join(', ')})`)
    t.notOk(paths.some(path => path.startsWith('/api/portals/')), 'no call per portal')
    await screenshot(page, 'portals')
    await row.getByRole('link', { name: PORTAL, exact: true }).click()
    await page.getByRole('article', { name: 'OpenAI', exact: true }).getByText('Connected', { exact: true }).waitFor()
  })

  await t.test('switch the key', async t => {
    const card = page.getByRole('article', { name: 'OpenAI', exact: true })
    await card.getByRole('button', { name: 'Switch API key' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByRole('heading', { name: 'Switch API key for OpenAI' }).waitFor()
    await dialog.getByLabel('API key').fill(SECOND_KEY)
    await dialog.getByRole('button', { name: 'Save key' }).click()
    await card.getByText('Key ending in wxyz').waitFor()
    t.equal((await built.app.repositories.connections.list(Number(PORTAL)))[0]?.keyHint, 'wxyz')
  })

  await t.test('allow two models from the live list', async t => {
    const card = page.getByRole('article', { name: 'OpenAI', exact: true })
    await card.getByRole('button', { name: 'Choose models' }).click()
    const all = page.getByLabel('All models', { exact: true })
    await all.waitFor()
    if (await all.isChecked()) await all.uncheck()
    await page.getByLabel('Search models').fill('gpt-4')
    t.equal(await page.getByLabel('gpt-5.4', { exact: true }).count(), 0, 'the search filters the list')
    await page.getByLabel('gpt-4.1', { exact: true }).check()
    await page.getByLabel('Search models').fill('')
    await page.getByLabel('gpt-5.4', { exact: true }).check()
    await page.getByRole('button', { name: 'Save models' }).click()
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor()
    t.same([...((await built.app.repositories.connections.list(Number(PORTAL)))[0]?.allowedModels ?? [])].sort(), ['gpt-4.1', 'gpt-5.4'])
    await page.keyboard.press('Escape')
  })

  await t.test('create an assistant', async t => {
    await page.getByRole('link', { name: 'Assistants' }).click()
    await page.getByRole('button', { name: 'New assistant' }).click()
    await page.getByRole('button', { name: 'Save assistant' }).click()
    t.ok(await page.getByRole('alert').count() > 0, 'missing fields are named next to them')
    await page.getByLabel('Name').fill('Support triage')
    await fillModel(page, 'gpt-5.4')
    await page.getByLabel('Instructions').fill('Sort each ticket into billing, bug or question.')
    await page.getByRole('button', { name: 'Save assistant' }).click()
    await page.getByRole('button', { name: 'Edit Support triage' }).waitFor()
    const assistants = await built.app.inject({ method: 'GET', url: `/api/portals/${PORTAL}/assistants`, headers: built.admin })
    t.same(assistants.json().items.map((item: { name: string }) => item.name), ['Support triage'])
    await screenshot(page, 'assistants')
  })

  await t.test('edit an assistant, and delete one after confirming', async t => {
    await page.getByRole('button', { name: 'Edit Support triage' }).click()
    await page.getByLabel('Instructions').fill('Sort each ticket into billing, bug, question or praise.')
    await page.getByRole('button', { name: 'Save assistant' }).click()
    await page.getByRole('button', { name: 'Edit Support triage' }).waitFor()
    const listed = async () => (await built.app.inject({ method: 'GET', url: `/api/portals/${PORTAL}/assistants`, headers: built.admin })).json().items as Array<{ name: string, instructions: string }>
    t.equal((await listed())[0]?.instructions, 'Sort each ticket into billing, bug, question or praise.')

    await page.getByRole('button', { name: 'New assistant' }).click()
    await page.getByLabel('Name').fill('Scratch')
    await fillModel(page, 'gpt-4.1')
    await page.getByLabel('Instructions').fill('Nothing yet.')
    await page.getByRole('button', { name: 'Save assistant' }).click()
    await page.getByRole('button', { name: 'Delete Scratch' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete assistant' }).click()
    await page.getByRole('button', { name: 'Delete Scratch' }).waitFor({ state: 'detached' })
    t.same((await listed()).map(item => item.name), ['Support triage'])
  })

  await t.test('run the test console on record data', async t => {
    await page.getByRole('link', { name: 'Test console' }).click()
    await page.getByLabel('Provider').selectOption('openai')
    await fillModel(page, 'gpt-5.4')
    await page.getByLabel('Prompt').fill('Summarise {{company}} in one line.')
    await page.getByLabel('Record properties').fill('company=Acme')
    await page.getByRole('button', { name: 'Run test' }).click()
    const result = page.getByRole('region', { name: 'Test result' })
    await result.getByText('Acme makes anvils.').waitFor()
    const text = await result.textContent() ?? ''
    t.match(text, /Input tokens/)
    t.match(text, /Cost/)
    t.match(text, /Latency/)
    t.match(text, /\$0\.\d+/, 'the cost in dollars')
    t.equal(stub.generations().at(-1)?.json?.model, 'gpt-5.4')
    t.match(String(stub.generations().at(-1)?.json?.input), /^Summarise <record-data name="company">Acme<\/record-data> in one line\.$/, 'the record property reached the prompt, as data')
    await screenshot(page, 'test-console')
  })

  await t.test('the execution is listed with its cost', async t => {
    await page.getByRole('link', { name: 'Executions' }).click()
    const table = page.getByRole('table')
    await table.getByRole('cell', { name: 'gpt-5.4' }).first().waitFor()
    t.match(await table.textContent(), /\$0\.\d+/)
    await screenshot(page, 'executions')
    await page.getByLabel('Status').selectOption('failed')
    await table.getByText('No execution with status failed yet.').waitFor()
    t.ok(requested.some(url => url.includes(`/api/portals/${PORTAL}/executions?`) && url.includes('status=failed')), 'the server filters by status')
    await page.getByLabel('Status').selectOption('success')
    await table.getByRole('cell', { name: 'gpt-5.4' }).first().waitFor()
  })

  await t.test('a completion HubSpot finally refused gets a Resend button that sends it again', async t => {
    // As the completion queue leaves a BLOCKed execution whose callbacks all failed.
    const { driver } = built.app.database
    const { executions } = driver.tables
    await driver.run(driver.db.update(executions)
      .set({ callbackId: 'cb-resend-1', answered: 'block', completionState: 'failed', completionAttempts: 8, completionError: 'HubSpot answered 500' })
      .where(eq(executions.portalId, Number(PORTAL))))
    await page.getByRole('button', { name: 'Refresh' }).click()
    await page.getByText('HubSpot callback failed').waitFor()
    const [answer] = await Promise.all([
      page.waitForResponse(response => response.url().endsWith('/redeliver')),
      page.getByRole('button', { name: 'Resend' }).click()
    ])
    t.equal(answer.status(), 200, 'the resend was accepted')
    await page.getByRole('button', { name: 'Resend' }).waitFor({ state: 'detached' }).catch(() => undefined)
    const trail = (await built.app.repositories.audit.list({ portalId: Number(PORTAL), limit: 5 })).map(event => event.action)
    t.ok(trail.includes('redeliver'), 'the resend is in the audit trail')
  })

  await t.test('economy: the portal\'s Economy tab shows the queue, this month\'s saving and a finished batch', async t => {
    // As the economy queue leaves a batch that ended: one item answered by it (the execution, which saved 1.25 cents),
    // the other run as a standard call.
    const { driver } = built.app.database
    const { economyBatches, executions } = driver.tables
    const now = Date.now()
    await driver.run(driver.db.insert(economyBatches).values({
      portalId: Number(PORTAL), provider: 'openai', model: 'gpt-5.4', label: 'browser-test-batch', state: 'done', vendorBatchId: 'batch_stub_finished_1',
      vendorState: 'completed', items: 2, answered: 1, ranStandard: 1, createdAt: now - 3_600_000, submittedAt: now - 3_590_000, finishedAt: now - 60_000
    }))
    await driver.run(driver.db.update(executions).set({ processing: 'economy', economyState: 'answered', savedUsd: 0.0125 }).where(eq(executions.portalId, Number(PORTAL))))
    await page.getByRole('navigation', { name: `Portal ${PORTAL} sections` }).getByRole('link', { name: 'Economy', exact: true }).click()
    await page.getByRole('heading', { name: 'Economy', exact: true }).waitFor()
    t.equal(await page.getByText(/^Saved this month:/).textContent(), 'Saved this month: $0.0125')
    t.same(await page.getByRole('region', { name: 'Queue' }).locator('dd').allTextContents(), ['0', '0', '0', '0'], 'nothing waits')
    const row = page.getByRole('table', { name: /Recent batches/ }).getByRole('row').filter({ hasText: 'batch_stub_finished_1' })
    const cells: Record<string, string> = { Provider: 'OpenAI', Model: 'gpt-5.4', State: 'done (completed)', Items: '2', Answered: '1', 'Run as standard': '1', Error: '—' }
    for (const [label, text] of Object.entries(cells)) t.equal(await row.locator(`[data-label="${label}"]`).textContent(), text, label)
    await screenshot(page, 'economy')
    await page.getByRole('link', { name: 'Executions' }).click()
    await page.getByText('Economy: answered by its batch, saved $0.0125').waitFor()
  })

  await t.test('spend: the charts and this month\'s spend; set a budget', async t => {
    await page.getByRole('link', { name: 'Spend' }).click()
    await page.getByRole('img', { name: 'Spend per day' }).waitFor()
    await page.getByRole('img', { name: 'Spend per provider' }).waitFor()
    t.match(await page.getByText(/This month: \$/).textContent(), /This month: \$0\.\d+/)
    t.match(await page.locator('dl.economy-saving').textContent(), /^Economy executions1 of 1Economy cost\$0\.\d+Saved by economy\$0\.0125/, 'what economy cost and saved')
    await page.getByLabel('Monthly limit (USD)').fill('25')
    await page.getByLabel('Warn at (%)').fill('80')
    await page.getByRole('button', { name: 'Save budget' }).click()
    await page.getByRole('status').filter({ hasText: 'Budget saved' }).waitFor()
    t.equal((await built.app.repositories.budgets.find(Number(PORTAL)))?.monthlyLimitUsd, 25)
    await screenshot(page, 'spend')
  })

  await t.test('audit: the portal\'s tab lists every change, by this session, before and after', async t => {
    await page.getByRole('navigation', { name: `Portal ${PORTAL} sections` }).getByRole('link', { name: 'Audit', exact: true }).click()
    await page.getByRole('heading', { name: 'Audit', exact: true }).waitFor()
    const table = page.getByRole('table')
    await table.getByRole('cell', { name: 'budget', exact: true }).waitFor()
    const headers = await table.getByRole('columnheader').allTextContents()
    t.same(headers, ['Time', 'Action', 'Provider', 'Who', 'Change'])
    const changes: Record<string, RegExp> = {
      connect: new RegExp(`^key ending in ${OPENAI_GOOD_KEY.slice(-4)}$`),
      switch_key: new RegExp(`^key ending in ${OPENAI_GOOD_KEY.slice(-4)} → key ending in wxyz$`),
      allowed_models: /^all models → gpt-4\.1, gpt-5\.4$/,
      assistant_create: /^Support triage \(gpt-5\.4\)$/,
      assistant_update: /Support triage|instructions/,
      assistant_delete: /Scratch/,
      budget: /^none → 25 USD, warn at 80%/
    }
    for (const [action, change] of Object.entries(changes)) {
      // Two assistants were created (one then deleted): each row is told apart by its change.
      const row = table.getByRole('row').filter({ has: page.getByRole('cell', { name: action, exact: true }) })
        .filter({ has: page.locator('[data-label="Change"]', { hasText: change }) })
      t.equal(await row.count(), 1, `one ${action} row`)
      t.match(await row.locator('[data-label="Who"]').textContent(), /^session:[0-9a-f]{12}$/, `${action}: who`)
      t.match(await row.locator('[data-label="Change"]').textContent(), change, `${action}: the change`)
    }
    t.notOk(await page.content().then(html => html.includes(OPENAI_GOOD_KEY) || html.includes(SECOND_KEY)), 'no key in the page')
    await screenshot(page, 'audit')
  })

  await t.test('a request without the CSRF token, or with a forged one, is refused; so is one without the cookie', async t => {
    const answers = await page.evaluate(async portal => {
      const put = (headers: Record<string, string>) => fetch(`/api/portals/${portal}/budget`, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ monthlyLimitUsd: 1 }) })
        .then(async response => ({ status: response.status, code: (await response.json()).code }))
      return [await put({}), await put({ 'x-csrf-token': 'forged' })]
    }, PORTAL)
    t.same(answers, [{ status: 403, code: 'CSRF_TOKEN_INVALID' }, { status: 403, code: 'CSRF_TOKEN_INVALID' }])
    const cookieless = await newContext(browser)
    t.teardown(() => cookieless.close())
    const response = await cookieless.request.get(`${origin}/api/portals`)
    t.equal(response.status(), 401)
    t.equal((await built.app.repositories.budgets.find(Number(PORTAL)))?.monthlyLimitUsd, 25, 'the budget is unchanged')
  })

  await t.test('disconnect after confirming, then sign out', async t => {
    await page.getByRole('link', { name: 'Connections' }).click()
    const card = page.getByRole('article', { name: 'OpenAI', exact: true })
    await card.getByRole('button', { name: 'Disconnect' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByText('Disconnect OpenAI? Its key is erased.').waitFor()
    await dialog.getByRole('button', { name: 'Disconnect OpenAI' }).click()
    await card.getByText('Not connected').waitFor()
    t.same((await built.app.repositories.connections.list(Number(PORTAL))), [])
    await page.getByRole('button', { name: 'Sign out', exact: true }).click()
    await page.getByLabel('Admin token').waitFor()
    const after = await page.evaluate(() => fetch('/api/portals').then(response => response.status))
    t.equal(after, 401, 'the old session no longer works')
  })

  await t.test('at 390 px wide every main screen fits without scrolling sideways', async t => {
    const phone = await freshPage({ width: 390, height: 844 })
    await phone.getByLabel('Admin token').fill(TEST_ADMIN_TOKEN)
    await phone.getByRole('button', { name: 'Sign in' }).click()
    await phone.getByRole('heading', { name: 'Portals' }).waitFor()

    await phone.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit', exact: true }).click()
    await phone.getByRole('heading', { name: 'Audit', exact: true }).waitFor()
    t.same(await phone.getByRole('columnheader').allTextContents(), ['Time', 'Portal', 'Action', 'Provider', 'Who', 'Change'])
    // At this width each cell's accessible name starts with its column's label (the CSS ::before): match its text.
    const signIn = phone.getByRole('row').filter({ has: phone.getByText('sign_in', { exact: true }) })
    await signIn.first().waitFor()
    t.equal(await signIn.first().locator('[data-label="Portal"]').textContent(), 'instance', 'a sign-in is the instance\'s event')
    t.match(await signIn.first().locator('[data-label="Who"]').textContent(), /^session:[0-9a-f]{12}$/)
    t.ok(await phone.getByText('sign_out', { exact: true }).count() > 0, 'the sign-out is listed too')
    t.ok(await phone.evaluate(() => document.documentElement.scrollWidth) <= 390, 'every portal\'s audit fits')
    await screenshot(phone, 'audit-all')
    await phone.getByLabel('Portal id').fill(PORTAL)
    await phone.getByRole('button', { name: 'Show', exact: true }).click()
    await phone.getByText('sign_in', { exact: true }).first().waitFor({ state: 'detached' })
    await phone.getByText('disconnect', { exact: true }).waitFor()
    t.same(new Set(await phone.locator('td[data-label="Portal"]').allTextContents()), new Set([PORTAL]), 'only the chosen portal\'s events')

    for (const [screen, ready] of [
      ['portals', () => phone.getByRole('heading', { name: 'Portals' })],
      ['connections', () => phone.getByRole('article', { name: 'OpenAI', exact: true })],
      ['assistants', () => phone.getByRole('button', { name: 'New assistant' })],
      ['test-console', () => phone.getByRole('button', { name: 'Run test' })],
      ['executions', () => phone.getByRole('table')],
      ['spend', () => phone.getByRole('img', { name: 'Spend per day' })],
      ['economy', () => phone.getByRole('table')],
      ['audit', () => phone.getByRole('table')]
    ] as const) {
      await phone.goto(`${origin}/#/${screen === 'portals' ? '' : `portals/${PORTAL}/${screen}`}`)
      await ready().first().waitFor()
      const width = await phone.evaluate(() => document.documentElement.scrollWidth)
      t.ok(width <= 390, `${screen} is ${width} px wide`)
      const unlabelled = await phone.evaluate(() => Array.from(document.querySelectorAll('input, select, textarea'))
        .filter(control => (control as HTMLInputElement).type !== 'hidden')
        .filter(control => (control as HTMLInputElement).labels?.length === 0 && control.getAttribute('aria-label') === null && control.getAttribute('aria-labelledby') === null)
        .map(control => control.outerHTML.slice(0, 80)))
      t.same(unlabelled, [], `every form control on ${screen} has a label`)
      await screenshot(phone, screen)
    }
  })

  await t.test('keyboard only: sign in, open a dialog, close it with Escape and land back on its button', async t => {
    const tabbed = await freshPage({ width: 1280, height: 900 })
    await tabbed.getByLabel('Admin token').waitFor()
    const focusedLabel = () => tabbed.evaluate(() => {
      // Only a focused form control has a label: the body (nothing focused) must not count by its text.
      const active = document.activeElement as HTMLInputElement | null
      return active?.labels?.[0]?.textContent ?? ''
    })
    for (let presses = 0; presses < 5 && !(await focusedLabel()).includes('Admin token'); presses++) await tabbed.keyboard.press('Tab')
    t.match(await focusedLabel(), /Admin token/, 'Tab reaches the token field')
    await tabbed.keyboard.type(TEST_ADMIN_TOKEN)
    await tabbed.keyboard.press('Enter')
    await tabbed.getByRole('heading', { name: 'Portals' }).waitFor()

    await tabbed.goto(`${origin}/#/portals/${PORTAL}/connections`)
    const connect = tabbed.getByRole('article', { name: 'OpenAI', exact: true }).getByRole('button', { name: 'Connect' })
    await connect.focus()
    await tabbed.keyboard.press('Enter')
    await tabbed.getByRole('dialog').getByLabel('API key').waitFor()
    t.match(await focusedLabel(), /API key/, 'the dialog puts focus on its field')
    await tabbed.keyboard.press('Escape')
    await tabbed.getByRole('dialog').waitFor({ state: 'hidden' })
    t.equal(await tabbed.evaluate(() => document.activeElement?.textContent), 'Connect', 'focus is back on the button that opened it')
  })

  await t.test('sign out everywhere, after confirming, ends the session of every browser', async t => {
    const signedIn = async () => {
      const opened = await freshPage({ width: 1280, height: 900 })
      await opened.getByLabel('Admin token').fill(TEST_ADMIN_TOKEN)
      await opened.getByRole('button', { name: 'Sign in' }).click()
      await opened.getByRole('heading', { name: 'Portals' }).waitFor()
      return opened
    }
    const elsewhere = await signedIn()
    const here = await signedIn()
    await here.getByRole('button', { name: 'Sign out everywhere' }).click()
    const dialog = here.getByRole('dialog')
    await dialog.getByText('End every admin page session, in every browser, this one included?').waitFor()
    await dialog.getByRole('button', { name: 'End every session' }).click()
    await here.getByLabel('Admin token').waitFor()
    t.match(await here.getByRole('alert').textContent(), /^Signed out everywhere: \d+ sessions ended, this one included\.$/)
    t.equal(await elsewhere.evaluate(() => fetch('/api/portals').then(response => response.status)), 401, 'the other browser\'s session ended too')
    await elsewhere.reload()
    await elsewhere.getByLabel('Admin token').waitFor()
    const { driver } = built.app.database
    t.strictSame(await driver.all(driver.db.select().from(driver.tables.adminSessions)), [], 'no session is left')
    t.equal((await built.app.repositories.audit.list({ limit: 1 }))[0]?.action, 'end_sessions')
  })

  t.same(requested.filter(url => !url.startsWith(`${origin}/`)), [], 'the page asked nothing of any other origin')
  t.ok(requested.length > 10, `the browser's requests were seen (${requested.length})`)
  t.same(pageErrors, [], 'no script error')
})

/** The model field: a select in some screens, a text input with suggestions in others. */
async function fillModel (page: Page, model: string): Promise<void> {
  const field = page.getByLabel('Model', { exact: true })
  if (await field.evaluate(element => element.tagName === 'SELECT')) await field.selectOption(model)
  else await field.fill(model)
}
