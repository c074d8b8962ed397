import { Agent, request, type Dispatcher } from 'undici'
import { answerTooLarge, MAX_ANSWER_BYTES } from './answer-limit.ts'
import { framedLength, readAtMost } from './body-limit.ts'
import { ProviderError } from './errors.ts'

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
 * but never more than `maxBodyBytes` of it (see answer-limit.ts), and `response.url` is empty. The answer declares
 * the length read, so the registry's own limit passes it without counting again. Failures keep fetch's shape: an
 * abort rejects with the signal's reason, a network failure with `TypeError('fetch failed', { cause })`; a body
 * past the limit rejects with the ProviderError, as a refused redirect does.
 */
export function createLeanFetch (options: { readonly dispatcher?: Dispatcher, readonly maxBodyBytes?: number } = {}): typeof globalThis.fetch {
  const dispatcher = options.dispatcher ?? new Agent({ headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 30_000 })
  const maxBodyBytes = options.maxBodyBytes ?? MAX_ANSWER_BYTES
  const tooLarge = () => answerTooLarge(maxBodyBytes)

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
      const headers = responseHeaders(answer.headers)
      const noBody = answer.statusCode === 204 || answer.statusCode === 304 || init.method === 'HEAD'
      const declared = framedLength(headers)
      if (!noBody && declared !== undefined && declared > maxBodyBytes) {
        // Destroyed unread, the body reports an abort nobody waits for.
        answer.body.on('error', () => undefined).destroy()
        throw tooLarge()
      }
      // A framed body is bounded by its length, and undici's own reader is the fastest; anything else is counted.
      const bytes = declared === undefined ? await readAtMost(answer.body, maxBodyBytes, tooLarge) : await answer.body.arrayBuffer()
      if (declared === undefined) headers.set('content-length', String(bytes.byteLength))
      return new Response(noBody ? null : bytes, { status: answer.statusCode, headers })
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason
      if (ProviderError.is(error)) throw error
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
