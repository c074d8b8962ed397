import { ProviderError } from './errors.ts'

/**
 * The fetch every provider is given: redirects are never followed. A connection's base URL is checked against
 * the allowed origins once, when it is saved; a redirect would carry the call, and the key in its headers, to an
 * origin nobody checked (an internal service, a metadata endpoint). Same-origin redirects are refused too: an API
 * answering one is misconfigured, and the base URL should name the address that answers.
 *
 * The 3xx answer is turned into a thrown PROVIDER_REJECTED here rather than handed to the SDK: SDKs disagree on
 * what a 3xx is (cohere-ai's fetcher counts anything below 400 as success, @google/genai throws a plain Error
 * quoting the body). Each SDK wraps what fetch throws as its connection error, with this one as the cause, and
 * `providerErrorFromNetwork` finds it there. The message names no URL: the target's query may hold anything.
 */
export function withoutRedirects (fetch: typeof globalThis.fetch): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await fetch(input, { ...init, redirect: 'manual' })
    // 304 answers a conditional request and points nowhere; no SDK here sends one, but it is not a redirect.
    if (response.status < 300 || response.status >= 400 || response.status === 304) return response
    await response.body?.cancel().catch(() => undefined)
    throw new ProviderError('PROVIDER_REJECTED', `The provider answered with a redirect (HTTP ${response.status}), which is never followed: the base URL must name the address that answers.`, { status: response.status })
  }
}
