import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { nextCompletionDue } from '../actions/records.ts'

/**
 * How late a pending HubSpot completion may be before /ready fails. The queue sends a due completion within
 * seconds and a failing one is rescheduled into the future, so one due this long ago means the queue has stopped
 * moving: an orchestrator should replace the instance rather than let BLOCKed workflows wait on it.
 */
export const STUCK_COMPLETION_MS = 15 * 60_000

const health: FastifyPluginAsyncTypebox = async fastify => {
  /** Liveness: the process answers. Touches nothing, so a slow database never gets a live process restarted. */
  fastify.get('/health', { schema: { summary: 'Liveness: the process answers', tags: ['operations'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({ status: 'ok' as const }))

  /**
   * Readiness, polled, so kept to a few indexed statements: not shutting down, migrations applied, the database
   * writable (a commit that changes nothing), and the oldest pending completion not stuck (min over a partial index).
   */
  fastify.get('/ready', {
    schema: { summary: 'Readiness: the database answers and every migration is applied', tags: ['operations'], response: { 200: Type.Object({ status: Type.Literal('ready') }), 503: Type.Object({ status: Type.Literal('unavailable'), reason: Type.String() }) } }
  }, async (_request, reply) => {
    const reason = await unreadyReason()
    return reason === undefined ? reply.send({ status: 'ready' as const }) : reply.code(503).send({ status: 'unavailable' as const, reason })
  })

  async function unreadyReason (): Promise<string | undefined> {
    if (fastify.engine.closing) return 'shutting down'
    const database = await fastify.database.unavailableReason()
    if (database !== undefined) return database
    const oldestDue = await nextCompletionDue(fastify.repositories)
    const late = oldestDue === undefined ? 0 : fastify.clock() - oldestDue
    if (late > STUCK_COMPLETION_MS) return `completion backlog stuck: a pending HubSpot completion is ${Math.round(late / 60_000)} minutes overdue`
    return undefined
  }
}

export default health
