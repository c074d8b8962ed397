import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    /** Milliseconds since the epoch; injected by tests that need time to move. */
    clock: () => number
  }
}

async function clock (fastify: FastifyInstance, options: { clock?: () => number }): Promise<void> {
  fastify.decorate('clock', options.clock ?? Date.now)
}

export default fp(clock, { name: 'clock', fastify: '5.x' })
