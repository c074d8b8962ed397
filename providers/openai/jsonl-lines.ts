/**
 * The lines of a UTF-8 byte stream, each yielded as soon as its newline arrives, so a file of 50,000 answers is
 * never held as one string. Blank lines are skipped; a character split across two chunks is decoded whole.
 * Leaving the loop early cancels the stream, which closes the connection.
 */
export async function * jsonlLines (stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = stream.getReader()
  try {
    yield * linesOf(reader)
  } finally {
    // Cancelling a stream that has ended does nothing; one still open is closed.
    await reader.cancel().catch(() => undefined)
  }
}

async function * linesOf (reader: ReadableStreamDefaultReader<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8')
  let pending = ''
  for (let read = await reader.read(); read.done !== true; read = await reader.read()) {
    pending += decoder.decode(read.value, { stream: true })
    let start = 0
    for (let newline = pending.indexOf('\n'); newline !== -1; newline = pending.indexOf('\n', start)) {
      const line = pending.slice(start, newline).trim()
      start = newline + 1
      if (line !== '') yield line
    }
    pending = pending.slice(start)
  }
  const last = (pending + decoder.decode()).trim()
  if (last !== '') yield last
}
