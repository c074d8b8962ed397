import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '../../../plugins/errors.ts'

/**
 * Caps executions running at once across the instance (MAX_IN_FLIGHT). Beyond it HubSpot gets 429 with
 * Retry-After and tries again later, instead of this process queueing work it cannot finish in time.
 */
export function limitInFlight (scope: FastifyInstance, maximum: number): void {
  let running = 0
  const counted = new WeakSet<FastifyRequest>()
  const release = async (request: FastifyRequest) => {
    if (counted.delete(request)) running--
  }
  scope.addHook('preHandler', async request => {
    if (running >= maximum) throw new AppError('RATE_LIMITED', `This instance is running ${maximum} executions already; try again shortly.`, { retryAfterSeconds: 5 })
    running++
    counted.add(request)
  })
  scope.addHook('onResponse', release)
  scope.addHook('onRequestAbort', release)
}
