import t from 'tap'
import {
  buildActionDefinitions,
  EXECUTION_ERROR_CODES,
  FALLBACK_RULE_NAME,
  OUTPUT_FIELDS,
  type ActionDefinition
} from '../../src/actions/definitions/build-definitions.ts'
import { ACTION_KEYS, BUILTIN_ACTIONS, type ActionKey } from '../../src/actions/builtin-actions.ts'
import { ERROR_CATALOGUE } from '../../plugins/errors.ts'
import { VALID_FIELD_TYPES } from '../helpers/hubspot-field-rules.ts'

const LOCALES = ['en', 'de', 'fr', 'ja', 'es', 'pt-br', 'nl']
/** Strings that are the same in every language. Everything else must be translated. */
const PROPER_NOUNS = new Set(['JSON'])
const PUBLIC_URL = 'https://llm.agency.example'
const PROVIDERS = [{ id: 'openai', label: 'OpenAI' }, { id: 'anthropic', label: 'Anthropic' }]

// The contract's fields, plus `jsonSchema` (ours, documented in README): the optional schema for the json format.
// `processing` last: it decides when the answer comes, after everything that decides what it is.
const CONTRACT_INPUTS: Record<ActionKey, string[]> = {
  'custom-llm': ['provider', 'model', 'fallbackProvider', 'fallbackModel', 'prompt', 'input1', 'input2', 'input3', 'temperature', 'reasoningEffort', 'maxOutputTokens', 'outputFormat', 'choices', 'jsonSchema', 'processing'],
  'openai-assistant': ['assistant', 'prompt', 'input1', 'input2', 'input3', 'model', 'temperature', 'outputFormat', 'choices', 'jsonSchema', 'processing']
}
const CONTRACT_OUTPUTS = ['response', 'responseNumber', 'responseBoolean', 'responseChoice', 'responseJson', 'provider', 'model', 'inputTokens', 'outputTokens', 'costUsd', 'errorCode', 'errorMessage']
const CONTRACT_ERROR_CODES = ['PROVIDER_NOT_CONNECTED', 'PROVIDER_UNKNOWN', 'MODEL_NOT_ALLOWED', 'PROVIDER_AUTH', 'PROVIDER_QUOTA', 'PROVIDER_REJECTED', 'PROVIDER_TIMEOUT', 'OUTPUT_FORMAT', 'TEMPLATE_UNRESOLVED', 'ASSISTANT_NOT_FOUND', 'INVALID_INPUT', 'KEY_UNREADABLE', 'BUDGET_EXCEEDED']

const entries = buildActionDefinitions({ publicUrl: `${PUBLIC_URL}/`, providers: PROVIDERS })
const definitionOf = (key: ActionKey): ActionDefinition => {
  const entry = entries.find(candidate => candidate.key === key)
  if (entry === undefined) throw new Error(`no ${key}`)
  return entry.definition
}

function placeholders (text: string): string[] {
  return [...text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map(match => match[1] ?? '').sort()
}

/** Every string leaf with its path, for comparing languages. */
function leaves (value: unknown, path = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]]
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, child]) => leaves(child, `${path}.${key}`))
  return []
}

t.test('both actions, urls built from PUBLIC_URL', async t => {
  t.same(entries.map(entry => entry.key), ['custom-llm', 'openai-assistant'])
  t.same(entries.map(entry => entry.key), ACTION_KEYS, 'one definition per built-in action, in its order')
  for (const { key, definition } of entries) {
    t.equal(definition.actionUrl, `${PUBLIC_URL}/hubspot/actions/${key}`, 'trailing slash of PUBLIC_URL dropped')
    t.equal(definition.published, true)
    t.same(definition.functions, [])
    t.same(definition.objectTypes, ['CONTACT', 'COMPANY', 'DEAL', 'TICKET'])
    t.ok(definition.objectRequestOptions.properties.length > 0)
    for (const property of definition.objectRequestOptions.properties) t.match(property, /^[a-z][a-z0-9_]*$/)
  }
  const optionsUrls = (key: ActionKey) => Object.fromEntries(definitionOf(key).inputFields
    .filter(field => field.typeDefinition.optionsUrl !== undefined)
    .map(field => [field.typeDefinition.name, field.typeDefinition.optionsUrl]))
  t.same(optionsUrls('custom-llm'), {
    provider: `${PUBLIC_URL}/hubspot/actions/custom-llm/options`,
    model: `${PUBLIC_URL}/hubspot/actions/custom-llm/options`,
    fallbackProvider: `${PUBLIC_URL}/hubspot/actions/custom-llm/options`,
    fallbackModel: `${PUBLIC_URL}/hubspot/actions/custom-llm/options`
  })
  t.same(optionsUrls('openai-assistant'), {
    assistant: `${PUBLIC_URL}/hubspot/actions/openai-assistant/options`,
    model: `${PUBLIC_URL}/hubspot/actions/openai-assistant/options`
  })

  const custom = buildActionDefinitions({ publicUrl: 'https://x.example/prefix', providers: [], objectTypes: ['CONTACT'] })
  t.equal(custom[0]?.definition.actionUrl, 'https://x.example/prefix/hubspot/actions/custom-llm', 'a path prefix is kept')
  t.same(custom[0]?.definition.objectTypes, ['CONTACT'])
})

t.test('input fields are the contract\'s, with valid types, options and value types', async t => {
  for (const { key, definition } of entries) {
    t.same(definition.inputFields.map(field => field.typeDefinition.name), CONTRACT_INPUTS[key], `${key} fields in order`)
    for (const field of definition.inputFields) {
      const { name, type, fieldType, options, optionsUrl } = field.typeDefinition
      t.ok(VALID_FIELD_TYPES[type]?.includes(fieldType), `${key}.${name}: ${type}/${fieldType} is a valid pair`)
      t.ok(Array.isArray(options), `${key}.${name}: options is an array`)
      if (type === 'enumeration') {
        t.ok(optionsUrl !== undefined || options.length > 0, `${key}.${name}: an enumeration has options or an optionsUrl`)
        t.equal(new Set(options.map(option => option.value)).size, options.length, `${key}.${name}: option values unique`)
        options.forEach((option, index) => {
          t.same(Object.keys(option).sort(), ['displayOrder', 'label', 'value'])
          t.ok(typeof option.label === 'string' && option.label !== '' && typeof option.value === 'string' && option.value !== '')
          t.equal(option.displayOrder, index)
        })
      } else {
        t.same(options, [], `${key}.${name}: no options on a ${type}`)
        t.equal(optionsUrl, undefined)
      }
      t.ok(field.supportedValueTypes.includes('STATIC_VALUE'), `${key}.${name} takes a static value`)
      t.ok(field.supportedValueTypes.every(valueType => valueType === 'STATIC_VALUE' || valueType === 'OBJECT_PROPERTY'))
    }
    const byName = Object.fromEntries(definition.inputFields.map(field => [field.typeDefinition.name, field]))
    for (const name of ['prompt', 'input1', 'input2', 'input3']) {
      t.ok(byName[name]?.supportedValueTypes.includes('OBJECT_PROPERTY'), `${key}.${name} takes a record property`)
    }
    t.equal(byName.prompt?.typeDefinition.fieldType, 'textarea')
    for (const name of ['input1', 'input2', 'input3', 'choices']) t.equal(byName[name]?.typeDefinition.fieldType, 'text')
    t.same(byName.outputFormat?.typeDefinition.options.map(option => option.value), ['text', 'number', 'boolean', 'choice', 'json'])
    t.same(byName.processing, {
      typeDefinition: {
        name: 'processing',
        type: 'enumeration',
        fieldType: 'select',
        options: [
          { label: 'Standard (answer now)', value: 'standard', displayOrder: 0 },
          { label: 'Economy (batch, about half price, within 24 hours)', value: 'economy', displayOrder: 1 }
        ]
      },
      supportedValueTypes: ['STATIC_VALUE'],
      isRequired: false
    }, `${key}.processing: an optional static select, standard first`)
  }
  const custom = definitionOf('custom-llm').inputFields
  t.same(custom.filter(field => field.isRequired).map(field => field.typeDefinition.name), ['provider', 'model', 'prompt'])
  t.same(custom.find(field => field.typeDefinition.name === 'reasoningEffort')?.typeDefinition.options.map(option => option.value), ['low', 'medium', 'high'])
  t.same(custom.find(field => field.typeDefinition.name === 'provider')?.typeDefinition.options, [], 'providers come from the options route only')
  for (const name of ['fallbackProvider', 'fallbackModel']) {
    t.match(custom.find(field => field.typeDefinition.name === name), {
      typeDefinition: { name, type: 'enumeration', fieldType: 'select', options: [], optionsUrl: `${PUBLIC_URL}/hubspot/actions/custom-llm/options` },
      supportedValueTypes: ['STATIC_VALUE'],
      isRequired: false
    }, `${name}: an optional dynamic select`)
  }
  t.same(definitionOf('openai-assistant').inputFields.filter(field => field.isRequired).map(field => field.typeDefinition.name), ['assistant', 'prompt'])
})

t.test('dependencies reference existing fields and values', async t => {
  for (const { key, definition } of entries) {
    const fields = new Map(definition.inputFields.map(field => [field.typeDefinition.name, field]))
    for (const dependency of definition.inputFieldDependencies) {
      t.ok(fields.has(dependency.controllingFieldName), `${key}: ${dependency.controllingFieldName} exists`)
      for (const name of dependency.dependentFieldNames) t.ok(fields.has(name), `${key}: ${name} exists`)
      t.notOk(dependency.dependentFieldNames.includes(dependency.controllingFieldName), 'a field does not depend on itself')
      if (dependency.dependencyType === 'CONDITIONAL_SINGLE_FIELD') {
        const values = fields.get(dependency.controllingFieldName)?.typeDefinition.options.map(option => option.value)
        t.ok(values?.includes(dependency.controllingFieldValue), `${key}: ${dependency.controllingFieldValue} is an option of ${dependency.controllingFieldName}`)
      }
    }
    t.same(definition.inputFieldDependencies.find(dependency => dependency.dependencyType === 'CONDITIONAL_SINGLE_FIELD'),
      { dependencyType: 'CONDITIONAL_SINGLE_FIELD', controllingFieldName: 'outputFormat', controllingFieldValue: 'choice', dependentFieldNames: ['choices'] })
  }
  t.same(definitionOf('custom-llm').inputFieldDependencies.filter(dependency => dependency.dependencyType === 'SINGLE_FIELD'), [
    { dependencyType: 'SINGLE_FIELD', controllingFieldName: 'provider', dependentFieldNames: ['model'] },
    // Without it HubSpot would not send the fallback provider to the fallbackModel options fetch.
    { dependencyType: 'SINGLE_FIELD', controllingFieldName: 'fallbackProvider', dependentFieldNames: ['fallbackModel'] }
  ])
  t.same(definitionOf('openai-assistant').inputFieldDependencies.filter(dependency => dependency.dependencyType === 'SINGLE_FIELD'), [])
})

t.test('output fields are the contract\'s, with valid types', async t => {
  t.same([...OUTPUT_FIELDS], CONTRACT_OUTPUTS)
  for (const { key, definition } of entries) {
    t.same(definition.outputFields.map(field => field.typeDefinition.name), CONTRACT_OUTPUTS)
    for (const { typeDefinition } of definition.outputFields) {
      t.ok(VALID_FIELD_TYPES[typeDefinition.type]?.includes(typeDefinition.fieldType), `${key} output ${typeDefinition.name}: ${typeDefinition.type}/${typeDefinition.fieldType}`)
      t.same(typeDefinition.options, [])
    }
    const types = Object.fromEntries(definition.outputFields.map(({ typeDefinition }) => [typeDefinition.name, `${typeDefinition.type}/${typeDefinition.fieldType}`]))
    t.match(types, {
      response: 'string/textarea',
      responseNumber: 'number/number',
      responseBoolean: 'bool/booleancheckbox',
      responseChoice: 'string/text',
      responseJson: 'string/textarea',
      inputTokens: 'number/number',
      outputTokens: 'number/number',
      costUsd: 'number/number',
      errorCode: 'string/text'
    })
  }
})

t.test('output fields carry typed schemas (2026-03), consistent with their CRM types', async t => {
  const SCHEMA_TYPES = ['INTEGER', 'LONG', 'DOUBLE', 'STRING', 'BOOLEAN', 'ARRAY', 'OBJECT']
  /** Which CRM-style type may carry which typed schema. */
  const SCHEMA_FOR_TYPE: Record<string, string[]> = { string: ['STRING'], number: ['INTEGER', 'LONG', 'DOUBLE'], bool: ['BOOLEAN'], json: ['OBJECT', 'ARRAY'] }
  for (const { key, definition } of entries) {
    const schemas = Object.fromEntries(definition.outputFields.map(({ typeDefinition }) => [typeDefinition.name, typeDefinition.schema]))
    t.same(schemas, {
      response: { type: 'STRING' },
      responseNumber: { type: 'DOUBLE' },
      responseBoolean: { type: 'BOOLEAN' },
      responseChoice: { type: 'STRING' },
      responseJson: { type: 'STRING' },
      provider: { type: 'STRING' },
      model: { type: 'STRING' },
      inputTokens: { type: 'INTEGER', minimum: 0 },
      outputTokens: { type: 'INTEGER', minimum: 0 },
      costUsd: { type: 'DOUBLE', minimum: 0 },
      errorCode: { type: 'STRING' },
      errorMessage: { type: 'STRING' }
    }, key)
    for (const { typeDefinition } of definition.outputFields) {
      t.ok(SCHEMA_TYPES.includes(typeDefinition.schema.type), `${key}.${typeDefinition.name}: a known schema type`)
      t.ok(SCHEMA_FOR_TYPE[typeDefinition.type]?.includes(typeDefinition.schema.type), `${key}.${typeDefinition.name}: ${typeDefinition.type} carries ${typeDefinition.schema.type}`)
    }
    for (const { typeDefinition } of definition.inputFields) t.notOk('schema' in typeDefinition, `${key}.${typeDefinition.name}: inputs take no output schema`)
  }
})

t.test('an execution rule for every error code, then a catch-all', async t => {
  t.same([...EXECUTION_ERROR_CODES], CONTRACT_ERROR_CODES)
  for (const { key, definition } of entries) {
    const rules = definition.executionRules
    t.equal(new Set(rules.map(rule => rule.labelName)).size, rules.length, `${key}: label names unique`)
    for (const code of CONTRACT_ERROR_CODES) {
      const index = rules.findIndex(rule => rule.conditions.errorCode === code)
      t.ok(index >= 0 && index < rules.length - 1, `${key}: ${code} has its own rule before the catch-all`)
    }
    const last = rules.at(-1)
    t.equal(last?.labelName, FALLBACK_RULE_NAME)
    t.same(last?.conditions, { errorCode: Object.keys(ERROR_CATALOGUE) }, 'the catch-all lists every catalogue code')
    for (const rule of rules) t.same(Object.keys(rule.conditions), ['errorCode'], 'conditions only on errorCode')
  }
})

t.test('labels: all seven languages, every key, translated', async t => {
  for (const { key, definition } of entries) {
    t.same(Object.keys(definition.labels), LOCALES, `${key}: languages`)
    const inputNames = definition.inputFields.map(field => field.typeDefinition.name)
    const ruleNames = definition.executionRules.map(rule => rule.labelName)
    const staticOptions = Object.fromEntries(definition.inputFields
      .filter(field => field.typeDefinition.options.length > 0)
      .map(field => [field.typeDefinition.name, field.typeDefinition.options.map(option => option.value)]))
    const english = definition.labels.en

    for (const locale of LOCALES) {
      const labels = definition.labels[locale as keyof typeof definition.labels]
      const where = `${key}/${locale}`
      for (const text of [labels.actionName, labels.actionDescription, labels.actionCardContent, labels.appDisplayName]) t.ok(text.trim().length > 0, `${where}: action texts set`)
      t.same(Object.keys(labels.inputFieldLabels), inputNames, `${where}: a label for every input`)
      t.same(Object.keys(labels.inputFieldDescriptions), inputNames, `${where}: a description for every input`)
      t.same(Object.keys(labels.outputFieldLabels), CONTRACT_OUTPUTS, `${where}: a label for every output`)
      t.same(Object.keys(labels.executionRules), ruleNames, `${where}: a message for every rule`)
      t.same(Object.fromEntries(Object.entries(labels.inputFieldOptionLabels).map(([name, options]) => [name, Object.keys(options)])), staticOptions, `${where}: a label for every static option`)
      const englishLeaves = new Map(leaves(english))
      const problems: string[] = []
      for (const [path, text] of leaves(labels)) {
        if (text.trim() === '') problems.push(`${path} is empty`)
        // Placeholders must survive translation.
        if (placeholders(text).join() !== placeholders(englishLeaves.get(path) ?? '').join()) problems.push(`${path} has other placeholders than English`)
        if (locale !== 'en' && text === englishLeaves.get(path) && !PROPER_NOUNS.has(text)) problems.push(`${path} is not translated: "${text}"`)
      }
      if (locale !== 'en') t.same(leaves(labels).map(([path]) => path), [...englishLeaves.keys()], `${where}: same keys as English`)
      for (const name of placeholders(labels.actionCardContent)) if (!inputNames.includes(name)) problems.push(`card shows unknown input ${name}`)
      for (const message of Object.values(labels.executionRules)) {
        for (const name of placeholders(message)) if (!CONTRACT_OUTPUTS.includes(name)) problems.push(`rule message uses unknown output ${name}`)
      }
      t.same(problems, [], `${where}: texts set, translated, placeholders intact`)
    }
  }
})

t.test('the provider description names the installed providers', async t => {
  t.match(definitionOf('custom-llm').labels.en.inputFieldDescriptions.provider, /OpenAI, Anthropic\.$/)
  t.match(definitionOf('custom-llm').labels.de.inputFieldDescriptions.provider, /OpenAI, Anthropic\.$/)
  const none = buildActionDefinitions({ publicUrl: PUBLIC_URL, providers: [] })
  t.notMatch(none[0]?.definition.labels.en.inputFieldDescriptions.provider, /supports/)
})

t.test('the fallback fields and KEY_UNREADABLE are worded in every language', async t => {
  const custom = definitionOf('custom-llm')
  t.equal(custom.labels.en.inputFieldLabels.fallbackProvider, 'Fallback AI provider')
  t.equal(custom.labels.en.inputFieldLabels.fallbackModel, 'Fallback AI model')
  t.match(custom.labels.en.inputFieldDescriptions.fallbackProvider, /^Optional: /)
  t.notMatch(custom.labels.en.inputFieldDescriptions.fallbackProvider, /supports/, 'the installed providers are named under provider only')
  for (const locale of LOCALES) {
    const labels = custom.labels[locale as keyof typeof custom.labels]
    for (const name of ['fallbackProvider', 'fallbackModel']) {
      t.ok(labels.inputFieldLabels[name]?.trim(), `${locale}: ${name} label`)
      t.ok(labels.inputFieldDescriptions[name]?.trim(), `${locale}: ${name} description`)
      t.not(labels.inputFieldLabels[name], labels.inputFieldLabels[name.replace('fallback', '').toLowerCase()], `${locale}: ${name} is told apart from the primary field`)
    }
    for (const { definition } of entries) {
      const message = definition.labels[locale as keyof typeof definition.labels].executionRules.keyUnreadable
      t.ok(message?.trim(), `${locale}: a KEY_UNREADABLE message`)
    }
  }
  for (const { definition } of entries) {
    t.same(definition.executionRules.find(rule => rule.labelName === 'keyUnreadable'), { labelName: 'keyUnreadable', conditions: { errorCode: 'KEY_UNREADABLE' } })
  }
})

t.test('the assistant action labels model and temperature as overrides', async t => {
  const labels = definitionOf('openai-assistant').labels.en
  t.equal(labels.inputFieldLabels.model, 'Model override')
  t.equal(labels.inputFieldLabels.temperature, 'Temperature override')
  t.equal(definitionOf('custom-llm').labels.en.inputFieldLabels.model, 'AI model')
})

t.test('pure and deterministic', async t => {
  t.same(buildActionDefinitions({ publicUrl: `${PUBLIC_URL}/`, providers: PROVIDERS }), entries)
  t.equal(JSON.stringify(buildActionDefinitions({ publicUrl: PUBLIC_URL, providers: PROVIDERS })), JSON.stringify(entries))
})

t.test('processing is worded in every language: label, description and both options', async t => {
  for (const { key, definition } of entries) {
    for (const locale of LOCALES) {
      const labels = definition.labels[locale as keyof typeof definition.labels]
      const where = `${key}/${locale}`
      t.ok(labels.inputFieldLabels.processing?.trim(), `${where}: a label`)
      // Every language states the promise the option makes: an answer within 24 hours.
      t.match(labels.inputFieldDescriptions.processing, /24/, `${where}: the description says when economy answers`)
      t.match(labels.inputFieldDescriptions.processing, /OAuth/, `${where}: and when it runs as standard`)
      t.same(Object.keys(labels.inputFieldOptionLabels.processing ?? {}), ['standard', 'economy'], `${where}: both options`)
      t.match(labels.inputFieldOptionLabels.processing?.economy, /24/, `${where}: the economy option says within 24 hours`)
    }
  }
  t.equal(definitionOf('custom-llm').labels.en.inputFieldLabels.processing, 'Processing')
})

t.test('each action\'s own words come from its module, in every language', async t => {
  for (const action of BUILTIN_ACTIONS) {
    const definition = definitionOf(action.key)
    t.same(Object.keys(action.words), LOCALES, `${action.key}: words in every language`)
    for (const locale of LOCALES) {
      const words = action.words[locale as keyof typeof action.words]
      const labels = definition.labels[locale as keyof typeof definition.labels]
      t.same([labels.actionName, labels.actionDescription, labels.actionCardContent], [words.actionName, words.actionDescription, words.actionCardContent], `${action.key}/${locale}`)
      for (const [name, own] of Object.entries(words.inputFields ?? {})) {
        t.same([labels.inputFieldLabels[name], labels.inputFieldDescriptions[name]], [own.label, own.description], `${action.key}/${locale}: its own wording of ${name}`)
      }
    }
    t.ok(action.agentDescription.length > 200, `${action.key}: an agent description`)
  }
})
