import t from 'tap'
import { trustProxyOption } from '../../src/trust-proxy.ts'
import { buildApp } from '../helpers/build-app.ts'

// TRUST_PROXY: behind a load balancer every client arrives from the balancer's address; the client's own address is
// then read from X-Forwarded-For, but only from the hops the operator names.

t.test('TRUST_PROXY is read as Fastify takes it, and a value it cannot use is refused with one line', async t => {
  t.equal(trustProxyOption(undefined), false, 'unset: no proxy is believed')
  t.equal(trustProxyOption(' '), false)
  t.equal(trustProxyOption('false'), false)
  t.equal(trustProxyOption('true'), true)
  t.same(trustProxyOption('10.0.0.0/8, 192.168.1.10,::1,fd00::/8'), ['10.0.0.0/8', '192.168.1.10', '::1', 'fd00::/8'])
  const twoHops = trustProxyOption('2')
  t.type(twoHops, 'function', 'a hop count')
  if (typeof twoHops === 'function') t.same([0, 1, 2].map(hop => twoHops('10.0.0.1', hop)), [true, true, false], 'believes the two nearest hops')
  t.throws(() => trustProxyOption('10.0.0.0/33'), /TRUST_PROXY: "10\.0\.0\.0\/33" is not an IP address or CIDR range/)
  t.throws(() => trustProxyOption('lb.internal'), /not an IP address or CIDR range/)
  t.throws(() => trustProxyOption('1.2.3.4,' + 'x'.repeat(5000)), /longer than 4096 characters/)
})

const WRONG = { authorization: 'Bearer wrong-token' }

const wrongTokens = async (app: Awaited<ReturnType<typeof buildApp>>['app'], client: string) => {
  for (let attempt = 0; attempt < 12; attempt++) {
    await app.inject({ url: '/api/portals', headers: { ...WRONG, 'x-forwarded-for': client } })
  }
}

t.test('with the load balancer named, the wrong-token limit keys on the forwarded client', async t => {
  const { app, admin } = await buildApp(t, { TRUST_PROXY: '127.0.0.1' })
  await wrongTokens(app, '203.0.113.7')
  const guesser = await app.inject({ url: '/api/portals', headers: { ...WRONG, 'x-forwarded-for': '203.0.113.7' } })
  t.equal(guesser.statusCode, 429, 'the client that guessed is limited')
  const other = await app.inject({ url: '/api/portals', headers: { ...WRONG, 'x-forwarded-for': '198.51.100.9' } })
  t.equal(other.statusCode, 401, 'another client behind the same balancer is not')
  const owner = await app.inject({ url: '/api/portals', headers: { ...admin, 'x-forwarded-for': '203.0.113.7' } })
  t.equal(owner.statusCode, 200, 'and the right token gets through from any client')
})

t.test('without TRUST_PROXY, X-Forwarded-For is ignored: a client cannot pick its own address', async t => {
  const { app } = await buildApp(t)
  await wrongTokens(app, '203.0.113.7')
  const other = await app.inject({ url: '/api/portals', headers: { ...WRONG, 'x-forwarded-for': '198.51.100.9' } })
  t.equal(other.statusCode, 429, 'a forged header does not escape the limit of the connecting address')
})
