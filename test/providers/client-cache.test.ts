import t from 'tap'
import { createClientCache, createLazyClientCache } from '../../providers/client-cache.ts'
import { ProviderError } from '../../providers/errors.ts'
import { lazyModule } from '../../providers/lazy-module.ts'

interface FakeClient {
  readonly apiKey: string
  readonly baseUrl?: string
  readonly sdk?: string
}

t.test('one client per key and base URL, the least recently used dropped past capacity', async t => {
  const built: FakeClient[] = []
  const clientFor = createClientCache(credentials => {
    const client = { ...credentials }
    built.push(client)
    return client
  }, 2)
  const first = clientFor({ apiKey: 'key-a' })
  t.equal(clientFor({ apiKey: 'key-a' }), first)
  t.not(clientFor({ apiKey: 'key-a', baseUrl: 'http://proxy' }), first, 'another base URL is another client')
  clientFor({ apiKey: 'key-a' })
  clientFor({ apiKey: 'key-b' })
  t.equal(clientFor({ apiKey: 'key-a' }), first, 'recently used, so kept')
  t.equal(built.length, 3)
  clientFor({ apiKey: 'key-a', baseUrl: 'http://proxy' })
  t.equal(built.length, 4, 'the proxy client was the least recently used and had been dropped')
})

t.test('the lazy form loads the SDK once, then caches clients the same way', async t => {
  let loads = 0
  const clientFor = createLazyClientCache(lazyModule(async () => {
    loads++
    return 'sdk-module'
  }), (sdk, credentials): FakeClient => ({ ...credentials, sdk }))
  t.equal(loads, 0, 'nothing is loaded when the cache is made')
  const [first, again] = await Promise.all([clientFor({ apiKey: 'key-a' }), clientFor({ apiKey: 'key-a' })])
  t.equal(first, again)
  t.equal(first.sdk, 'sdk-module', 'clients are built with the loaded SDK')
  t.not(await clientFor({ apiKey: 'key-b' }), first)
  t.equal(loads, 1)
})

t.test('an SDK that cannot be loaded fails the call as PROVIDER_UNAVAILABLE; a ProviderError from build passes', async t => {
  let fail = true
  const clientFor = createLazyClientCache(async () => {
    if (fail) throw new Error("Cannot find package 'openai'")
    return 'sdk-module'
  }, (sdk, credentials): FakeClient => {
    if (credentials.baseUrl === undefined) throw new ProviderError('PROVIDER_REJECTED', 'A base URL is needed.')
    return { ...credentials, sdk }
  })
  const credentials = { apiKey: 'key-a', baseUrl: 'http://localhost:11434/v1' }
  const failure = await clientFor(credentials).catch((error: unknown) => error)
  t.ok(ProviderError.is(failure))
  t.match(failure, { code: 'PROVIDER_UNAVAILABLE', message: /SDK could not be loaded: Cannot find package 'openai'/ })
  fail = false
  t.equal((await clientFor(credentials)).sdk, 'sdk-module', 'the next call loads it')
  await t.rejects(clientFor({ apiKey: 'key-a' }), { code: 'PROVIDER_REJECTED' })
})
