import t from 'tap'
import { createFailureLimiter } from '../../plugins/failure-limiter.ts'
import { buildApp } from '../helpers/build-app.ts'

// Guessing the admin token is slowed down per client: ten wrong tokens a minute, then wrong ones are 429 until the
// minute is over. The right token always gets through, so wrong ones from a shared address cannot lock the owner out.

const WRONG = { authorization: 'Bearer wrong-token-wrong-token-wrong' }
const ATTACKER = '203.0.113.7'
const ADMINISTRATOR = '198.51.100.20'

t.test('the eleventh wrong token in a minute is 429 RATE_LIMITED with Retry-After, for that client only', async t => {
  let now = 1_800_000_000_000
  const { app, admin } = await buildApp(t, {}, { clock: () => now })
  const portals = (headers: Record<string, string>, remoteAddress: string) => app.inject({ url: '/api/portals', headers, remoteAddress })

  for (let attempt = 1; attempt <= 10; attempt++) {
    t.equal((await portals(WRONG, ATTACKER)).statusCode, 401, `wrong token ${attempt} is only refused`)
  }
  now += 15_000
  const limited = await portals(WRONG, ATTACKER)
  t.equal(limited.statusCode, 429)
  t.equal(limited.json().code, 'RATE_LIMITED')
  t.equal(limited.headers['retry-after'], '45', 'until the minute since the first failure is over')
  t.equal((await portals(WRONG, ADMINISTRATOR)).statusCode, 401, 'another client is not affected')

  now += 45_000
  t.equal((await portals(WRONG, ATTACKER)).statusCode, 401, 'the window passed: failures count afresh')
})

t.test('ten wrong tokens from an address never lock out the right one from that address, while wrong ones stay limited', async t => {
  let now = 1_800_000_000_000
  const { app, admin } = await buildApp(t, {}, { clock: () => now })
  // Behind a load balancer (no TRUST_PROXY) the owner and a stranger share this one address.
  const portals = (headers: Record<string, string>) => app.inject({ url: '/api/portals', headers, remoteAddress: ATTACKER })
  for (let attempt = 1; attempt <= 10; attempt++) await portals(WRONG)
  t.equal((await portals(WRONG)).statusCode, 429, 'the address is limited')
  for (let attempt = 1; attempt <= 3; attempt++) {
    t.equal((await portals(admin)).statusCode, 200, `the right token gets through (${attempt})`)
    t.equal((await portals(WRONG)).statusCode, 429, `a wrong one is still refused (${attempt})`)
    now += 10_000
  }
})

t.test('successful requests do not count toward the limit', async t => {
  const { app, admin } = await buildApp(t)
  for (let attempt = 1; attempt <= 30; attempt++) {
    const response = await app.inject({ url: '/api/portals', headers: admin, remoteAddress: ADMINISTRATOR })
    if (response.statusCode !== 200) return t.fail(`request ${attempt} answered ${response.statusCode}`)
  }
  for (let attempt = 1; attempt <= 10; attempt++) {
    t.equal((await app.inject({ url: '/api/portals', headers: WRONG, remoteAddress: ADMINISTRATOR })).statusCode, 401)
  }
})

t.test('requests without a token are refused but are not guesses', async t => {
  const { app, admin } = await buildApp(t)
  for (let attempt = 1; attempt <= 15; attempt++) {
    t.equal((await app.inject({ url: '/api/portals', remoteAddress: ADMINISTRATOR })).statusCode, 401)
  }
  t.equal((await app.inject({ url: '/api/portals', headers: admin, remoteAddress: ADMINISTRATOR })).statusCode, 200)
})

t.test('the limiter remembers at most maxClients, forgetting the oldest window first, and drops expired ones', async t => {
  let now = 0
  const limiter = createFailureLimiter({ limit: 2, windowMs: 1000, maxClients: 3, clock: () => now })
  for (const client of ['a', 'b', 'c']) { limiter.fail(client); limiter.fail(client) }
  t.equal(limiter.retryAfterSeconds('a'), 1)
  limiter.fail('d')
  t.equal(limiter.size(), 3, 'bounded')
  t.equal(limiter.retryAfterSeconds('a'), undefined, 'the oldest client was forgotten')
  t.equal(limiter.retryAfterSeconds('b'), 1, 'the others are still limited')
  now = 1000
  t.equal(limiter.retryAfterSeconds('b'), undefined, 'a window is over at its end')
  limiter.fail('e')
  t.equal(limiter.size(), 1, 'expired windows are dropped when a failure is counted')
})
