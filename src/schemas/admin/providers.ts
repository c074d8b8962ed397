import { Type, type Static } from '@sinclair/typebox'
import { ListOfSchema } from './list-of.ts'

export const CapabilitiesSchema = Type.Object({
  temperature: Type.Boolean(),
  temperatureRange: Type.Optional(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 })),
  temperatureExcludesReasoning: Type.Optional(Type.Boolean()),
  reasoningEfforts: Type.Array(Type.String()),
  structuredOutput: Type.Boolean(),
  maxOutputTokens: Type.Optional(Type.Integer()),
  defaultMaxOutputTokens: Type.Optional(Type.Integer())
})
export type Capabilities = Static<typeof CapabilitiesSchema>

export const ModelSchema = Type.Object({
  id: Type.String(),
  label: Type.String(),
  capabilities: CapabilitiesSchema,
  deprecatedAfter: Type.Optional(Type.String())
})
export type Model = Static<typeof ModelSchema>

export const ProviderSchema = Type.Object({
  id: Type.String(),
  label: Type.String(),
  hosts: Type.Array(Type.String()),
  requiresBaseUrl: Type.Boolean(),
  models: Type.Array(ModelSchema)
}, {
  examples: [{
    id: 'openai',
    label: 'OpenAI',
    hosts: ['api.openai.com'],
    requiresBaseUrl: false,
    models: [{ id: 'gpt-4o-mini', label: 'GPT-4o mini', capabilities: { temperature: true, reasoningEfforts: [], structuredOutput: true } }]
  }]
})
export type Provider = Static<typeof ProviderSchema>

export const ProviderListSchema = ListOfSchema(ProviderSchema)
export type ProviderList = Static<typeof ProviderListSchema>
