/**
 * What a third-party provider package imports, published as `hubspot-llm-actions/provider`: the contract's
 * types, `defineProvider`, the error type and its helpers, and the small helpers the built-ins use. The
 * conformance kit is the separate entry `hubspot-llm-actions/provider/testing`.
 */
export * from './contract.ts'
export { defineProvider } from './define-provider.ts'
export {
  PROVIDER_ERROR_CODES,
  ProviderError,
  providerErrorFromHttp,
  providerErrorFromNetwork,
  retryAfterMs,
  type HeaderSource,
  type HttpFailure,
  type ProviderErrorCode,
  type ProviderErrorDetails
} from './errors.ts'
export { checkKey } from './key-check.ts'
export { createClientCache } from './client-cache.ts'
