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
  /** The values of the `:name` segments of the pattern route that answered it (empty for exact routes). */
  readonly params: Readonly<Record<string, string>>
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
  /**
   * Routes by `METHOD /path` (path without query); a route may be replaced at any time. A segment written `:name`
   * matches any one segment (`POST /callbacks/:callbackId/complete`), its value in `request.params`. Exact routes
   * win over such patterns, patterns are tried in the order they were first added, and one-off replies (`once`)
   * of any matching route come before every handler.
   */
  on (route: string, handler: StubHandler | StubReply): void
  /** Queues one-off replies for a route (exact or pattern), used before the route's handler (for "429 then 200"). */
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
  const patterns = new Map<string, RoutePattern>()
  const remember = (route: string): void => {
    const pattern = routePattern(route)
    if (pattern !== undefined && !patterns.has(route)) patterns.set(route, pattern)
  }
  for (const route of handlers.keys()) remember(route)

  /** The exact route first, then every pattern that matches, each with the params it captured. */
  const candidates = (route: string): Array<{ route: string, params: Record<string, string> }> => {
    const matches = [...patterns.entries()].flatMap(([key, pattern]) => {
      const params = pattern.match(route)
      return params === undefined ? [] : [{ route: key, params }]
    })
    return [{ route, params: {} }, ...matches]
  }
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
        const method = incoming.method ?? 'GET'
        const route = `${method} ${url.pathname}`
        // One-off replies first (the exact route's, then each matching pattern's), then the first route with a handler.
        const matching = candidates(route)
        const oneOff = matching.find(candidate => (queued.get(candidate.route)?.length ?? 0) > 0)
        const routed = oneOff ?? matching.find(candidate => handlers.has(candidate.route))
        const request: RecordedRequest = {
          method, url: incoming.url ?? '/', path: url.pathname, query: url.searchParams, headers: incoming.headers, text, json, params: routed?.params ?? {}
        }
        requests.push(request)
        const handler = routed === undefined ? undefined : handlers.get(routed.route)
        const reply = (oneOff === undefined ? undefined : queued.get(oneOff.route)?.shift()) ??
          await resolve(handler ?? { status: 404, body: { error: { message: `stub has no route ${route}` } } }, request)
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
    on (route, handler) { remember(route); handlers.set(route, handler) },
    once (route, ...replies) { remember(route); queued.set(route, [...(queued.get(route) ?? []), ...replies]) },
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

interface RoutePattern {
  /** The params of a `METHOD /path` this pattern matches, or undefined. */
  match (route: string): Record<string, string> | undefined
}

/** A matcher for a route with `:name` segments; undefined for an exact route. */
function routePattern (route: string): RoutePattern | undefined {
  const segments = route.split('/')
  if (!segments.some(segment => segment.startsWith(':'))) return undefined
  return {
    match (candidate) {
      const parts = candidate.split('/')
      if (parts.length !== segments.length) return undefined
      const params: Record<string, string> = {}
      for (const [index, segment] of segments.entries()) {
        const part = parts[index] ?? ''
        if (segment.startsWith(':') && part !== '') params[segment.slice(1)] = safeDecode(part)
        else if (segment !== part) return undefined
      }
      return params
    }
  }
}

/** A malformed escape stays as sent rather than failing the request inside the server. */
function safeDecode (part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    return part
  }
}
