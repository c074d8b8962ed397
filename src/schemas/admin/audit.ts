import { Type, type Static } from '@sinclair/typebox'
import { ListOfSchema } from './list-of.ts'

/** Fields of the changed object as JSON (never a secret: a key shows as its hint); null when it did not exist. */
export const AuditStateSchema = Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])
export type AuditState = Static<typeof AuditStateSchema>

export const AuditEventSchema = Type.Object({
  id: Type.Integer(),
  /** 0 for the instance's own events (sign_in, sign_out), which belong to no portal. */
  portalId: Type.Integer(),
  provider: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  actor: Type.String(),
  at: Type.String(),
  /** The instance (`INSTANCE_ID`) that made the change; null for events written before instances were named. */
  instanceId: Type.Union([Type.String(), Type.Null()]),
  before: AuditStateSchema,
  after: AuditStateSchema,
  /** The one-line summary older events carry (and some still do); kept for compatibility. */
  detail: Type.Union([Type.String(), Type.Null()])
})
export type AuditEvent = Static<typeof AuditEventSchema>

export const AuditPageSchema = Type.Composite([ListOfSchema(AuditEventSchema), Type.Object({
  /** The `before` of the next page; absent on the last. */
  next: Type.Optional(Type.Integer())
})])
export type AuditPage = Static<typeof AuditPageSchema>
