import t from 'tap'
import type { LlmProvider, ProviderModel } from '../../providers/contract.ts'
import { ProviderError } from '../../providers/errors.ts'
import { createModelCatalogue } from '../../plugins/model-catalogue/model-catalogue.ts'

const capabilities = { temperature: true, reasoningEfforts: [], structuredOutput: false }
const model = (id: string): ProviderModel => ({ id, label: id, capabilities })

function fakeProvider () {
  const state = { calls: 0, next: (): Promise<readonly ProviderModel[]> => Promise.resolve([model('live-1')]) }
  const provider = {
    id: 'fake',
    models: [model('curated-1')],
    listModels: () => { state.calls++; return state.next() }
  } as unknown as LlmProvider
  return { provider, state }
}

const credentials = { apiKey: 'k' }

t.test('live within the TTL, stale through an outage, curated only without any live list', async t => {
  const clock = { now: 0 }
  const errors: string[] = []
  const catalogue = createModelCatalogue({ clock: () => clock.now, ttlMs: 1000, retryAfterFailureMs: 500, onFetchError: provider => errors.push(provider) })
  const { provider, state } = fakeProvider()

  t.match(await catalogue.models(provider, 'portal-1', 'v1', credentials), { source: 'live', models: [{ id: 'live-1' }] })
  clock.now = 999
  await catalogue.models(provider, 'portal-1', 'v1', credentials)
  t.equal(state.calls, 1, 'served from cache within the TTL')

  state.next = () => Promise.reject(new ProviderError('PROVIDER_UNAVAILABLE', 'down'))
  clock.now = 1500
  const stale = await catalogue.models(provider, 'portal-1', 'v1', credentials)
  t.match(stale, { source: 'stale', models: [{ id: 'live-1' }] }, 'answered at once from the old list')
  await new Promise(resolve => setImmediate(resolve))
  t.same(errors, ['fake'])
  await catalogue.models(provider, 'portal-1', 'v1', credentials)
  t.equal(state.calls, 2, 'no new attempt while resting after a failure')

  t.match(await catalogue.models(provider, 'portal-2', 'v1', credentials), { source: 'curated', models: [{ id: 'curated-1' }] })
})

t.test('concurrent requests share one fetch; a slow vendor is not waited on past waitMs', async t => {
  const catalogue = createModelCatalogue({ clock: Date.now })
  const { provider, state } = fakeProvider()
  let release: (models: readonly ProviderModel[]) => void = () => {}
  state.next = () => new Promise(resolve => { release = resolve })
  const started = Date.now()
  const [first, second] = await Promise.all([
    catalogue.models(provider, 'p', 'v1', credentials, 50),
    catalogue.models(provider, 'p', 'v1', credentials, 50)
  ])
  t.ok(Date.now() - started < 1000)
  t.equal(state.calls, 1)
  t.equal(first.source, 'curated')
  t.equal(second.source, 'curated')
  release([model('late')])
  await new Promise(resolve => setImmediate(resolve))
  t.match(await catalogue.models(provider, 'p', 'v1', credentials), { source: 'live', models: [{ id: 'late' }] }, 'the late answer serves the next request')
})

t.test('forget drops an owner\'s lists; a new key version fetches anew', async t => {
  const catalogue = createModelCatalogue({ clock: Date.now })
  const { provider, state } = fakeProvider()
  await catalogue.models(provider, 'p', 'v1', credentials)
  await catalogue.models(provider, 'p', 'v2', credentials)
  t.equal(state.calls, 2)
  catalogue.forget('fake', 'p')
  await catalogue.models(provider, 'p', 'v1', credentials)
  t.equal(state.calls, 3)
})
