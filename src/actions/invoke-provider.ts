import type { ConnectionRecord } from '../../db/repositories/connections-repository.ts'
import type { InvokeRequest, InvokeResult, LlmProvider, ProviderCredentials } from '../../providers/contract.ts'
import { ProviderError } from '../../providers/errors.ts'
import { withRetries, type RetryPolicy } from '../../providers/retry.ts'
import type { ActionContext } from './action-context.ts'
import { appErrorFromProvider } from './provider-failure.ts'

export interface ProviderCall {
  readonly provider: LlmProvider
  readonly connection: ConnectionRecord
  readonly credentials: ProviderCredentials
  readonly request: Omit<InvokeRequest, 'signal' | 'apiKey' | 'baseUrl'>
  /** Retry waits must end before this time (ms since the epoch): the call's hard deadline. */
  readonly answerBy: number
  /** A shorter policy when a fallback stands by, so the switch does not wait out the primary's whole backoff. */
  readonly policy?: RetryPolicy
  /** Hard deadline of the whole call, every attempt included. */
  readonly signal: AbortSignal
}

/**
 * One provider call under the service's policy: retries with backoff for transient failures (never for bad
 * requests, keys or quota), the PROVIDER_TIMEOUT_MS deadline, secrets scrubbed from failures, and the
 * connection marked `invalid` when the vendor rejects its key (and `connected` again once it accepts it).
 */
export async function invokeProvider (context: ActionContext, call: ProviderCall): Promise<InvokeResult> {
  const { provider, connection, credentials } = call
  try {
    const result = await withRetries(() => provider.invoke({ ...call.request, ...credentials, signal: call.signal }), {
      signal: call.signal,
      ...(call.policy === undefined ? {} : { policy: call.policy }),
      remainingMs: () => call.answerBy - context.clock(),
      onRetry: ({ attempt, delayMs, error }) => context.log.warn({ provider: provider.id, attempt, delayMs, code: error.code, status: error.status }, 'retrying provider call')
    })
    if (connection.status === 'invalid') context.repositories.connections.setStatus(connection.portalId, connection.provider, 'connected', context.clock())
    return result
  } catch (error) {
    const failure = ProviderError.is(error) ? error : new ProviderError('PROVIDER_UNAVAILABLE', 'The provider call failed unexpectedly.', { cause: error })
    if (failure.code === 'PROVIDER_AUTH') context.repositories.connections.setStatus(connection.portalId, connection.provider, 'invalid', context.clock())
    throw appErrorFromProvider(failure, [credentials.apiKey])
  }
}
