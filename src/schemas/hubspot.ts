import { Type, type Static } from '@sinclair/typebox'

/** HubSpot's execution request (reference/hubspot.md §2). Unknown keys are kept: HubSpot adds fields over time. */
export const ExecutionBodySchema = Type.Object({
  callbackId: Type.String({ minLength: 1, maxLength: 500 }),
  origin: Type.Object({
    portalId: Type.Integer({ minimum: 1 }),
    actionDefinitionId: Type.Optional(Type.Integer()),
    actionDefinitionVersion: Type.Optional(Type.Integer())
  }),
  context: Type.Optional(Type.Object({ source: Type.Optional(Type.String()), workflowId: Type.Optional(Type.Integer()) })),
  object: Type.Optional(Type.Object({
    objectId: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
    objectType: Type.Optional(Type.String()),
    properties: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
  })),
  inputFields: Type.Record(Type.String(), Type.Unknown())
})

export type ExecutionBody = Static<typeof ExecutionBodySchema>

export const OutputFieldsResponseSchema = Type.Object({
  outputFields: Type.Record(Type.String(), Type.String())
})
