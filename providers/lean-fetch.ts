import { Agent, request, type Dispatcher } from 'undici'

/**
 * The `fetch` providers get by default: the WHATWG signature the SDKs expect, over undici's `request()` for the
 * common case, which is every SDK call here (a string or byte body, `redirect: 'manual'` from `withoutRedirects`).
 * Node's own fetch spends about 400 µs of CPU per call on loopback building Request clones, web streams and abort
 * plumbing; this spends about half that (see test/bench), which is most of what the service adds to a call.
 * Anything else (a Request object, a stream or form body, redirects to follow) goes to the platform's `fetch`.
 *
 * One agent keeps connections to each provider alive across calls. Its header and body timeouts are off: a call's
 * only deadline is its AbortSignal (PROVIDER_TIMEOUT_MS, up to an hour for long reasoning calls), where undici's
 * default would end any call after five minutes without headers.
 *
 * What differs from fetch, on purpose: the body is read whole before the promise resolves (no SDK here streams),
 * and `response.url` is empty. Failures keep fetch's shape: an abort rejects with the signal's reason, a network
 * failure with `TypeError('fetch failed', { cause })`.
 */
export function createLeanFetch (options: { readonly dispatcher?: Dispatcher } = {}): typeof globalThis.fetch {
  const dispatcher = options.dispatcher ?? new Agent({ headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 30_000 })

  return async function leanFetch (input, init = {}) {
    const body = init.body ?? undefined
    if (input instanceof Request || init.redirect !== 'manual' || !(body === undefined || typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer)) {
      return await globalThis.fetch(input, init)
    }
    const signal = init.signal ?? undefined
    signal?.throwIfAborted()
    try {
      const answer = await request(String(input), {
        dispatcher,
        method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: plainHeaders(init.headers),
        body: body instanceof ArrayBuffer ? new Uint8Array(body) : body,
        ...(signal === undefined ? {} : { signal })
      })
      const bytes = await answer.body.arrayBuffer()
      const noBody = answer.statusCode === 204 || answer.statusCode === 304 || init.method === 'HEAD'
      return new Response(noBody ? null : bytes, { status: answer.statusCode, headers: responseHeaders(answer.headers) })
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason
      throw new TypeError('fetch failed', { cause: error })
    }
  }
}

function plainHeaders (headers: RequestInit['headers']): Record<string, string> | undefined {
  if (headers === undefined) return undefined
  if (headers instanceof Headers || Array.isArray(headers)) return Object.fromEntries(headers as Iterable<[string, string]>)
  return headers as Record<string, string>
}

function responseHeaders (raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers()
  for (const name in raw) {
    const value = raw[name]
    if (value === undefined) continue
    if (typeof value === 'string') headers.append(name, value)
    else for (const each of value) headers.append(name, each)
  }
  return headers
}
