import type { APIError } from '@anthropic-ai/sdk'
import { ProviderError, providerErrorFromNetwork } from '../errors.ts'
import { providerErrorFromVendorHttp } from '../http-failure.ts'
import { loadAnthropicSdk } from './anthropic-sdk.ts'

// Anthropic answers an exhausted credit balance or a workspace's own spend limit with a plain 400; its wording is
// the only sign. Matched loosely because a quota verdict is still permanent if the wording drifts into REJECTED.
const BILLING_WORDING = /credit balance is too low|reached your specified (api )?usage limits?|spend limit/i

/** Maps what `@anthropic-ai/sdk` throws to ProviderErrors. */
export function mapAnthropicError (error: unknown, signal: AbortSignal): ProviderError {
  if (ProviderError.is(error)) return error
  // Only a loaded SDK can have thrown one of its errors; until it is, whatever arrives is a network failure.
  const sdk = loadAnthropicSdk.loaded()
  if (sdk === undefined || error instanceof sdk.APIUserAbortError || error instanceof sdk.APIConnectionError) {
    return providerErrorFromNetwork(error, signal)
  }
  if (error instanceof sdk.APIError && typeof error.status === 'number') {
    return providerErrorFromVendorHttp({
      vendor: 'Anthropic',
      status: error.status,
      detail: error.apiMessage,
      vendorCode: error.errorCode ?? error.type,
      headers: error.headers
    }, { quota: isQuotaFailure(error) })
  }
  return providerErrorFromNetwork(error, signal)
}

function isQuotaFailure (error: APIError): boolean {
  // The monthly tier cap arrives as a 429 without retry-after and lasts until the next month: retrying is futile.
  if (error.errorCode === 'enforced_spend_limit_reached' || error.type === 'billing_error') return true
  return error.status === 400 && BILLING_WORDING.test(error.apiMessage ?? '')
}
