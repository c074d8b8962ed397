import t, { type Test } from 'tap'
import { connectDatabase } from '../../db/database.ts'
import type { BudgetSettings } from '../../db/repositories/budgets-repository.ts'
import { createRepositories, type Repositories } from '../../db/repositories/index.ts'
import { createBudgetGuard, type BudgetGuard } from '../../src/actions/budgets/budget-guard.ts'
import { DEFAULT_OUTPUT_TOKENS_ESTIMATE, estimateCallCost } from '../../src/actions/budgets/estimate-cost.ts'
import { monthOf } from '../../src/actions/budgets/month-of.ts'
import { AppError } from '../../plugins/errors.ts'
import { executionStart } from '../helpers/execution-start.ts'

// The check over a real store (in-memory SQLite): the money lives in the database, on the executions' rows and the
// budget's ledger, so what is asserted here is what every instance sharing the database sees.

const PORTAL = 7
const OWNER = 'instance-a'
const LEASE_MS = 30_000
const MARCH = Date.parse('2026-03-10T12:00:00Z')

interface GuardSetup {
  readonly repositories: Repositories
  readonly guard: BudgetGuard
  /** Every statement the store ran since the last `statements.length = 0`. */
  readonly statements: string[]
  readonly warnings: object[]
  readonly errors: object[]
  now (): number
  advanceTo (iso: string): void
  /** Another instance of the service on the same database, with its own guard (and its own memory). */
  instance (owner: string): { readonly guard: BudgetGuard, readonly warnings: object[] }
  /** A running execution this instance holds the lease of, started now. */
  claim (owner?: string): Promise<number>
  /** An execution that started now and recorded `usd`, as the runs before this test left it. */
  spend (usd: number): Promise<void>
  /** One whole run as the engine makes it: reserve, call, record the outcome, close. */
  run (estimateUsd: number, costUsd: number, guard?: BudgetGuard, owner?: string): Promise<void>
  setBudget (settings: Partial<BudgetSettings> | null): Promise<void>
  close (): Promise<void>
}

async function setup (t: Test, budget: Partial<BudgetSettings> | undefined, spent = 0): Promise<GuardSetup> {
  const statements: string[] = []
  const handle = await connectDatabase('sqlite::memory:', { trace: statement => statements.push(statement) })
  let closed = false
  const close = async () => { if (!closed) { closed = true; await handle.close() } }
  t.teardown(close)
  const repositories = createRepositories(handle.driver)
  let now = MARCH
  const clock = () => now
  const instance = (owner: string) => {
    const warnings: object[] = []
    const guard = createBudgetGuard({ budgets: repositories.budgets, clock, owner, log: { info () {}, warn (object) { warnings.push(object) }, error (object) { errors.push(object) } } })
    return { guard, warnings }
  }
  const errors: object[] = []
  const own = instance(OWNER)
  const claim = async (owner = OWNER) => {
    const claimed = await repositories.executions.claim(executionStart(PORTAL, now), { owner, until: now + LEASE_MS })
    if (claimed.kind !== 'new') throw new Error('expected a new claim')
    return claimed.id
  }
  const setBudget = async (settings: Partial<BudgetSettings> | null) => {
    const current = await repositories.budgets.find(PORTAL)
    await repositories.budgets.save(PORTAL, settings === null ? null : {
      monthlyLimitUsd: current?.monthlyLimitUsd ?? 10, warnAtPercent: current?.warnAtPercent ?? null, timeZone: current?.timeZone ?? null, ...settings
    }, 'admin-api', now)
  }
  const result: GuardSetup = {
    repositories,
    guard: own.guard,
    statements,
    warnings: own.warnings,
    errors,
    now: clock,
    advanceTo (iso) { now = Date.parse(iso) },
    instance,
    claim,
    async spend (usd) {
      const id = await claim()
      await repositories.executions.finish(id, { status: 'success', costUsd: usd, finishedAt: now }, OWNER)
    },
    async run (estimateUsd, costUsd, guard = own.guard, owner = OWNER) {
      const id = await claim(owner)
      const hold = guard.open(PORTAL, id)
      const settle = await hold.reserve(() => estimateUsd)
      settle(costUsd)
      const written = await repositories.executions.finish(id, { status: 'success', costUsd, finishedAt: now }, owner)
      await hold.close({ written: true, costUsd })
      if (!written.written) throw new Error('the outcome was not written')
    },
    setBudget,
    close
  }
  if (budget !== undefined) await setBudget(budget)
  if (spent > 0) await result.spend(spent)
  statements.length = 0
  return result
}

/** The error code a call was refused with, or `passed`. */
const refused = async (run: () => Promise<unknown>): Promise<string> => {
  try {
    await run()
  } catch (error) {
    if (error instanceof AppError) return error.code
    throw error
  }
  return 'passed'
}

/** What the portal's executions hold against its budget, read from their rows. */
async function heldOnRows (repositories: Repositories): Promise<number> {
  const rows = await repositories.executions.recent(PORTAL, 1_000)
  return rows.reduce((sum, row) => sum + (row.reservedUsd ?? 0), 0)
}

async function eventually (what: string, check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await check()) return
    await new Promise(resolve => setTimeout(resolve, 5))
  }
  throw new Error(`timed out waiting for ${what}`)
}

t.test('a portal without a budget is read once and then costs no statement at all, nor any estimate', async t => {
  const { guard, statements, claim } = await setup(t, undefined)
  const ids = await Promise.all(Array.from({ length: 100 }, () => claim()))
  statements.length = 0
  let estimated = 0
  for (const id of ids) {
    const hold = guard.open(PORTAL, id)
    t.equal(await hold.ensureRemaining(), false)
    ;(await hold.reserve(() => { estimated++; return 1_000_000 }))(5)
    await hold.close({ written: true, costUsd: 5 })
  }
  t.equal(statements.length, 1, `one read of the budget, for 100 runs: ${statements.join(' | ')}`)
  t.match(statements[0], /portal_budgets/)
  t.equal(estimated, 0, 'no estimate is worked out without a budget')
  t.equal(await guard.status(PORTAL), undefined)
})

t.test('check and reserve are one step: of 50 calls at once, only those the limit covers pass', async t => {
  const { guard, repositories, claim } = await setup(t, { monthlyLimitUsd: 10 }, 2)
  const ids = await Promise.all(Array.from({ length: 50 }, () => claim()))
  // All fifty at once, as concurrent executions would be.
  const outcomes = await Promise.all(ids.map(id => refused(() => guard.open(PORTAL, id).reserve(() => 1))))
  t.equal(outcomes.filter(outcome => outcome === 'passed').length, 8, '2 spent + 8 × 1 reserved = 10')
  t.equal(outcomes.filter(outcome => outcome === 'BUDGET_HELD').length, 42, 'the rest are held back, not refused: nothing more is spent yet')
  t.match(await guard.status(PORTAL), { spentUsd: 2, reservedUsd: 8, remainingUsd: 0 })
  t.equal(await heldOnRows(repositories), 8, 'the holds are on the executions\' rows, one dollar each')
  t.equal((await repositories.executions.recent(PORTAL, 1_000)).filter(row => row.reservedUsd === 1).length, 8)
})

t.test('a finished call\'s real cost replaces its estimate, held until the outcome is written and settled once', async t => {
  const { guard, repositories, claim } = await setup(t, { monthlyLimitUsd: 10 })
  const id = await claim()
  const hold = guard.open(PORTAL, id)
  const settle = await hold.reserve(() => 4)
  t.match(await guard.status(PORTAL), { reservedUsd: 4, spentUsd: 0 })
  settle(1.5)
  await eventually('the real cost to replace the estimate', async () => (await guard.status(PORTAL))?.reservedUsd === 1.5)
  t.match(await guard.status(PORTAL), { reservedUsd: 1.5, spentUsd: 0 }, 'the real cost replaces the estimate')
  await repositories.executions.finish(id, { status: 'success', costUsd: 1.5, finishedAt: MARCH + 1 }, OWNER)
  t.match(await guard.status(PORTAL), { reservedUsd: 1.5, spentUsd: 0 }, 'written but not settled: the hold still counts it, once')
  await hold.close({ written: true, costUsd: 1.5 })
  t.match(await guard.status(PORTAL), { reservedUsd: 0, spentUsd: 1.5, remainingUsd: 8.5 })
  t.match(await repositories.budgets.find(PORTAL), { ledgerMonth: '2026-03', spentUsd: 1.5 }, 'on the budget\'s ledger')
  await hold.close({ written: true, costUsd: 1.5 })
  t.match(await guard.status(PORTAL), { spentUsd: 1.5 }, 'closing twice counts once')
  t.equal((await repositories.executions.find(id))?.reservedUsd, null)
})

t.test('a run that ends without an outcome drops its hold and counts nothing', async t => {
  const { guard, repositories, claim } = await setup(t, { monthlyLimitUsd: 10 })
  const id = await claim()
  const hold = guard.open(PORTAL, id)
  ;(await hold.reserve(() => 6))(2)
  await hold.close({ written: false })
  t.match(await guard.status(PORTAL), { reservedUsd: 0, spentUsd: 0, remainingUsd: 10 })
  t.equal((await repositories.executions.find(id))?.reservedUsd, null)
  t.equal((await repositories.executions.find(id))?.status, 'running', 'it runs again later')
})

t.test('a model without a known price (estimate 0) is refused once the spend alone reaches the limit', async t => {
  const { guard, run, claim } = await setup(t, { monthlyLimitUsd: 10 }, 9.99)
  t.equal(await refused(async () => guard.open(PORTAL, await claim()).reserve(() => 0)), 'passed')
  // Its estimate was 0, yet it recorded a cost: that counts.
  await run(0, 0.02)
  t.match(await guard.status(PORTAL), { spentUsd: 10.01 }, 'the recorded cost is on the month\'s spend')
  t.equal(await refused(async () => guard.open(PORTAL, await claim()).reserve(() => 0)), 'BUDGET_EXCEEDED')
  t.equal(await refused(async () => guard.open(PORTAL, await claim()).ensureRemaining()), 'BUDGET_EXCEEDED')
})

t.test('held back while running calls hold the rest; refused once the spend alone leaves no room', async t => {
  const { guard, repositories, claim } = await setup(t, { monthlyLimitUsd: 10 }, 2)
  const runningId = await claim()
  const running = guard.open(PORTAL, runningId)
  const settle = await running.reserve(() => 6)
  try {
    await guard.open(PORTAL, await claim()).reserve(() => 3)
    t.fail('should be held back')
  } catch (error) {
    t.match(error, { code: 'BUDGET_HELD', retryAfterSeconds: 10, message: /spent 2\.00 USD of its 10\.00 USD monthly budget for 2026-03, and 6\.00 USD is held by calls running now, which leaves no room for this call's 3\.00 USD until they end/ })
  }
  t.equal(await refused(async () => guard.open(PORTAL, await claim()).ensureRemaining()), 'passed', 'there is room for a call, just not that one')
  t.equal(await refused(async () => guard.open(PORTAL, await claim()).reserve(() => 9)), 'BUDGET_EXCEEDED', 'a call the spend alone leaves no room for is refused for good')
  settle(0.5)
  await repositories.executions.finish(runningId, { status: 'success', costUsd: 0.5, finishedAt: MARCH + 1 }, OWNER)
  await running.close({ written: true, costUsd: 0.5 })
  t.equal(await refused(async () => guard.open(PORTAL, await claim()).reserve(() => 3)), 'passed', 'the hold gone, the call fits')
  t.equal(await guard.open(PORTAL, await claim()).ensureRemaining(), true, 'ensureRemaining says the portal has a budget')
})

t.test('the refusal says what was spent, the limit, and how to raise it', async t => {
  const { guard, claim } = await setup(t, { monthlyLimitUsd: 5 }, 4.5)
  try {
    await guard.open(PORTAL, await claim()).reserve(() => 0.75)
    t.fail('should refuse')
  } catch (error) {
    t.match(error, { code: 'BUDGET_EXCEEDED', message: /spent 4\.50 USD of its 5\.00 USD monthly budget for 2026-03.*up to 0\.75 USD.*PUT \/api\/portals\/7\/budget/ })
  }
})

t.test('a changed limit counts at the next reservation, before any change notice: the limit is read where the money is', async t => {
  const { guard, claim, setBudget } = await setup(t, { monthlyLimitUsd: 1 }, 1)
  t.equal(await refused(async () => guard.open(PORTAL, await claim()).reserve(() => 0.1)), 'BUDGET_EXCEEDED')
  await setBudget({ monthlyLimitUsd: 2 })
  t.equal(await refused(async () => guard.open(PORTAL, await claim()).reserve(() => 0.1)), 'passed', 'raised, as another instance would have, without refresh()')
  await setBudget({ monthlyLimitUsd: 0.5 })
  t.equal(await refused(async () => guard.open(PORTAL, await claim()).reserve(() => 0.1)), 'BUDGET_EXCEEDED', 'and lowered')
  t.match(await guard.status(PORTAL), { spentUsd: 1, reservedUsd: 0.1 }, 'the month\'s spend kept across the changes')
})

t.test('whether a portal has a budget is cached until a change notice or the time-to-live', async t => {
  const setupWithout = await setup(t, undefined)
  const { guard, claim, setBudget, advanceTo } = setupWithout
  t.equal(await refused(async () => guard.open(PORTAL, await claim()).reserve(() => 5)), 'passed', 'no budget yet')
  await setBudget({ monthlyLimitUsd: 1 })
  t.equal(await refused(async () => guard.open(PORTAL, await claim()).reserve(() => 5)), 'passed', 'believed without a budget until told')
  guard.refresh(PORTAL)
  t.equal(await refused(async () => guard.open(PORTAL, await claim()).reserve(() => 5)), 'BUDGET_EXCEEDED', 'a change notice reads it again')

  const other = setupWithout.instance('instance-b')
  await setBudget(null)
  t.equal(await refused(async () => other.guard.open(PORTAL, await claim('instance-b')).reserve(() => 5)), 'passed', 'another instance had never read it')
  t.equal(await refused(async () => guard.open(PORTAL, await claim()).reserve(() => 5)), 'passed', 'a removed budget is seen by the reservation itself')
  t.equal(await guard.status(PORTAL), undefined)

  await setBudget({ monthlyLimitUsd: 1 })
  t.equal(await refused(async () => guard.open(PORTAL, await claim()).reserve(() => 5)), 'passed', 'no notice: still believed without')
  advanceTo('2026-03-10T12:00:06Z')
  t.equal(await refused(async () => guard.open(PORTAL, await claim()).reserve(() => 5)), 'BUDGET_EXCEEDED', 'read again once the time-to-live passed')
  guard.refreshAll()
  await setBudget(null)
  t.equal(await guard.status(PORTAL), undefined, 'refreshAll forgets every cached budget')
})

t.test('a new month starts from what the database recorded for it', async t => {
  const { guard, claim, advanceTo, spend } = await setup(t, { monthlyLimitUsd: 1 }, 1)
  t.equal(await refused(async () => guard.open(PORTAL, await claim()).reserve(() => 0.1)), 'BUDGET_EXCEEDED')
  advanceTo('2026-04-01T00:00:00Z')
  await spend(0.25)
  t.equal(await refused(async () => guard.open(PORTAL, await claim()).reserve(() => 0.1)), 'passed')
  t.match(await guard.status(PORTAL), { month: '2026-04', spentUsd: 0.25, reservedUsd: 0.1 }, 'April\'s own spend, summed afresh')
})

t.test('an execution that started last month is counted in that month, not this one', async t => {
  const { guard, repositories, claim, advanceTo } = await setup(t, { monthlyLimitUsd: 10 })
  const id = await claim()
  const hold = guard.open(PORTAL, id)
  ;(await hold.reserve(() => 2))(1)
  advanceTo('2026-04-01T00:00:01Z')
  t.match(await guard.status(PORTAL), { month: '2026-04', spentUsd: 0 })
  await repositories.executions.finish(id, { status: 'success', costUsd: 1, finishedAt: Date.parse('2026-04-01T00:00:01Z') }, OWNER)
  await hold.close({ written: true, costUsd: 1 })
  t.match(await guard.status(PORTAL), { month: '2026-04', reservedUsd: 0, spentUsd: 0 })
  t.equal(await refused(async () => guard.open(PORTAL, await claim()).reserve(() => 10)), 'passed', 'April has its whole budget')
  t.equal(await repositories.budgets.monthSpend(PORTAL, monthOf(MARCH, null)), 1, 'March has the cost')
})

t.test('crossing warnAtPercent warns once a month, across instances and restarts', async t => {
  const context = await setup(t, { monthlyLimitUsd: 10, warnAtPercent: 50 })
  const { guard, warnings, run, advanceTo } = context
  for (let index = 0; index < 8; index++) await run(1, 1)
  t.equal(warnings.length, 1)
  t.match(warnings[0], { portalId: PORTAL, month: '2026-03', spentUsd: 5, monthlyLimitUsd: 10, warnAtPercent: 50 })
  t.match(await context.repositories.budgets.find(PORTAL), { warnedMonth: '2026-03' }, 'remembered in the database')
  t.equal((await guard.status(PORTAL))?.warned, true)

  // A restarted process, or another instance: it never warned, but the month was.
  const restarted = context.instance('instance-b')
  await run(0.5, 0.5, restarted.guard, 'instance-b')
  t.equal(restarted.warnings.length, 0, 'the persisted month is not warned again')

  advanceTo('2026-04-02T00:00:00Z')
  for (let index = 0; index < 4; index++) await run(1, 1, restarted.guard, 'instance-b')
  t.equal(restarted.warnings.length, 0, '4 of 10 in April')
  const third = context.instance('instance-c')
  // Both cross 50% at once.
  await Promise.all([run(1, 1), run(1, 1, third.guard, 'instance-c')])
  t.equal(warnings.length + third.warnings.length, 2, 'a new month warns again, once, whichever instance crossed it')
  t.match([...warnings, ...third.warnings].at(-1), { month: '2026-04' })
})

t.test('a reservation for an execution another instance took over is refused, and reserves nothing', async t => {
  const { guard, repositories, claim, now } = await setup(t, { monthlyLimitUsd: 10 })
  const id = await claim()
  const hold = guard.open(PORTAL, id)
  t.equal(await refused(() => hold.reserve(() => 1)), 'passed')
  const taken = await repositories.executions.takeOver({ owner: 'instance-b', until: now() + LEASE_MS * 3 }, now() + LEASE_MS + 1, 10)
  t.same(taken.map(row => row.id), [id], 'its lease ran out and another instance took it over')
  t.match(await guard.status(PORTAL), { reservedUsd: 0 }, 'the hold went with the lease')
  try {
    await hold.reserve(() => 1)
    t.fail('should refuse')
  } catch (error) {
    t.match(error, { code: 'INTERNAL', message: /Another instance took this execution over/ })
  }
  await hold.close({ written: false })
  t.match(await guard.status(PORTAL), { reservedUsd: 0, spentUsd: 0 })
})

t.test('a budget changed while a call runs: the call\'s cost is counted once, by the month summed afresh', async t => {
  const { guard, repositories, claim, setBudget } = await setup(t, { monthlyLimitUsd: 10 }, 1)
  const id = await claim()
  const hold = guard.open(PORTAL, id)
  ;(await hold.reserve(() => 3))(2)
  // The new setting (a new time zone could move the month's bounds) has the ledger summed afresh.
  await setBudget({ monthlyLimitUsd: 20 })
  t.match(await repositories.budgets.find(PORTAL), { ledgerMonth: null })
  await repositories.executions.finish(id, { status: 'success', costUsd: 2, finishedAt: MARCH + 1 }, OWNER)
  await hold.close({ written: true, costUsd: 2 })
  t.match(await guard.status(PORTAL), { spentUsd: 3, reservedUsd: 0, remainingUsd: 17 })
  t.equal(await refused(async () => guard.open(PORTAL, await claim()).reserve(() => 1)), 'passed')
  t.match(await repositories.budgets.find(PORTAL), { ledgerMonth: '2026-03', spentUsd: 3 }, 'the ledger as summed at the next reservation: the cost once')
})

t.test('a settle the database refuses is logged, not thrown: the hold stays for the sweep', async t => {
  const context = await setup(t, { monthlyLimitUsd: 10 })
  const id = await context.claim()
  const hold = context.guard.open(PORTAL, id)
  ;(await hold.reserve(() => 1))(1)
  await context.close()
  await t.resolves(hold.close({ written: true, costUsd: 1 }))
  t.match(context.errors, [{ portalId: PORTAL, executionId: id }], 'the failure is logged with the execution')
})

t.test('the estimate: prompt and instructions at three characters a token, plus the output cap', async t => {
  const price = { input: 2, output: 10 }
  t.equal(estimateCallCost(price, { prompt: 'x'.repeat(3000), instructions: 'y'.repeat(2999), maxOutputTokens: 1000 }, {}), (2000 * 2 + 1000 * 10) / 1e6)
  t.equal(estimateCallCost(price, { prompt: 'x' }, { maxOutputTokens: 32768 }), (1 * 2 + 32768 * 10) / 1e6, 'the model\'s largest output when the request sets none')
  t.equal(estimateCallCost(price, { prompt: '' }, {}), DEFAULT_OUTPUT_TOKENS_ESTIMATE * 10 / 1e6)
  t.equal(estimateCallCost(undefined, { prompt: 'x'.repeat(10_000) }, {}), 0, 'no known price: 0')
})
