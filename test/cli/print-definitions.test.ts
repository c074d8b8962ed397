import t from 'tap'
import { BUILTIN_PROVIDERS } from '../../providers/builtin.ts'
import { buildActionDefinitions } from '../../src/actions/definitions/build-definitions.ts'
import { run } from '../../src/cli/print-definitions.ts'

async function print (argv: string[], env: Record<string, string | undefined> = { PUBLIC_URL: 'https://llm.agency.example' }) {
  const out: string[] = []
  const errors: string[] = []
  const code = await run(argv, { env, stdout: text => out.push(text), stderr: text => errors.push(text), fetch: () => { throw new Error('print-definitions must not fetch') } })
  return { code, out: out.join(''), errors: errors.join('') }
}

t.test('v4 (default): the items GET /hubspot/definitions answers', async t => {
  const { code, out, errors } = await print([])
  t.equal(code, 0)
  t.equal(errors, '')
  t.ok(out.endsWith('}\n'))
  const printed = JSON.parse(out)
  t.same(printed, JSON.parse(JSON.stringify({ items: buildActionDefinitions({ publicUrl: 'https://llm.agency.example', providers: BUILTIN_PROVIDERS }) })))
  t.same(printed.items.map((item: { key: string }) => item.key), ['custom-llm', 'openai-assistant'])
  t.equal(printed.items[0].definition.actionUrl, 'https://llm.agency.example/hubspot/actions/custom-llm')
  t.same((await print(['--format', 'v4'])).out, out)
})

t.test('PUBLIC_URL defaults to localhost and PORT, and must be a URL', async t => {
  t.equal(JSON.parse((await print([], {})).out).items[0].definition.actionUrl, 'http://localhost:3000/hubspot/actions/custom-llm')
  t.equal(JSON.parse((await print([], { PORT: '8080' })).out).items[1].definition.actionUrl, 'http://localhost:8080/hubspot/actions/openai-assistant')
  const bad = await print([], { PUBLIC_URL: 'llm.agency.example' })
  t.equal(bad.code, 2)
  t.match(bad.errors, /^error: PUBLIC_URL is not a URL/)
  t.equal(bad.out, '')
  t.match((await print([], { PUBLIC_URL: 'ftp://x.example' })).errors, /must be an http\(s\) URL/)
  t.match((await print([], { PUBLIC_URL: 'https://x.example/?a=1' })).errors, /must not have a query/)
})

t.test('hsmeta: one workflow-action file per action', async t => {
  const { code, out } = await print(['--format', 'hsmeta'])
  t.equal(code, 0)
  const { files } = JSON.parse(out)
  t.same(Object.keys(files), ['custom-llm-hsmeta.json', 'openai-assistant-hsmeta.json'])
  const v4 = JSON.parse((await print([])).out).items
  const custom = files['custom-llm-hsmeta.json']
  t.same(Object.keys(custom), ['uid', 'type', 'config'])
  t.equal(custom.uid, 'custom_llm_action')
  t.equal(files['openai-assistant-hsmeta.json'].uid, 'openai_assistant_action')
  t.equal(custom.type, 'workflow-action')
  t.same(custom.config, {
    actionUrl: 'https://llm.agency.example/hubspot/actions/custom-llm',
    isPublished: true,
    supportedClients: [{ client: 'WORKFLOWS' }],
    inputFields: v4[0].definition.inputFields,
    inputFieldDependencies: v4[0].definition.inputFieldDependencies,
    outputFields: v4[0].definition.outputFields,
    objectTypes: v4[0].definition.objectTypes,
    labels: v4[0].definition.labels,
    objectRequestOptions: v4[0].definition.objectRequestOptions,
    executionRules: v4[0].definition.executionRules
  })
  t.notOk('published' in custom.config, 'hsmeta says isPublished')
  t.notOk('functions' in custom.config)

  const documented = JSON.parse((await print(['--format', 'hsmeta', '--documented-only'])).out).files['custom-llm-hsmeta.json'].config
  t.notOk('executionRules' in documented)
  t.notOk('objectRequestOptions' in documented)
  t.ok('outputFields' in documented)
})

t.test('hsmeta --agent-tools: the same files, also offered to HubSpot\'s AI agents', async t => {
  const plain = JSON.parse((await print(['--format', 'hsmeta'])).out).files
  const { code, out } = await print(['--format', 'hsmeta', '--agent-tools'])
  t.equal(code, 0)
  const { files } = JSON.parse(out)
  t.same(Object.keys(files), Object.keys(plain))
  for (const [name, file] of Object.entries<{ config: Record<string, unknown> }>(files)) {
    const clients = file.config.supportedClients as Array<{ client: string, toolType?: string, llmConfig?: { actionDescription: string } }>
    t.same(clients.map(entry => entry.client), ['WORKFLOWS', 'AGENTS'], name)
    t.equal(clients[1]?.toolType, 'GENERATE')
    t.type(clients[1]?.llmConfig?.actionDescription, 'string')
    t.match(clients[1]?.llmConfig?.actionDescription, /; processing \(optional: standard \(default\) answers now; economy answers within 24 hours/, `${name}: the agent learns what economy means`)
    const { supportedClients: _with, ...rest } = file.config
    const { supportedClients: _without, ...plainRest } = plain[name].config
    t.same(rest, plainRest, `${name}: nothing else changes`)
  }
  t.notMatch(JSON.stringify(plain), /AGENTS|llmConfig|toolType/, 'without the flag, no agent keys')
})

t.test('help and bad arguments', async t => {
  const help = await print(['--help'])
  t.equal(help.code, 0)
  t.match(help.out, /^Usage: llm-actions print-definitions \[--format v4\|hsmeta\]/)
  t.equal((await print(['-h'])).code, 0)
  for (const argv of [
    ['--format', 'yaml'], ['--bogus'], ['extra'], ['--out', '/tmp/x'], ['--documented-only'], ['--format'], ['--agent-tools'],
    ['--format', 'hsmeta', '--distribution', 'private'], ['--format', 'hsmeta', '--force'], ['--format', 'hsmeta', '--out', ''],
    ['--format', 'hsmeta', '--out', '/tmp/never-written-by-this-test', '--distribution', 'public']
  ]) {
    const result = await print(argv)
    t.equal(result.code, 2, argv.join(' '))
    t.match(result.errors, /^error: .*\n\nUsage: llm-actions print-definitions/s)
    t.equal(result.out, '')
  }
})
