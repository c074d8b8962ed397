import t from 'tap'
import type { LlmProvider } from '../../providers/contract.ts'
import { checkBaseUrl } from '../../src/actions/connections.ts'

/** Only what checkBaseUrl reads of a provider. */
const provider = (hosts: readonly string[], requiresBaseUrl = false) => ({ label: 'Test provider', hosts, requiresBaseUrl }) as unknown as LlmProvider

const admitted = (baseUrl: string, hosts: readonly string[], allowed: readonly string[]) => {
  try {
    return checkBaseUrl(provider(hosts), baseUrl, allowed) !== undefined
  } catch (error) {
    if ((error as { code?: string }).code === 'BASE_URL_NOT_ALLOWED' || (error as { code?: string }).code === 'INVALID_INPUT') return false
    throw error
  }
}

t.test('a bare host admits https on the default port only', async t => {
  t.ok(admitted('https://llm.internal.example/v1', [], ['llm.internal.example']))
  t.ok(admitted('https://llm.internal.example:443/v1', [], ['llm.internal.example']))
  t.notOk(admitted('https://llm.internal.example:8443/v1', [], ['llm.internal.example']), 'another port')
  t.notOk(admitted('http://llm.internal.example/v1', [], ['llm.internal.example']), 'clear text would send the key readable')
  t.notOk(admitted('https://other.internal.example/v1', [], ['llm.internal.example']))
  t.notOk(admitted('https://evil.llm.internal.example/v1', [], ['llm.internal.example']), 'a subdomain is another host')
})

t.test('a provider\'s own hosts follow the same rules', async t => {
  t.ok(admitted('https://api.openai.com/v1', ['api.openai.com'], []))
  t.notOk(admitted('http://api.openai.com/v1', ['api.openai.com'], []))
  t.notOk(admitted('https://api.openai.com:8443/v1', ['api.openai.com'], []))
})

t.test('host:port admits that port; http only for loopback hosts', async t => {
  t.ok(admitted('https://llm.internal.example:8443/v1', [], ['llm.internal.example:8443']))
  t.notOk(admitted('https://llm.internal.example/v1', [], ['llm.internal.example:8443']))
  t.notOk(admitted('http://llm.internal.example:8443/v1', [], ['llm.internal.example:8443']))
  t.ok(admitted('http://127.0.0.1:11434/v1', [], ['127.0.0.1:11434']))
  t.ok(admitted('http://localhost:11434/v1', [], ['localhost:11434']))
  t.ok(admitted('http://[::1]:11434/v1', [], ['[::1]:11434']))
  t.notOk(admitted('http://127.0.0.1:2375/v1', [], ['127.0.0.1:11434']))
})

t.test('localhost no longer admits every port on the machine', async t => {
  t.notOk(admitted('http://localhost:2375/v1', [], ['localhost']), 'the Docker daemon')
  t.notOk(admitted('http://127.0.0.1:8080/v1', [], ['127.0.0.1']))
  t.ok(admitted('http://localhost/v1', [], ['localhost']), 'loopback on the default port')
  t.ok(admitted('https://localhost/v1', [], ['localhost']))
})

t.test('an explicit scheme admits exactly that origin, http included', async t => {
  t.ok(admitted('http://llm.internal.example:8080/v1', [], ['http://llm.internal.example:8080']))
  t.notOk(admitted('https://llm.internal.example:8080/v1', [], ['http://llm.internal.example:8080']))
  t.notOk(admitted('http://llm.internal.example:8081/v1', [], ['http://llm.internal.example:8080']))
  t.ok(admitted('http://llm.internal.example/v1', [], ['http://llm.internal.example']))
  t.ok(admitted('https://llm.internal.example:8443/v1', [], ['https://llm.internal.example:8443']))
  t.notOk(admitted('https://llm.internal.example/v1', [], ['https://llm.internal.example:8443']))
})

t.test('entries are matched case-insensitively and malformed ones admit nothing', async t => {
  t.ok(admitted('https://LLM.Internal.Example/v1', [], ['llm.internal.example']))
  t.ok(admitted('https://llm.internal.example/v1', [], ['LLM.INTERNAL.EXAMPLE']))
  for (const entry of ['', 'ftp://llm.internal.example', 'llm.internal.example/v1?x', 'user@llm.internal.example', 'llm.internal.example:99999', '*']) {
    t.notOk(admitted('https://llm.internal.example/v1', [], [entry]), JSON.stringify(entry))
  }
})

t.test('the refusal names the host and the accepted forms', async t => {
  t.throws(() => checkBaseUrl(provider([]), 'http://localhost:2375/v1', ['localhost']), {
    code: 'BASE_URL_NOT_ALLOWED',
    message: /http:\/\/localhost:2375.*ALLOWED_PROVIDER_HOSTS/
  })
})
