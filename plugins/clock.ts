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
  /**
   * Date.now when absent. A clock that carries a `setTimer` (a test's clock moved by hand) times the service's long
   * waits too, so minutes pass when the test moves it.
   */
  readonly clock?: (() => number) & { readonly setTimer?: SetTimer }
}

async function clock (fastify: FastifyInstance, options: ClockOptions): Promise<void> {
  fastify.decorate('clock', options.clock ?? Date.now)
  fastify.decorate('setTimer', options.clock?.setTimer ?? realTimer)
}

export default fp(clock, { name: 'clock', fastify: '5.x' })
