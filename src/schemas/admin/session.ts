import { Type, type Static } from '@sinclair/typebox'

export const SignInBodySchema = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 4096, description: 'ADMIN_TOKEN' })
}, { additionalProperties: false, examples: [{ token: '<ADMIN_TOKEN>' }] })
export type SignInBody = Static<typeof SignInBodySchema>

export const SessionSchema = Type.Object({
  /** Send as `x-csrf-token` on every request that changes something. */
  csrfToken: Type.String(),
  expiresAt: Type.String(),
  /** Whether "Install to HubSpot" can work: HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET are set. */
  hubspotInstall: Type.Boolean(),
  /** How the audit trail names this session's changes. */
  actor: Type.String()
}, { examples: [{ csrfToken: 'Zk3…', expiresAt: '2026-12-02T01:00:00.000Z', hubspotInstall: true, actor: 'session:3f9a0c12b7de' }] })
export type Session = Static<typeof SessionSchema>

export const SessionsEndedSchema = Type.Object({
  /** Sessions that were live and are now ended, the caller's own included. */
  ended: Type.Integer({ minimum: 0 })
}, { examples: [{ ended: 3 }] })
export type SessionsEnded = Static<typeof SessionsEndedSchema>
