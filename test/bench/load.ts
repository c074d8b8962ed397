import autocannon, { type AutocannonRequest } from 'autocannon'
import type { RequestSource } from './signed-requests.ts'

/**
 * One load measurement with autocannon. Latencies are taken from autocannon's `response` event, in fractions of a
 * millisecond: its own histogram rounds to whole milliseconds, too coarse for sub-millisecond overheads, and has
 * no p95. Only answers that pass the target's check count; anything else fails the measurement loudly.
 */

export interface Target {
  readonly name: string
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  readonly requests: RequestSource
  /** Whether a 2xx body is the answer we asked for (a 200 can still carry a failed execution). */
  readonly accepts: (body: string) => boolean
}

export interface Latency {
  readonly p50: number
  readonly p95: number
  readonly p99: number
}

export interface Measurement extends Latency {
  readonly target: string
  readonly concurrency: number
  readonly seconds: number
  /** Answers that passed the check. */
  readonly ok: number
  readonly requestsPerSecond: number
}

export class LoadError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'LoadError'
  }
}

/** p50/p95/p99 of samples (milliseconds), nearest rank. */
export function percentiles (samples: Float64Array | readonly number[]): Latency {
  const sorted = Float64Array.from(samples).sort()
  const at = (quantile: number): number => sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)]!
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) }
}

/** A growable list of numbers that does not box each one. */
class Samples {
  private values = new Float64Array(1 << 16)
  length = 0

  push (value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2)
      grown.set(this.values)
      this.values = grown
    }
    this.values[this.length++] = value
  }

  view (): Float64Array {
    return this.values.subarray(0, this.length)
  }
}

export interface LoadOptions {
  readonly connections: number
  /** Seconds to run, or … */
  readonly seconds?: number
  /** … how many requests to send. */
  readonly amount?: number
}

/**
 * Runs the load and returns what it measured; throws LoadError when any request failed (connection error,
 * timeout, non-2xx, or a 2xx the target does not accept), naming the first failure seen.
 */
export async function measure (target: Target, options: LoadOptions): Promise<Measurement> {
  const samples = new Samples()
  let refused = 0
  let firstRefusal: string | undefined
  let firstError: string | undefined
  const source = target.requests

  const instance = autocannon({
    url: target.origin,
    connections: options.connections,
    ...(options.amount === undefined ? { duration: options.seconds ?? 10 } : { amount: options.amount }),
    timeout: 30,
    requests: [{
      setupRequest (request: AutocannonRequest): AutocannonRequest {
        const next = source.next()
        request.method = source.method
        request.path = source.path
        request.headers = next.headers
        request.body = next.body
        return request
      },
      onResponse (status: number, body: string) {
        if (status >= 200 && status < 300 && target.accepts(body)) return
        refused++
        firstRefusal ??= `${status} ${body.slice(0, 500)}`
      }
    }]
  })
  instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
    if (statusCode >= 200 && statusCode < 300) samples.push(responseTimeMs)
  })
  instance.on('reqError', error => { firstError ??= error.message })
  const result = await instance

  if (refused > 0 || result.errors > 0) {
    throw new LoadError(`${target.name} at c=${options.connections}: ${refused} answers refused (${result.non2xx} non-2xx, the rest a 2xx ` +
      `with the wrong body) and ${result.errors} errors (${result.timeouts} timeouts) out of ${result.totalCompletedRequests}; ` +
      `status codes ${JSON.stringify(result.statusCodeStats)}; first refused: ${firstRefusal ?? 'none'}; first error: ${firstError ?? 'none'}`)
  }
  const ok = samples.length
  if (ok === 0) throw new LoadError(`${target.name} at c=${options.connections}: no answers at all`)
  return {
    target: target.name,
    concurrency: options.connections,
    seconds: result.duration,
    ok,
    requestsPerSecond: ok / result.duration,
    ...percentiles(samples.view())
  }
}
