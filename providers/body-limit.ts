/**
 * Reading an answer stops at a byte limit: the far end decides how much it sends, and an answer read whole is held
 * several times over (bytes, text, parsed JSON) by a process every portal shares. Past the limit the source is
 * cancelled, which closes the connection, and `tooLarge()` is thrown; a declared Content-Length above the limit is
 * refused before anything is read. A body read as a stream of lines, never held whole, is limited per line instead.
 */

/**
 * The body's length when the HTTP layer already bounds it: a Content-Length with no Content-Encoding, which the
 * client enforces by framing (a body longer than declared is a network error). A decoded body (gzip) may be any
 * size whatever its declared length, and a chunked one declares none: both are undefined, to be counted.
 */
export function framedLength (headers: Headers): number | undefined {
  const encoding = headers.get('content-encoding')
  if (encoding !== null && encoding.trim().toLowerCase() !== 'identity') return undefined
  const declared = headers.get('content-length')
  return declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined
}

/**
 * `response` with a body that errors with `tooLarge()` once more than `maxBytes` have arrived, counted as they
 * arrive, so a streamed body counts cumulatively. Throws at once when the declared length is larger. A framed body
 * within the limit is returned as it is: wrapping a body in a stream costs about half of a provider call's overhead.
 */
export function limitBody (response: Response, maxBytes: number, tooLarge: () => Error): Response {
  const source = response.body
  if (source === null) return response
  const declared = Number(response.headers.get('content-length') ?? 0)
  if (declared > maxBytes) {
    source.cancel().catch(() => undefined)
    throw tooLarge()
  }
  if (framedLength(response.headers) !== undefined) return response
  let received = 0
  const counted = source.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform (chunk, controller) {
      received += chunk.byteLength
      // Erroring the transform cancels the source: the rest is never read.
      if (received > maxBytes) controller.error(tooLarge())
      else controller.enqueue(chunk)
    }
  }))
  return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers })
}

const NEWLINE = 0x0a

/**
 * `response` with a body that errors with `tooLarge()` once one line (the bytes between two newlines) passes
 * `maxLineBytes`, counted as the bytes arrive: for a body read as a stream of lines (JSONL), where what is held at once
 * is one line, however long the whole. The total is not limited, nor is a declared length checked.
 */
export function limitLines (response: Response, maxLineBytes: number, tooLarge: () => Error): Response {
  const source = response.body
  if (source === null) return response
  let line = 0
  const counted = source.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform (chunk, controller) {
      let start = 0
      for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
        if (line + newline - start > maxLineBytes) return controller.error(tooLarge())
        line = 0
        start = newline + 1
      }
      line += chunk.byteLength - start
      // Erroring the transform cancels the source: the rest is never read.
      if (line > maxLineBytes) controller.error(tooLarge())
      else controller.enqueue(chunk)
    }
  }))
  return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers })
}

/**
 * The bytes of `chunks`, or `tooLarge()` thrown as soon as more than `maxBytes` have arrived. Leaving the loop early
 * ends the source (a Node stream is destroyed, a web stream cancelled).
 */
export async function readAtMost (chunks: AsyncIterable<Uint8Array>, maxBytes: number, tooLarge: () => Error): Promise<Uint8Array<ArrayBuffer>> {
  const parts: Uint8Array[] = []
  let received = 0
  for await (const chunk of chunks) {
    received += chunk.byteLength
    if (received > maxBytes) throw tooLarge()
    parts.push(chunk)
  }
  return Buffer.concat(parts, received)
}
