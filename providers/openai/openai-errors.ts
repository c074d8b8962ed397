import OpenAI from 'openai'
import { ProviderError, providerErrorFromHttp, providerErrorFromNetwork } from '../errors.ts'

export interface OpenAIErrorRules {
  /** The vendor's name, for messages. */
  readonly vendor: string
  /** Vendors that answer a bad key with something other than 401/403 (xAI: 400 "Incorrect API key"). */
  readonly isAuthFailure?: (error: InstanceType<typeof OpenAI.APIError>) => boolean
}

/**
 * Maps what the `openai` SDK throws (for OpenAI itself, xAI and OpenAI-compatible servers) to ProviderErrors.
 * Auth messages are replaced by our own: vendors echo part of the key in them.
 */
export function mapOpenAIError (error: unknown, signal: AbortSignal, rules: OpenAIErrorRules): ProviderError {
  if (ProviderError.is(error)) return error
  if (error instanceof OpenAI.APIUserAbortError || error instanceof OpenAI.APIConnectionError) {
    return providerErrorFromNetwork(error, signal)
  }
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
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

function vendorMessage (error: InstanceType<typeof OpenAI.APIError>): string {
  const body = error.error as unknown
  if (typeof body === 'string') return body
  if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message
  }
  return ''
}
