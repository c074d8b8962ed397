import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A query a redirect target carries, to prove no error message ever quotes the URL it points at. */
export const REDIRECT_QUERY_SECRET = 'token=redirect-canary-3b9f'

export interface RedirectingServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  /** Paths of the requests it answered with a redirect. */
  readonly requests: string[]
  close (): Promise<void>
}

/**
 * A host the allowlist admits that answers every request with `status` pointing at the same path on `target`:
 * the shape of an open redirect on an allowed host, aimed at an internal service.
 */
export async function startRedirectingServer (target: string, status = 307): Promise<RedirectingServer> {
  const requests: string[] = []
  const server = createServer((incoming, outgoing) => {
    incoming.resume()
    incoming.on('end', () => {
      requests.push(incoming.url ?? '/')
      const path = new URL(incoming.url ?? '/', 'http://redirect').pathname
      outgoing.writeHead(status, { location: `${target}${path}?${REDIRECT_QUERY_SECRET}`, 'content-type': 'text/plain' })
      outgoing.end(`Moved to ${target}${path}?${REDIRECT_QUERY_SECRET}`)
    })
  })
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    async close () {
      server.closeAllConnections()
      await new Promise<void>(done => server.close(() => done()))
    }
  }
}
