import t from 'tap'
import { ProviderError } from '../../providers/errors.ts'
import { withRetries } from '../../providers/retry.ts'

/** A fake clock and sleep: waits are recorded, and time moves by exactly what was waited. */
function harness (budgetMs = 10_000) {
  let now = 0
  const waits: number[] = []
  return {
    waits,
    options: {
      signal: new AbortController().signal,
      remainingMs: () => budgetMs - now,
      sleep: async (milliseconds: number) => { waits.push(milliseconds); now += milliseconds },
      random: () => 0
    }
  }
}

function failing (...errors: ProviderError[]) {
  let calls = 0
  return {
    get calls () { return calls },
    call: async () => {
      const error = errors[calls++]
      if (error !== undefined) throw error
      return 'ok'
    }
  }
}

const rateLimited = (retryAfterMs?: number) => new ProviderError('PROVIDER_RATE_LIMITED', '429', { status: 429, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) })
const unavailable = () => new ProviderError('PROVIDER_UNAVAILABLE', '503', { status: 503 })

t.test('Retry-After is honoured exactly', async t => {
  const { waits, options } = harness()
  const sequence = failing(rateLimited(1500), rateLimited(250))
  t.equal(await withRetries(sequence.call, options), 'ok')
  t.same(waits, [1500, 250])
  t.equal(sequence.calls, 3)
})

t.test('without Retry-After: 500 ms, then doubled', async t => {
  const { waits, options } = harness()
  await withRetries(failing(unavailable(), unavailable()).call, options)
  t.same(waits, [500, 1000])
})

t.test('jitter adds at most a quarter', async t => {
  const { waits, options } = harness()
  await withRetries(failing(unavailable()).call, { ...options, random: () => 0.999 })
  t.ok(waits[0]! > 500 && waits[0]! <= 625)
})

t.test('three attempts at most, then the last error', async t => {
  const { options } = harness()
  const sequence = failing(unavailable(), unavailable(), unavailable(), unavailable())
  await t.rejects(withRetries(sequence.call, options), { code: 'PROVIDER_UNAVAILABLE' })
  t.equal(sequence.calls, 3)
})

t.test('a wait longer than the time left is not started: the error goes back at once', async t => {
  const { waits, options } = harness(5000)
  const sequence = failing(rateLimited(30_000))
  await t.rejects(withRetries(sequence.call, options), { code: 'PROVIDER_RATE_LIMITED', retryAfterMs: 30_000 })
  t.same(waits, [])
  t.equal(sequence.calls, 1)
})

t.test('bad requests, bad keys, quota and timeouts are never retried', async t => {
  for (const code of ['PROVIDER_REJECTED', 'PROVIDER_AUTH', 'PROVIDER_QUOTA', 'PROVIDER_TIMEOUT'] as const) {
    const { waits, options } = harness()
    const sequence = failing(new ProviderError(code, code))
    await t.rejects(withRetries(sequence.call, options), { code })
    t.equal(sequence.calls, 1, code)
    t.same(waits, [])
  }
})

t.test('a plain thrown error becomes a ProviderError, and an aborted call stops retrying', async t => {
  const { options } = harness()
  await t.rejects(withRetries(async () => { throw new Error('ECONNREFUSED') }, { ...options, policy: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }), { code: 'PROVIDER_UNAVAILABLE' })
  const controller = new AbortController()
  controller.abort()
  const sequence = failing(unavailable())
  await t.rejects(withRetries(sequence.call, { ...options, signal: controller.signal }), { code: 'PROVIDER_UNAVAILABLE' })
  t.equal(sequence.calls, 1)
})

t.test('the real sleep waits and is cut short by the deadline', async t => {
  const controller = new AbortController()
  setTimeout(() => controller.abort(new Error('deadline')), 50)
  const started = Date.now()
  await t.rejects(withRetries(failing(rateLimited(5000)).call, { signal: controller.signal, remainingMs: () => 60_000 }), /deadline/)
  t.ok(Date.now() - started < 2000)
})
