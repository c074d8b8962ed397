import { type HeaderSource, type ProviderError, providerErrorFromHttp } from './errors.ts'

/** An HTTP failure as a vendor SDK reports it, before it becomes a ProviderError. */
export interface VendorHttpFailure {
  /** The vendor's name, for messages. */
  readonly vendor: string
  readonly status: number
  /** The vendor's own explanation; left out of messages about the key. */
  readonly detail?: string | null
  readonly vendorCode?: string | null
  readonly param?: string | null
  readonly headers?: HeaderSource
}

/**
 * The shared status table with the shared wording. A failure about the key gets a fixed sentence: vendors echo
 * part of the key in their explanation, and a message travels further (logs, HubSpot) than the key may.
 */
export function providerErrorFromVendorHttp (
  failure: VendorHttpFailure,
  verdict: { readonly auth?: boolean, readonly quota?: boolean } = {}
): ProviderError {
  const { vendor, status } = failure
  const auth = verdict.auth === true || status === 401 || status === 403
  const detail = failure.detail ?? ''
  const message = auth
    ? `${vendor} rejected the API key (HTTP ${status}).`
    : `${vendor} answered HTTP ${status}${detail === '' ? '' : `: ${detail}`}`
  return providerErrorFromHttp({
    status,
    message,
    vendorCode: failure.vendorCode ?? undefined,
    param: failure.param ?? undefined,
    headers: failure.headers
  }, verdict)
}
