import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { AuditRow } from '../../../db/repositories/audit-repository.ts'
import { AppError } from '../../../plugins/errors.ts'
import { AuditPageSchema, type AuditEvent } from '../../schemas/admin/audit.ts'
import { ADMIN_ERRORS, errorResponses } from '../../schemas/error-responses.ts'
import { InstantSchema, parseInstant } from '../../schemas/instant.ts'
import { auditEvents } from '../../actions/records.ts'

const AuditQuerySchema = Type.Object({
  portalId: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  from: Type.Optional(InstantSchema),
  to: Type.Optional(Type.String({ ...InstantSchema, description: 'exclusive' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'default 100' })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'the `next` of the previous page' }))
}, { additionalProperties: false })

function auditJson (row: AuditRow): AuditEvent {
  return {
    id: row.id,
    portalId: row.portalId,
    provider: row.provider,
    action: row.action,
    actor: row.actor,
    instanceId: row.instanceId,
    at: new Date(row.at).toISOString(),
    before: row.before ?? null,
    after: row.after ?? null,
    detail: row.detail
  }
}

/** The audit trail (contract §4): every admin change, who made it, when, and the object before and after. */
const audit: FastifyPluginAsyncTypebox = async fastify => {
  fastify.get('/audit', {
    schema: {
      summary: 'The audit trail of admin changes, newest first',
      description: 'Who (`actor`), what (`action`), when (`at`), and the object `before` and `after`, never a secret. Page back with `before` = the previous page\'s `next`.',
      tags: ['admin'],
      querystring: AuditQuerySchema,
      response: { 200: AuditPageSchema, ...errorResponses('INVALID_INPUT', ...ADMIN_ERRORS) }
    }
  }, async request => {
    const { portalId, before } = request.query
    const fromMs = parseInstant(request.query.from, 'from')
    const toMs = parseInstant(request.query.to, 'to')
    if (fromMs !== undefined && toMs !== undefined && fromMs >= toMs) throw new AppError('INVALID_INPUT', '"from" must be before "to".')
    const limit = request.query.limit ?? 100
    const rows = await auditEvents(fastify.repositories, { portalId, fromMs, toMs, beforeId: before, limit })
    const last = rows.at(-1)
    return { items: rows.map(auditJson), ...(rows.length === limit && last !== undefined ? { next: last.id } : {}) }
  })
}

export default audit
