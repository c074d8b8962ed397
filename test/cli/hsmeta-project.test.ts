import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { getProjectMetadata, isKnownPlatformVersion, isLegacyProject, parseProjectConfig } from '@hubspot/project-parsing-lib/projects'
import { translate } from '@hubspot/project-parsing-lib/translate'
import t, { type Test } from 'tap'
import { run } from '../../src/cli/print-definitions.ts'
import { VALID_FIELD_TYPES } from '../helpers/hubspot-field-rules.ts'

const PUBLIC_URL = 'https://llm.agency.example/llm'
/** Canary values: none may appear in any written file or in the output. */
const SECRETS = {
  HUBSPOT_CLIENT_SECRET: 'canary-client-secret-6f1d2b',
  HUBSPOT_DEVELOPER_API_KEY: 'canary-developer-key-93ac0e',
  ADMIN_TOKEN: 'canary-admin-token-51be77',
  ENCRYPTION_KEY: 'Y2FuYXJ5LWVuY3J5cHRpb24ta2V5LWNhbmFyeS0xMjM='
}
const ENV = { PUBLIC_URL: `${PUBLIC_URL}/`, HUBSPOT_CLIENT_ID: 'canary-client-id-0a9f', ...SECRETS }

const SCHEMA_TYPES = ['INTEGER', 'LONG', 'DOUBLE', 'STRING', 'BOOLEAN', 'ARRAY', 'OBJECT']
const LOCALES = ['en', 'fr', 'de', 'ja', 'es', 'pt-br', 'nl']
const ACTION_FILES = ['src/app/workflow-actions/custom-llm-hsmeta.json', 'src/app/workflow-actions/openai-assistant-hsmeta.json']
const PROJECT_FILES = ['hsproject.json', 'src/app/app-hsmeta.json', ...ACTION_FILES].sort()

async function cli (argv: string[], env: Record<string, string | undefined> = ENV) {
  const out: string[] = []
  const errors: string[] = []
  const code = await run(argv, { env, stdout: text => out.push(text), stderr: text => errors.push(text), fetch: () => { throw new Error('print-definitions must not fetch') } })
  return { code, out: out.join(''), errors: errors.join('') }
}

/** Every file under `directory`, as project paths with `/`. */
function walk (directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter(name => statSync(join(directory, name)).isFile())
    .map(name => relative(directory, join(directory, name)).split(sep).join('/'))
    .sort()
}

function readJson (directory: string, path: string): any {
  const text = readFileSync(join(directory, ...path.split('/')), 'utf8')
  return JSON.parse(text)
}

interface Field { typeDefinition: { name: string, type: string, fieldType: string, options: unknown[], schema?: { type: string } }, supportedValueTypes?: string[], isRequired?: boolean }

function checkWorkflowAction (t: Test, path: string, file: any, agentTools: boolean): void {
  const key = path.replace(/^.*\//, '').replace(/-hsmeta\.json$/, '')
  t.same(Object.keys(file).sort(), ['config', 'type', 'uid'], `${path}: top-level keys`)
  t.match(file.uid, /^[a-z0-9_]+$/)
  t.equal(file.type, 'workflow-action')
  const config = file.config
  for (const required of ['actionUrl', 'supportedClients', 'labels']) t.ok(required in config, `${path}: ${required} (required)`)
  t.equal(config.actionUrl, `${PUBLIC_URL}/hubspot/actions/${key}`, `${path}: actionUrl from PUBLIC_URL`)
  t.equal(config.isPublished, true)
  t.notOk('published' in config, 'hsmeta says isPublished, not published')
  t.notOk('functions' in config)

  const inputs: Field[] = config.inputFields
  const outputs: Field[] = config.outputFields
  t.ok(inputs.length > 0 && outputs.length > 0)
  for (const { typeDefinition, supportedValueTypes, isRequired } of inputs) {
    t.ok(VALID_FIELD_TYPES[typeDefinition.type]?.includes(typeDefinition.fieldType), `${path} input ${typeDefinition.name}: ${typeDefinition.type}/${typeDefinition.fieldType}`)
    t.ok(Array.isArray(typeDefinition.options))
    t.ok(Array.isArray(supportedValueTypes) && supportedValueTypes.length > 0)
    t.type(isRequired, 'boolean')
  }
  for (const { typeDefinition } of outputs) {
    t.ok(VALID_FIELD_TYPES[typeDefinition.type]?.includes(typeDefinition.fieldType), `${path} output ${typeDefinition.name}: ${typeDefinition.type}/${typeDefinition.fieldType}`)
    t.ok(SCHEMA_TYPES.includes(typeDefinition.schema?.type ?? ''), `${path} output ${typeDefinition.name}: typed schema`)
  }
  const schemas = Object.fromEntries(outputs.map(({ typeDefinition }) => [typeDefinition.name, typeDefinition.schema]))
  t.same(schemas.responseNumber, { type: 'DOUBLE' })
  t.same(schemas.responseBoolean, { type: 'BOOLEAN' })
  t.same(schemas.responseJson, { type: 'STRING' })
  t.same(schemas.inputTokens, { type: 'INTEGER', minimum: 0 })
  t.same(schemas.outputTokens, { type: 'INTEGER', minimum: 0 })
  t.same(schemas.response, { type: 'STRING' })

  const names = new Set(inputs.map(({ typeDefinition }) => typeDefinition.name))
  for (const dependency of config.inputFieldDependencies) {
    t.ok(names.has(dependency.controllingFieldName))
    for (const name of dependency.dependentFieldNames) t.ok(names.has(name))
  }

  t.same(Object.keys(config.labels).sort(), [...LOCALES].sort(), `${path}: labels in all seven languages`)
  for (const locale of LOCALES) {
    const labels = config.labels[locale]
    for (const text of [labels.actionName, labels.actionDescription, labels.actionCardContent, labels.appDisplayName]) t.ok(typeof text === 'string' && text.length > 0, `${path} ${locale}`)
    t.same(Object.keys(labels.inputFieldLabels).sort(), [...names].sort(), `${path} ${locale}: every input labelled`)
    t.same(Object.keys(labels.outputFieldLabels).sort(), outputs.map(({ typeDefinition }) => typeDefinition.name).sort(), `${path} ${locale}: every output labelled`)
  }
  if (locale(config, 'de') === locale(config, 'en')) t.fail(`${path}: German labels are the English ones`)

  if (!agentTools) {
    t.same(config.supportedClients, [{ client: 'WORKFLOWS' }], `${path}: workflows only without --agent-tools`)
    return
  }
  t.equal(config.supportedClients.length, 2)
  t.same(config.supportedClients[0], { client: 'WORKFLOWS' })
  const agents = config.supportedClients[1]
  t.same(Object.keys(agents).sort(), ['client', 'llmConfig', 'toolType'])
  t.equal(agents.client, 'AGENTS')
  t.ok(['GET_DATA', 'GENERATE', 'TAKE_ACTION'].includes(agents.toolType))
  const description: string = agents.llmConfig.actionDescription
  t.ok(description.length > 200, `${path}: a real description for the agent`)
  t.not(description, config.labels.en.actionDescription, 'the agent description is not the editor\'s')
  for (const name of names) t.match(description, new RegExp(`\\b${name}\\b`), `${path}: the agent description explains the input ${name}`)
  for (const name of ['response', 'responseNumber', 'responseBoolean', 'responseJson', 'errorCode']) t.match(description, new RegExp(`\\b${name}\\b`), `${path}: and says what it returns (${name})`)
}

function locale (config: any, name: string): string {
  return JSON.stringify(config.labels[name].inputFieldLabels)
}

function assertNoSecrets (t: Test, directory: string, output: string): void {
  for (const path of walk(directory)) {
    const text = readFileSync(join(directory, ...path.split('/')), 'utf8')
    for (const [name, value] of Object.entries(SECRETS)) t.notOk(text.includes(value), `${path}: no ${name}`)
    t.notOk(text.includes(ENV.HUBSPOT_CLIENT_ID), `${path}: no client id either (it belongs in the service's settings)`)
  }
  for (const value of Object.values(SECRETS)) t.notOk(output.includes(value), 'no secret printed')
}

t.test('--out writes a complete project for hs project upload', async t => {
  const directory = join(t.testdir({}), 'project')
  const { code, out, errors } = await cli(['--format', 'hsmeta', '--out', directory])
  t.equal(code, 0)
  t.equal(errors, '')
  t.same(walk(directory), PROJECT_FILES)

  t.same(readJson(directory, 'hsproject.json'), { name: 'llm-actions', srcDir: 'src', platformVersion: '2026.09' })

  const app = readJson(directory, 'src/app/app-hsmeta.json')
  t.same(Object.keys(app).sort(), ['config', 'type', 'uid'])
  t.match(app.uid, /^[a-z0-9_]+$/)
  t.equal(app.type, 'app')
  t.type(app.config.name, 'string')
  t.ok(app.config.name.length > 0)
  t.type(app.config.description, 'string')
  t.equal(app.config.distribution, 'private', 'private by default')
  t.same(app.config.auth, {
    type: 'oauth',
    redirectUrls: [`${PUBLIC_URL}/oauth/callback`],
    requiredScopes: ['oauth', 'automation'],
    optionalScopes: ['crm.objects.contacts.read', 'crm.objects.companies.read', 'crm.objects.deals.read', 'tickets'],
    conditionallyRequiredScopes: []
  })
  t.same(app.config.permittedUrls, { fetch: [PUBLIC_URL], iframe: [], img: [] })

  const uids = new Set([app.uid])
  for (const path of ACTION_FILES) {
    const file = readJson(directory, path)
    checkWorkflowAction(t, path, file, false)
    uids.add(file.uid)
  }
  t.equal(uids.size, 3, 'every component has its own uid')

  // The action files are exactly what stdout mode prints.
  const printed = JSON.parse((await cli(['--format', 'hsmeta'])).out).files
  for (const path of ACTION_FILES) t.same(readJson(directory, path), printed[path.replace(/^.*\//, '')])

  for (const path of PROJECT_FILES) t.match(out, `wrote ${join(directory, ...path.split('/'))}\n`)
  t.match(out, `cd ${directory} && hs project upload`)
  t.match(out, /Auth tab/)
  t.match(out, /HUBSPOT_CLIENT_ID/)
  t.match(out, /HUBSPOT_CLIENT_SECRET/)
  t.match(out, `${PUBLIC_URL}/oauth/install`)
  assertNoSecrets(t, directory, out)
})

// HubSpot's CLI reads a project with this parser before `hs project upload` sends it. Its schema check fetches the
// schemas from HubSpot's API (an account is needed), so it is skipped here; what is checked is what runs offline.
t.test("HubSpot's own project parser reads the folder as a 2026.09 project", async t => {
  const directory = join(t.testdir({}), 'project')
  t.equal((await cli(['--format', 'hsmeta', '--out', directory, '--agent-tools'])).code, 0)

  const config = parseProjectConfig(directory)
  t.equal(config.platformVersion, '2026.09')
  t.ok(isKnownPlatformVersion(config.platformVersion), 'a platform version the parser knows')
  t.notOk(isLegacyProject(config.platformVersion))

  const sourceDir = join(directory, config.srcDir)
  const counts = Object.entries((await getProjectMetadata(sourceDir)).components).filter(([, found]) => found.count > 0)
  t.same(Object.fromEntries(counts.map(([type, found]) => [type, found.count])), { app: 1, 'workflow-action': 2 }, 'each component in the folder its type belongs in')

  const { intermediateRepresentation, skippedHsMetaFiles } = await translate({ projectSourceDir: sourceDir, platformVersion: config.platformVersion }, { skipValidation: true })
  t.same(skippedHsMetaFiles, [])
  const nodes = Object.values(intermediateRepresentation.intermediateNodesIndexedByUid)
  t.same(nodes.map(node => [node.componentType, node.metaFilePath]).sort(), [
    ['APPLICATION', 'app/app-hsmeta.json'],
    ['WORKFLOW_ACTION', 'app/workflow-actions/custom-llm-hsmeta.json'],
    ['WORKFLOW_ACTION', 'app/workflow-actions/openai-assistant-hsmeta.json']
  ])
  for (const path of ACTION_FILES) {
    const file = readJson(directory, path)
    t.same(intermediateRepresentation.intermediateNodesIndexedByUid[file.uid]?.config, file.config, `${path}: read as written`)
  }
})

t.test('--distribution marketplace, --agent-tools and --documented-only', async t => {
  const directory = join(t.testdir({}), 'project')
  const { code, out } = await cli(['--format=hsmeta', '--out', directory, '--distribution', 'marketplace', '--agent-tools', '--documented-only'])
  t.equal(code, 0)
  t.same(walk(directory), PROJECT_FILES)
  t.equal(readJson(directory, 'src/app/app-hsmeta.json').config.distribution, 'marketplace')
  for (const path of ACTION_FILES) {
    const file = readJson(directory, path)
    checkWorkflowAction(t, path, file, true)
    t.notOk('executionRules' in file.config)
    t.notOk('objectRequestOptions' in file.config)
  }
  assertNoSecrets(t, directory, out)
  t.equal((await cli(['--format', 'hsmeta', '--out', join(t.testdir({}), 'p'), '--distribution', 'private'])).code, 0)
})

t.test('refuses a non-empty folder unless --force', async t => {
  const directory = t.testdir({ 'notes.txt': 'keep me', 'hsproject.json': '{"name":"theirs"}' })
  const refused = await cli(['--format', 'hsmeta', '--out', directory])
  t.equal(refused.code, 2)
  t.equal(refused.out, '')
  t.match(refused.errors, /^error: .* is not empty: .*--force.*\n$/)
  t.equal(refused.errors.split('\n').length, 2, 'one line')
  t.same(walk(directory), ['hsproject.json', 'notes.txt'], 'nothing written')
  t.equal(readFileSync(join(directory, 'hsproject.json'), 'utf8'), '{"name":"theirs"}')

  const forced = await cli(['--format', 'hsmeta', '--out', directory, '--force'])
  t.equal(forced.code, 0)
  t.same(walk(directory), [...PROJECT_FILES, 'notes.txt'].sort())
  t.equal(readFileSync(join(directory, 'notes.txt'), 'utf8'), 'keep me', 'other files are left alone')
  t.equal(readJson(directory, 'hsproject.json').platformVersion, '2026.09', 'project files are overwritten')

  const empty = t.testdir({})
  t.equal((await cli(['--format', 'hsmeta', '--out', empty])).code, 0, 'an existing empty folder is fine')

  const file = join(t.testdir({}), 'a-file')
  writeFileSync(file, 'x')
  const notFolder = await cli(['--format', 'hsmeta', '--out', file, '--force'])
  t.equal(notFolder.code, 2)
  t.match(notFolder.errors, /is not a folder/)
})

t.test('a bad PUBLIC_URL writes nothing', async t => {
  const directory = join(t.testdir({}), 'project')
  const { code, errors } = await cli(['--format', 'hsmeta', '--out', directory], { PUBLIC_URL: 'not a url' })
  t.equal(code, 2)
  t.match(errors, /PUBLIC_URL is not a URL/)
  t.throws(() => statSync(directory))
})
