import t from 'tap'
import type { BudgetRecord } from '../../db/repositories/budgets-repository.ts'
import { createBudgetGuard } from '../../src/actions/budgets/budget-guard.ts'
import { DEFAULT_OUTPUT_TOKENS_ESTIMATE, estimateCallCost } from '../../src/actions/budgets/estimate-cost.ts'
import { AppError } from '../../plugins/errors.ts'

// The check on its own, over an in-memory repository that counts its reads.

const PORTAL = 7
const MARCH = Date.parse('2026-03-10T12:00:00Z')

function setup (budget: Partial<BudgetRecord> | undefined, spent = 0) {
  let now = MARCH
  const reads = { find: 0, monthSpend: 0 }
  const warnings: object[] = []
  const marked: string[] = []
  let record: BudgetRecord | undefined = budget === undefined ? undefined : { portalId: PORTAL, monthlyLimitUsd: 10, warnAtPercent: null, timeZone: null, warnedMonth: null, updatedAt: 0, ...budget }
  const guard = createBudgetGuard({
    budgets: {
      find: async () => { reads.find++; return record },
      monthSpend: async () => { reads.monthSpend++; return spent },
      markWarned: async (_portalId, month) => { marked.push(month) }
    },
    clock: () => now,
    log: { info () {}, warn (object) { warnings.push(object) }, error () {} }
  })
  return {
    guard,
    reads,
    warnings,
    marked,
    setBudget (next: Partial<BudgetRecord> | undefined) { record = next === undefined ? undefined : { ...(record as BudgetRecord), ...next }; guard.refresh(PORTAL) },
    setSpent (amount: number) { spent = amount },
    advanceTo (iso: string) { now = Date.parse(iso) }
  }
}

const refused = async (run: () => Promise<unknown>): Promise<string> => {
  try {
    await run()
  } catch (error) {
    if (error instanceof AppError) return error.code
    throw error
  }
  return 'passed'
}

t.test('a portal without a budget is read once and then costs no read at all', async t => {
  const { guard, reads } = setup(undefined)
  for (let index = 0; index < 100; index++) {
    const hold = guard.open(PORTAL)
    ;(await hold.reserve(() => 1_000_000))(5)
    hold.close(5)
  }
  t.same(reads, { find: 1, monthSpend: 0 })
  t.equal(await guard.status(PORTAL), undefined)
})

t.test('check and reserve are one step: of 50 calls at once, only those the limit covers pass', async t => {
  const { guard, reads } = setup({ monthlyLimitUsd: 10 }, 2)
  const holds = Array.from({ length: 50 }, () => guard.open(PORTAL))
  // All fifty at once, as concurrent executions would be: the first loads the budget, the rest share that read.
  const outcomes = await Promise.all(holds.map(hold => refused(() => hold.reserve(() => 1))))
  t.equal(outcomes.filter(outcome => outcome === 'passed').length, 8, '2 spent + 8 × 1 reserved = 10')
  t.equal(outcomes.filter(outcome => outcome === 'BUDGET_HELD').length, 42, 'the rest are held back, not refused: nothing more is spent yet')
  t.match(await guard.status(PORTAL), { spentUsd: 2, reservedUsd: 8, remainingUsd: 0 })
  t.same(reads, { find: 1, monthSpend: 1 }, 'budget and spend read once')
})

t.test('a finished call gives back its estimate and holds its real cost until the execution is recorded', async t => {
  const { guard } = setup({ monthlyLimitUsd: 10 })
  const hold = guard.open(PORTAL)
  const settle = await hold.reserve(() => 4)
  t.match(await guard.status(PORTAL), { reservedUsd: 4, spentUsd: 0 })
  settle(1.5)
  t.match(await guard.status(PORTAL), { reservedUsd: 1.5, spentUsd: 0 }, 'the real cost replaces the estimate')
  hold.close(1.5)
  t.match(await guard.status(PORTAL), { reservedUsd: 0, spentUsd: 1.5, remainingUsd: 8.5 })
  hold.close(1.5)
  t.match(await guard.status(PORTAL), { spentUsd: 1.5 }, 'closing twice counts once')
})

t.test('a model without a known price (estimate 0) is refused once the spend alone reaches the limit', async t => {
  const { guard } = setup({ monthlyLimitUsd: 10 }, 9.99)
  t.equal(await refused(() => guard.open(PORTAL).reserve(() => 0)), 'passed')
  const hold = guard.open(PORTAL)
  ;(await hold.reserve(() => 0))(0)
  hold.close(0.02)
  t.equal(await refused(() => guard.open(PORTAL).reserve(() => 0)), 'BUDGET_EXCEEDED')
  t.equal(await refused(() => guard.open(PORTAL).ensureRemaining()), 'BUDGET_EXCEEDED')
})

t.test('held back while running calls hold the rest; refused once the spend alone leaves no room', async t => {
  const { guard } = setup({ monthlyLimitUsd: 10 }, 2)
  const running = guard.open(PORTAL)
  const settle = await running.reserve(() => 6)
  try {
    await guard.open(PORTAL).reserve(() => 3)
    t.fail('should be held back')
  } catch (error) {
    t.match(error, { code: 'BUDGET_HELD', retryAfterSeconds: 10, message: /spent 2\.00 USD of its 10\.00 USD monthly budget for 2026-03, and 6\.00 USD is held by calls running now, which leaves no room for this call's 3\.00 USD until they end/ })
  }
  t.equal(await refused(() => guard.open(PORTAL).reserve(() => 9)), 'BUDGET_EXCEEDED', 'a call the spend alone leaves no room for is refused for good')
  settle(0.5)
  running.close(0.5)
  t.equal(await refused(() => guard.open(PORTAL).reserve(() => 3)), 'passed', 'the hold gone, the call fits')
  t.equal(await guard.open(PORTAL).ensureRemaining(), true, 'ensureRemaining says the portal has a budget')
})

t.test('the refusal says what was spent, the limit, and how to raise it', async t => {
  const { guard } = setup({ monthlyLimitUsd: 5 }, 4.5)
  try {
    await guard.open(PORTAL).reserve(() => 0.75)
    t.fail('should refuse')
  } catch (error) {
    t.match(error, { code: 'BUDGET_EXCEEDED', message: /spent 4\.50 USD of its 5\.00 USD monthly budget for 2026-03.*up to 0\.75 USD.*PUT \/api\/portals\/7\/budget/ })
  }
})

t.test('a raised limit lets calls through at once, keeping the month\'s spend', async t => {
  const { guard, reads, setBudget } = setup({ monthlyLimitUsd: 1 }, 1)
  t.equal(await refused(() => guard.open(PORTAL).reserve(() => 0.1)), 'BUDGET_EXCEEDED')
  setBudget({ monthlyLimitUsd: 2 })
  t.equal(await refused(() => guard.open(PORTAL).reserve(() => 0.1)), 'passed')
  t.same(reads, { find: 2, monthSpend: 1 }, 'the spend was not read again')
})

t.test('a new month starts from what the database recorded for it', async t => {
  const { guard, reads, setSpent, advanceTo } = setup({ monthlyLimitUsd: 1 }, 1)
  t.equal(await refused(() => guard.open(PORTAL).reserve(() => 0.1)), 'BUDGET_EXCEEDED')
  setSpent(0)
  advanceTo('2026-04-01T00:00:00Z')
  t.equal(await refused(() => guard.open(PORTAL).reserve(() => 0.1)), 'passed')
  t.match(await guard.status(PORTAL), { month: '2026-04', reservedUsd: 0.1 })
  t.equal(reads.monthSpend, 2)
})

t.test('an execution that started last month adds nothing to this month', async t => {
  const { guard, advanceTo } = setup({ monthlyLimitUsd: 10 })
  const hold = guard.open(PORTAL)
  ;(await hold.reserve(() => 2))(1)
  advanceTo('2026-04-01T00:00:01Z')
  t.match(await guard.status(PORTAL), { month: '2026-04', reservedUsd: 0, spentUsd: 0 })
  hold.close(1)
  t.match(await guard.status(PORTAL), { reservedUsd: 0, spentUsd: 0 })
})

t.test('crossing warnAtPercent warns once a month, and not again after a restart', async t => {
  const { guard, warnings, marked, advanceTo } = setup({ monthlyLimitUsd: 10, warnAtPercent: 50 })
  for (let index = 0; index < 8; index++) {
    const hold = guard.open(PORTAL)
    ;(await hold.reserve(() => 1))(1)
    hold.close(1)
  }
  t.equal(warnings.length, 1)
  t.match(warnings[0], { portalId: PORTAL, month: '2026-03', spentUsd: 5, monthlyLimitUsd: 10, warnAtPercent: 50 })
  t.same(marked, ['2026-03'])
  t.equal((await guard.status(PORTAL))?.warned, true)

  const restarted = setup({ monthlyLimitUsd: 10, warnAtPercent: 50, warnedMonth: '2026-03' }, 8)
  await restarted.guard.open(PORTAL).reserve(() => 1)
  t.equal(restarted.warnings.length, 0, 'the persisted month is not warned again')
  restarted.advanceTo('2026-04-02T00:00:00Z')
  restarted.setSpent(6)
  await restarted.guard.open(PORTAL).reserve(() => 1)
  t.equal(restarted.warnings.length, 1, 'a new month warns again')
})

t.test('a budget lowered between the read and the check is read again: the check never runs on a budget being replaced', async t => {
  const { guard, reads, setBudget } = setup({ monthlyLimitUsd: 10 })
  await guard.status(PORTAL)
  // The state is loaded, so the reserve's read resolves at once; the PUT lands before the check runs.
  const reserving = refused(() => guard.open(PORTAL).reserve(() => 5))
  setBudget({ monthlyLimitUsd: 1 })
  t.equal(await reserving, 'BUDGET_EXCEEDED', 'checked against the new limit')
  t.same(reads, { find: 2, monthSpend: 1 })
})

t.test('a cost recorded while the month\'s spend is being read counts, even if the read missed it', async t => {
  let answerSpend: (spent: number) => void = () => undefined
  const guard = createBudgetGuard({
    budgets: {
      find: async () => ({ portalId: PORTAL, monthlyLimitUsd: 10, warnAtPercent: null, timeZone: null, warnedMonth: null, updatedAt: 0 }),
      monthSpend: async () => await new Promise<number>(resolve => { answerSpend = resolve }),
      markWarned: async () => undefined
    },
    clock: () => MARCH,
    log: { info () {}, warn () {}, error () {} }
  })
  // A run that started before the portal's budget was first needed finishes while its month is read.
  const running = guard.open(PORTAL)
  const status = guard.status(PORTAL)
  await new Promise(resolve => setImmediate(resolve))
  running.close(3)
  answerSpend(0)
  t.match(await status, { spentUsd: 3, remainingUsd: 7 })
})

t.test('the estimate: prompt and instructions at three characters a token, plus the output cap', async t => {
  const price = { input: 2, output: 10 }
  t.equal(estimateCallCost(price, { prompt: 'x'.repeat(3000), instructions: 'y'.repeat(2999), maxOutputTokens: 1000 }, {}), (2000 * 2 + 1000 * 10) / 1e6)
  t.equal(estimateCallCost(price, { prompt: 'x' }, { maxOutputTokens: 32768 }), (1 * 2 + 32768 * 10) / 1e6, 'the model\'s largest output when the request sets none')
  t.equal(estimateCallCost(price, { prompt: '' }, {}), DEFAULT_OUTPUT_TOKENS_ESTIMATE * 10 / 1e6)
  t.equal(estimateCallCost(undefined, { prompt: 'x'.repeat(10_000) }, {}), 0, 'no known price: 0')
})
