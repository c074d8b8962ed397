import type { APIError } from 'openai'
import { ProviderError, providerErrorFromHttp, providerErrorFromNetwork } from '../errors.ts'
import { loadOpenAISdk } from './openai-sdk.ts'

export interface OpenAIErrorRules {
  /** The vendor's name, for messages. */
  readonly vendor: string
  /** Vendors that answer a bad key with something other than 401/403 (xAI: 400 "Incorrect API key"). */
  readonly isAuthFailure?: (error: APIError) => boolean
}

/**
 * Maps what the `openai` SDK throws (for OpenAI itself, xAI and OpenAI-compatible servers) to ProviderErrors.
 * Auth messages are replaced by our own: vendors echo part of the key in them.
 */
export function mapOpenAIError (error: unknown, signal: AbortSignal, rules: OpenAIErrorRules): ProviderError {
  if (ProviderError.is(error)) return error
  // Only a loaded SDK can have thrown one of its errors; until it is, whatever arrives is a network failure.
  const sdk = loadOpenAISdk.loaded()
  if (sdk === undefined || error instanceof sdk.APIUserAbortError || error instanceof sdk.APIConnectionError) {
    return providerErrorFromNetwork(error, signal)
  }
  if (error instanceof sdk.APIError && typeof error.status === 'number') {
    const auth = rules.isAuthFailure?.(error) === true
    const quota = error.code === 'insufficient_quota' || error.type === 'insufficient_quota'
    const detail = vendorMessage(error)
    const status = error.status
    const message = auth || status === 401 || status === 403
      ? `${rules.vendor} rejected the API key (HTTP ${status}).`
      : `${rules.vendor} answered HTTP ${status}${detail === '' ? '' : `: ${detail}`}`
    return providerErrorFromHttp({
      status,
      message,
      vendorCode: error.code ?? error.type ?? undefined,
      param: error.param ?? undefined,
      headers: error.headers,
      cause: undefined
    }, { auth, quota })
  }
  return providerErrorFromNetwork(error, signal)
}

function vendorMessage (error: APIError): string {
  const body = error.error as unknown
  if (typeof body === 'string') return body
  if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message
  }
  return ''
}
