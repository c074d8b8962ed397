import { Type, type Static } from '@sinclair/typebox'

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

export type PortalParams = Static<typeof PortalParamsSchema>
