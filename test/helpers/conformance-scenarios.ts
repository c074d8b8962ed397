import type { ConformanceFailure, ConformanceScenarios } from '../../providers/testing/index.ts'
import type { StubReply, StubServer } from './stub-server.ts'

/** The vendor's own replies for the failures the kit asks for; `hang` is the same for every vendor. */
export type StubFailures = Readonly<Record<Exclude<ConformanceFailure, 'hang'>, StubReply>>

/** A reply that never comes in time (the stub ends the wait when it closes). */
export const HANG_REPLY: StubReply = { delayMs: 10_000 }

/** Drives a loopback stub for the conformance kit: the next request to `route` gets the failure, once. */
export function stubScenarios (stub: Pick<StubServer, 'once'>, route: string, failures: StubFailures): ConformanceScenarios {
  return {
    failNext (failure) {
      stub.once(route, failure === 'hang' ? HANG_REPLY : failures[failure])
    }
  }
}
