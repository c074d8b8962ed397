import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { realTimer, type SetTimer } from './timers.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Milliseconds since the epoch; injected by tests that need time to move. */
    clock: () => number
    /** Runs something later on that clock's time: real timers, unless the injected clock brings its own. */
    setTimer: SetTimer
  }
}

export interface ClockOptions {
  /** Date.now when absent. */
  readonly clock?: () => number
  /** Real timers when absent. A test that moves `clock` by hand gives the timer that goes with it, so minutes pass at once. */
  readonly setTimer?: SetTimer
}

async function clock (fastify: FastifyInstance, options: ClockOptions): Promise<void> {
  fastify.decorate('clock', options.clock ?? Date.now)
  fastify.decorate('setTimer', options.setTimer ?? realTimer)
}

export default fp(clock, { name: 'clock', fastify: '5.x' })
