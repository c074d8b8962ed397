import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A request the stub received, as the vendor would see it. */
export interface RecordedRequest {
  readonly method: string
  /** Path and query, as sent. */
  readonly url: string
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly text: string
  /** The body parsed as JSON, or undefined. */
  readonly json: any
}

export interface StubReply {
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
  /** Sent as JSON unless a string. */
  readonly body?: unknown
  /** Wait this long before answering (for timeouts). The wait ends early when the stub closes. */
  readonly delayMs?: number
  /** Drop the connection without answering. */
  readonly destroy?: boolean
}

export type StubHandler = (request: RecordedRequest) => StubReply | Promise<StubReply>

export interface StubServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  readonly requests: RecordedRequest[]
  /** Routes by `METHOD /path` (path without query); a route may be replaced at any time. */
  on (route: string, handler: StubHandler | StubReply): void
  /** Queues one-off replies for a route, used before the route's handler (for "429 then 200"). */
  once (route: string, ...replies: StubReply[]): void
  close (): Promise<void>
}

/**
 * A loopback HTTP server that speaks whatever wire protocol a test gives it, recording every request. Vendor
 * SDKs are pointed at it through their base-URL option; nothing leaves 127.0.0.1.
 */
export async function startStubServer (routes: Record<string, StubHandler | StubReply> = {}): Promise<StubServer> {
  const handlers = new Map<string, StubHandler | StubReply>(Object.entries(routes))
  const queued = new Map<string, StubReply[]>()
  const requests: RecordedRequest[] = []
  const pending = new Set<() => void>()

  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const chunks: Buffer[] = []
    incoming.on('data', chunk => chunks.push(chunk as Buffer))
    incoming.on('end', () => {
      void (async () => {
        const text = Buffer.concat(chunks).toString('utf8')
        const url = new URL(incoming.url ?? '/', 'http://stub')
        let json: unknown
        try { json = text === '' ? undefined : JSON.parse(text) } catch { json = undefined }
        const request: RecordedRequest = {
          method: incoming.method ?? 'GET', url: incoming.url ?? '/', path: url.pathname, query: url.searchParams, headers: incoming.headers, text, json
        }
        requests.push(request)
        const route = `${request.method} ${request.path}`
        const reply = queued.get(route)?.shift() ?? await resolve(handlers.get(route) ?? { status: 404, body: { error: { message: `stub has no route ${route}` } } }, request)
        if (reply.delayMs !== undefined) {
          await new Promise<void>(done => {
            const timer = setTimeout(() => { pending.delete(finish); done() }, reply.delayMs)
            function finish (): void { clearTimeout(timer); done() }
            pending.add(finish)
          })
        }
        if (reply.destroy === true || outgoing.destroyed) { outgoing.destroy(); return }
        const body = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body)
        outgoing.writeHead(reply.status ?? 200, {
          ...(typeof reply.body === 'string' ? {} : { 'content-type': 'application/json' }),
          ...reply.headers
        })
        outgoing.end(body)
      })()
    })
  })
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo

  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    on (route, handler) { handlers.set(route, handler) },
    once (route, ...replies) { queued.set(route, [...(queued.get(route) ?? []), ...replies]) },
    async close () {
      for (const finish of pending) finish()
      server.closeAllConnections()
      await new Promise<void>(done => server.close(() => done()))
    }
  }
}

async function resolve (handler: StubHandler | StubReply, request: RecordedRequest): Promise<StubReply> {
  return typeof handler === 'function' ? await handler(request) : handler
}
