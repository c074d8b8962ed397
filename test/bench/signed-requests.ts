import { signedHeaders } from '../helpers/hubspot-request.ts'
import { EXECUTE_PATH } from '../helpers/service-process.ts'

/**
 * Requests as HubSpot sends them, signed ahead of time so the load generator spends its time sending, not
 * computing HMACs. A v3 signature carries its timestamp and stays valid for five minutes, so a pool is signed just
 * before the round that uses it.
 */

export const OPTIONS_PATH = '/hubspot/actions/custom-llm/options'

export interface PreparedRequest {
  readonly headers: Record<string, string>
  readonly body: string
}

/** A source of requests for one target: the next one to send, every time it is asked. */
export interface RequestSource {
  readonly method: 'POST' | 'GET'
  readonly path: string
  /** Readies about this many requests for the next measurement. */
  prepare (expectedCount: number): void
  next (): PreparedRequest
  /** Requests that had to be made while the load ran since the last `prepare` (the generator's own work). */
  readonly signedDuringLoad: number
}

let callbackSequence = 0
const RUN = Date.now().toString(36)

/** A "Use a custom LLM" execution for portal 1 with a callbackId never sent before. */
export function executionRequest (portalId = 1): PreparedRequest {
  callbackSequence++
  const body = JSON.stringify({
    callbackId: `ap-${portalId}-bench-${RUN}-${callbackSequence}`,
    origin: { portalId },
    object: { objectId: callbackSequence, objectType: 'CONTACT', properties: { firstname: 'Ada' } },
    inputFields: { provider: 'openai', model: 'gpt-5.4', prompt: 'Write a welcome for {{firstname}}.' }
  })
  return { headers: signedHeaders('POST', EXECUTE_PATH, body), body }
}

/** The model dropdown of "Use a custom LLM" for the portal's OpenAI connection. */
export function modelOptionsRequest (portalId: number): PreparedRequest {
  const body = JSON.stringify({ origin: { portalId }, inputFieldName: 'model', inputFields: { provider: { type: 'STATIC_VALUE', value: 'openai' } } })
  return { headers: signedHeaders('POST', OPTIONS_PATH, body), body }
}

/**
 * Fresh executions, signed in batches. `prepare(count)` signs that many before a round; should the round outrun
 * them, the rest are signed as they are sent and counted in `signedDuringLoad`, so a pool that was too small shows
 * in the results instead of silently loading the generator.
 */
export class ExecutionPool implements RequestSource {
  readonly method = 'POST'
  readonly path = EXECUTE_PATH
  private pool: Array<PreparedRequest | undefined> = []
  private position = 0
  signedDuringLoad = 0

  constructor (private readonly portalId = 1) {}

  prepare (expectedCount: number): void {
    this.pool = Array.from({ length: expectedCount }, () => executionRequest(this.portalId))
    this.position = 0
    this.signedDuringLoad = 0
  }

  next (): PreparedRequest {
    const prepared = this.pool[this.position]
    if (prepared !== undefined) {
      // Release each request once sent: a callbackId is used once, and a large pool should not stay in memory.
      this.pool[this.position++] = undefined
      return prepared
    }
    this.signedDuringLoad++
    return executionRequest(this.portalId)
  }

  /** Requests prepared but not sent (discarded by the next `prepare`). */
  remaining (): number {
    return this.pool.length - this.position
  }
}

/** The same requests over and over (a provider call, a dropdown fetch): nothing in them must be fresh. */
export class RepeatingSource implements RequestSource {
  readonly signedDuringLoad = 0
  private position = 0

  constructor (readonly method: 'POST' | 'GET', readonly path: string, private readonly requests: readonly PreparedRequest[]) {
    if (requests.length === 0) throw new Error('a repeating source needs at least one request')
  }

  prepare (): void {}

  next (): PreparedRequest {
    const prepared = this.requests[this.position]!
    this.position = (this.position + 1) % this.requests.length
    return prepared
  }
}
