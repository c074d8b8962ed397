import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createGzip } from 'node:zlib'

/** What the security review saw one allowed server send. */
export const OVERSIZE_BYTES = 80 * 1024 * 1024

/**
 * How the body is framed: `chunked` declares no length, `declared` sends Content-Length up front, `gzip` declares
 * the small compressed length of a body that decodes to the full size.
 */
export type OversizeFraming = 'chunked' | 'declared' | 'gzip'

export interface OversizeBody {
  /** JSON before and after the filler (`{"filler":"` … `"}` by default); the filler is `a`s. */
  readonly prefix?: string
  readonly suffix?: string
  readonly framing?: OversizeFraming
  /** Called with each slice of the body as the socket accepts it. */
  readonly onSent: (bytes: number) => void
}

const SLICE = Buffer.alloc(64 * 1024, 'a')

/**
 * A JSON body of OVERSIZE_BYTES generated as it is sent, honouring backpressure, so neither side of the test holds
 * it: what was sent before the client hung up is what `onSent` counted. A gzip body is compressed beforehand
 * (about 80 kB, also made slice by slice) and sent whole: its decoded size is what the client must not hold.
 */
export async function sendOversizeBody (response: ServerResponse, body: OversizeBody): Promise<void> {
  const prefix = Buffer.from(body.prefix ?? '{"filler":"')
  const suffix = Buffer.from(body.suffix ?? '"}')
  const framing = body.framing ?? 'chunked'
  if (framing === 'gzip') {
    const compressed = await gzipped(prefix, suffix)
    response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(compressed.length) })
    body.onSent(compressed.length)
    response.end(compressed)
    return
  }
  response.writeHead(200, { 'content-type': 'application/json', ...(framing === 'declared' ? { 'content-length': String(OVERSIZE_BYTES) } : {}) })
  pump(response, prefix, suffix, body.onSent)
}

function pump (sink: NodeJS.WritableStream, prefix: Buffer, suffix: Buffer, onSent: (bytes: number) => void): void {
  let left = OVERSIZE_BYTES - prefix.length - suffix.length
  let closed = false
  sink.once('close', () => { closed = true })
  sink.on('error', () => { closed = true })
  const write = (chunk: Buffer): boolean => { onSent(chunk.length); return sink.write(chunk) }
  const next = (): void => {
    while (left > 0 && !closed) {
      const slice = left >= SLICE.length ? SLICE : SLICE.subarray(0, left)
      left -= slice.length
      if (!write(slice)) { sink.once('drain', next); return }
    }
    if (!closed) { write(suffix); sink.end() }
  }
  write(prefix)
  next()
}

const compressedBodies = new Map<string, Promise<Buffer>>()

function gzipped (prefix: Buffer, suffix: Buffer): Promise<Buffer> {
  const key = `${prefix.toString()}\0${suffix.toString()}`
  let body = compressedBodies.get(key)
  if (body === undefined) {
    const gzip = createGzip()
    const parts: Buffer[] = []
    gzip.on('data', (part: Buffer) => parts.push(part))
    body = new Promise<Buffer>((resolve, reject) => {
      gzip.on('end', () => resolve(Buffer.concat(parts)))
      gzip.on('error', reject)
    })
    pump(gzip, prefix, suffix, () => undefined)
    compressedBodies.set(key, body)
  }
  return body
}

export interface OversizeStub {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  /** Body bytes the sockets accepted (compressed bytes, for gzip), over every request. */
  sent: number
  requests: number
  framing: OversizeFraming
  close (): Promise<void>
}

/** A server answering every request with an oversize JSON body, whatever the wire protocol expects. */
export async function startOversizeStub (framing: OversizeFraming = 'chunked'): Promise<OversizeStub> {
  const open = new Set<ServerResponse>()
  const server = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      stub.requests++
      open.add(response)
      response.once('close', () => open.delete(response))
      void sendOversizeBody(response, { framing: stub.framing, onSent: bytes => { stub.sent += bytes } })
    })
  })
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done))
  const stub: OversizeStub = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent: 0,
    requests: 0,
    framing,
    async close () {
      for (const response of open) response.destroy()
      server.closeAllConnections()
      await new Promise<void>(done => server.close(() => done()))
    }
  }
  return stub
}
