import { Type, type Static } from '@sinclair/typebox'
import { ListOfSchema } from './list-of.ts'
import { ModelSchema } from './providers.ts'

export const ConnectionStatusSchema = Type.Union([Type.Literal('connected'), Type.Literal('invalid'), Type.Literal('key_unreadable')])
export type ConnectionStatus = Static<typeof ConnectionStatusSchema>

/** Never the key: only its last four characters, so an operator can tell keys apart. */
export const ConnectionSchema = Type.Object({
  provider: Type.String(),
  keyHint: Type.String(),
  status: ConnectionStatusSchema,
  connectedAt: Type.String(),
  lastValidatedAt: Type.String(),
  allowedModels: Type.Union([Type.Array(Type.String()), Type.Null()]),
  baseUrl: Type.Optional(Type.String())
}, { examples: [{ provider: 'openai', keyHint: 'x9Qa', status: 'connected', connectedAt: '2026-11-02T09:30:00.000Z', lastValidatedAt: '2026-11-02T09:30:00.000Z', allowedModels: null }] })
export type Connection = Static<typeof ConnectionSchema>

export const ConnectionListSchema = ListOfSchema(ConnectionSchema)
export type ConnectionList = Static<typeof ConnectionListSchema>

export const ConnectionModelsSchema = Type.Composite([ListOfSchema(ModelSchema), Type.Object({ source: Type.String({ description: 'live, stale or curated' }) })])
export type ConnectionModels = Static<typeof ConnectionModelsSchema>

export const ConnectBodySchema = Type.Object({
  apiKey: Type.String({ minLength: 1, maxLength: 4096, description: 'The provider API key; validated with the provider before it is stored.' }),
  baseUrl: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 }))
}, { additionalProperties: false, examples: [{ apiKey: 'sk-proj-…' }] })
export type ConnectBody = Static<typeof ConnectBodySchema>

export const AllowedModelsBodySchema = Type.Object({
  models: Type.Union([Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 500 }), Type.Null()])
}, { additionalProperties: false, examples: [{ models: ['gpt-4o-mini', 'gpt-4.1'] }, { models: null }] })
export type AllowedModelsBody = Static<typeof AllowedModelsBodySchema>
