import type { APIError } from 'openai'
import type { ProviderError } from '../errors.ts'
import { mapOpenAIError } from '../openai/openai-errors.ts'

/**
 * xAI answers a bad key with HTTP 400 and `{"code":"Client specified an invalid argument","error":"Incorrect API
 * key provided: xa***ad. …"}`, which the SDK turns into a BadRequestError whose message holds that text.
 */
export function isXaiAuthFailure (error: APIError): boolean {
  return error.status === 400 && /(incorrect|invalid) api key/i.test(error.message)
}

export function mapXaiError (error: unknown, signal: AbortSignal): ProviderError {
  return mapOpenAIError(error, signal, { vendor: 'xAI', isAuthFailure: isXaiAuthFailure })
}
