import { Type, type Static } from '@sinclair/typebox'
import type { ProviderModel } from '../../providers/contract.ts'

/** Every error body: `{statusCode, code, error, message}`, with a stable `code` from src/errors.ts. */
export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String()
})

export const PortalParamsSchema = Type.Object({
  portalId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'HubSpot account (portal) id' })
})

export const ProviderParamsSchema = Type.Object({
  portalId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  provider: Type.String({ pattern: '^[a-z][a-z0-9-]{0,39}$' })
})

export const CapabilitiesSchema = Type.Object({
  temperature: Type.Boolean(),
  temperatureRange: Type.Optional(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 })),
  temperatureExcludesReasoning: Type.Optional(Type.Boolean()),
  reasoningEfforts: Type.Array(Type.String()),
  structuredOutput: Type.Boolean(),
  maxOutputTokens: Type.Optional(Type.Integer()),
  defaultMaxOutputTokens: Type.Optional(Type.Integer())
})

export const ModelSchema = Type.Object({
  id: Type.String(),
  label: Type.String(),
  capabilities: CapabilitiesSchema,
  deprecatedAfter: Type.Optional(Type.String())
})

export type PortalParams = Static<typeof PortalParamsSchema>

/** A provider model as the API shows it (the contract's readonly arrays copied into plain JSON). */
export function modelJson (model: ProviderModel): Static<typeof ModelSchema> {
  const { temperatureRange, reasoningEfforts, ...capabilities } = model.capabilities
  return {
    id: model.id,
    label: model.label,
    capabilities: { ...capabilities, reasoningEfforts: [...reasoningEfforts], ...(temperatureRange === undefined ? {} : { temperatureRange: [...temperatureRange] }) },
    ...(model.deprecatedAfter === undefined ? {} : { deprecatedAfter: model.deprecatedAfter })
  }
}
