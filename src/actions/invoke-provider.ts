import type { ConnectionRecord } from '../../db/repositories/connections-repository.ts'
import type { FinishReason, InvokeRequest, InvokeResult, LlmProvider, ProviderCredentials } from '../../providers/contract.ts'
import { ProviderError, providerErrorFromNetwork } from '../../providers/errors.ts'
import { withRetries, type RetryPolicy } from '../../providers/retry.ts'
import type { ActionContext } from './action-context.ts'
import { appErrorFromProvider, providerErrorFromThrown, serviceProviderError } from './provider-failure.ts'

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
 * Finish reasons that explain an empty answer by themselves: the model refused or was filtered, or spent its whole
 * output cap (on reasoning, say). The execution record says which; asking again would get the same.
 */
const EXPLAINED_EMPTY: ReadonlySet<FinishReason> = new Set(['content-filter', 'length'])

/**
 * One provider call under the service's policy: retries with backoff for transient failures (never for bad
 * requests, keys or quota), the PROVIDER_TIMEOUT_MS deadline, our own wording for failures (never the vendor's
 * text, see `appErrorFromProvider`), and the connection marked `invalid` when the vendor rejects its key (and
 * `connected` again once it accepts it).
 */
export async function invokeProvider (context: ActionContext, call: ProviderCall): Promise<InvokeResult> {
  const { provider, connection, credentials } = call
  const secrets = [credentials.apiKey]
  const attempt = async (): Promise<InvokeResult> => {
    let result: InvokeResult
    try {
      result = await provider.invoke({ ...call.request, ...credentials, signal: call.signal })
    } catch (error) {
      throw providerErrorFromThrown(error, { provider, secrets, log: context.log, during: 'invoke' })
    }
    // A gateway's HTML page, an empty body or a shape the SDK could not read comes back as a "result" without
    // text: stored as SUCCESS it would be replayed to every redelivery. It is an outage, retried like one.
    if (typeof result?.text !== 'string' || (result.text.trim() === '' && !EXPLAINED_EMPTY.has(result.finishReason))) {
      throw serviceProviderError('PROVIDER_UNAVAILABLE', `${provider.label} answered with no readable text (an empty or non-JSON answer, such as a gateway's HTML page); try again later.`)
    }
    return result
  }
  try {
    const result = await withRetries(attempt, {
      signal: call.signal,
      ...(call.policy === undefined ? {} : { policy: call.policy }),
      remainingMs: () => call.answerBy - context.clock(),
      onRetry: ({ attempt, delayMs, error }) => context.log.warn({ provider: provider.id, attempt, delayMs, code: error.code, status: error.status }, 'retrying provider call')
    })
    if (connection.status === 'invalid') await recordVerdict(context, connection, 'connected')
    return result
  } catch (error) {
    // Only a retry wait cut short by the deadline (or a shutdown) throws something else here: the provider's own
    // throws were wrapped in `attempt`.
    const failure = ProviderError.is(error) ? error : providerErrorFromNetwork(error, call.signal)
    if (failure.code === 'PROVIDER_AUTH') await recordVerdict(context, connection, 'invalid')
    throw appErrorFromProvider(failure, secrets, provider.label)
  }
}

/**
 * Notes the provider's verdict on the key. A database that cannot take it just now costs only the note (the next
 * call notes it again), never the answer or the error the call already has.
 */
async function recordVerdict (context: ActionContext, connection: ConnectionRecord, status: 'connected' | 'invalid'): Promise<void> {
  try {
    await context.repositories.connections.setStatus(connection.portalId, connection.provider, status, context.clock())
  } catch (error) {
    context.log.warn({ portalId: connection.portalId, provider: connection.provider, status, error: (error as Error).message }, 'could not record the connection status')
  }
}
