/**
 * The part of autocannon 8's programmatic API the benchmark uses. autocannon ships no types, and @types/autocannon
 * is not a dependency (the benchmark may not change package.json beyond its script), so they are declared here.
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  export interface AutocannonRequest {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string | Buffer
  }

  export interface RequestSpec extends AutocannonRequest {
    /** Called before each request is sent; returns the request to send. */
    setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest
    /** Called with each response's status and whole body. */
    onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) => void
  }

  export interface Options {
    url: string
    connections?: number
    /** Seconds; ignored when `amount` is set. */
    duration?: number
    /** Stop after this many requests. */
    amount?: number
    /** Seconds before a request counts as timed out. */
    timeout?: number
    pipelining?: number
    method?: string
    headers?: Record<string, string>
    body?: string | Buffer
    requests?: RequestSpec[]
  }

  export interface Result {
    /** Seconds the run lasted. */
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    resets: number
    totalCompletedRequests: number
    statusCodeStats: Record<string, { count: number }>
  }

  export interface Instance extends EventEmitter, PromiseLike<Result> {
    stop (): void
    on (event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): this
    on (event: 'reqError', listener: (error: Error) => void): this
    on (event: string, listener: (...args: any[]) => void): this
  }

  function autocannon (options: Options): Instance
  export default autocannon
}
