import { callbackCompletionPath, type ActionsApiVersion } from './actions-api-paths.ts'
import { HubSpotApiError, type HubSpotAnswer } from './hubspot-http.ts'
import type { HubSpotOAuth } from './oauth.ts'

/**
 * Completing BLOCKed executions through HubSpot's callback API: one call, one answer, never a throw. Whether and
 * when to try again is the caller's (the durable execution engine's) decision; this module only says which of
 * "accepted", "try again later", "refused for good" and "not installed" HubSpot's answer means. The one token
 * refresh on 401 happens here, through `withAccessToken`.
 *
 * @see /work/shared/reference/hubspot.md §5.2–5.4, §9A
 */

/** HubSpot's batch endpoints take at most 100 inputs. */
export const MAX_COMPLETIONS_PER_CALL = 100
/** Callback ids quoted in a batch's messages; the rest are counted. */
const QUOTED_CALLBACK_IDS = 3

export interface CallbackCompletion {
  readonly callbackId: string
  /** String values, as HubSpot's outputFields; includes hs_execution_state SUCCESS or FAIL_CONTINUE. */
  readonly outputFields: Readonly<Record<string, string>>
  /** Typed values (numbers, booleans, strings) for the date versions' typedOutputs; sent as {} when empty. */
  readonly typedOutputs: Readonly<Record<string, unknown>>
}

export type CompletionAnswer =
  | { readonly kind: 'accepted' }
  /** 429, 5xx, unreachable or timed out: try again later; retryAfterMs from HubSpot's Retry-After (seconds) when given. */
  | { readonly kind: 'retry', readonly status: number, readonly retryAfterMs?: number, readonly message: string }
  /**
   * Any other refusal (4xx after the one token refresh on 401): trying again will not help. Status 0 when HubSpot
   * was not asked because this side could not make the call (more than 100 completions, app credentials missing,
   * a stored token that cannot be decrypted).
   */
  | { readonly kind: 'refused', readonly status: number, readonly message: string }
  /** The portal has no OAuth tokens (never installed, or must re-install). */
  | { readonly kind: 'not_installed', readonly message: string }

/** One HTTP call: the single path for one completion, the batch path for several (all of one portal, at most 100). Never throws. */
export type CompleteCallbacks = (portalId: number, completions: readonly CallbackCompletion[]) => Promise<CompletionAnswer>

export interface CallbackCompleterOptions {
  readonly oauth: Pick<HubSpotOAuth, 'withAccessToken' | 'reinstallUrl'>
  readonly actionsApiVersion: ActionsApiVersion
  /** Scrubs the client's secrets from messages of errors that did not come through the HubSpot transport. */
  readonly scrub: (text: string) => string
}

export function createCallbackCompleter (options: CallbackCompleterOptions): CompleteCallbacks {
  const { oauth, actionsApiVersion, scrub } = options

  return async (portalId, completions) => {
    // Nothing to complete is already done; no call is spent on it.
    if (completions.length === 0) return { kind: 'accepted' }
    const what = describeCompletions(completions)
    if (completions.length > MAX_COMPLETIONS_PER_CALL) {
      return { kind: 'refused', status: 0, message: `Cannot ${what} in one call: HubSpot takes at most ${MAX_COMPLETIONS_PER_CALL} per batch.` }
    }
    const [only] = completions
    const single = completions.length === 1 && only !== undefined
    const body = single
      ? { outputFields: only.outputFields, typedOutputs: typedOutputsOf(only) }
      : { inputs: completions.map(completion => ({ callbackId: completion.callbackId, outputFields: completion.outputFields, typedOutputs: typedOutputsOf(completion) })) }

    let answer: HubSpotAnswer | undefined
    try {
      answer = await oauth.withAccessToken(portalId, what, {
        method: 'POST',
        path: callbackCompletionPath(actionsApiVersion, single ? only.callbackId : undefined),
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body)
      })
    } catch (error) {
      return answerForError(error, portalId, what)
    }
    if (answer === undefined) return notInstalled(portalId, what)
    if (answer.ok) return { kind: 'accepted' }
    const message = `HubSpot refused to ${what} for portal ${portalId} (${answer.description}).`
    return isTransient(answer.status)
      ? { kind: 'retry', status: answer.status, ...(answer.retryAfterMs === undefined ? {} : { retryAfterMs: answer.retryAfterMs }), message }
      : { kind: 'refused', status: answer.status, message }
  }

  /** What went wrong before an answer: HubSpot unreachable or slow, a failed token refresh, or this side's setup. */
  function answerForError (error: unknown, portalId: number, what: string): CompletionAnswer {
    if (!(error instanceof HubSpotApiError)) {
      // Not from the transport, so not scrubbed yet (settings, keyring).
      return { kind: 'refused', status: 0, message: scrub(`Could not ${what} for portal ${portalId}: ${error instanceof Error ? error.message : String(error)}`) }
    }
    if (error.reinstallRequired) return notInstalled(portalId, what)
    // The transport and the token refresh write messages that already name the call and are scrubbed.
    if (error.status === 0 || isTransient(error.status)) {
      return { kind: 'retry', status: error.status, ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }), message: error.message }
    }
    return { kind: 'refused', status: error.status, message: error.message }
  }

  function notInstalled (portalId: number, what: string): CompletionAnswer {
    return { kind: 'not_installed', message: `Portal ${portalId} has not installed the app (or must install it again via ${oauth.reinstallUrl}), so HubSpot's callback API cannot be asked to ${what}.` }
  }
}

/** Rate limited or HubSpot's own trouble: the same call may well succeed later. */
function isTransient (status: number): boolean {
  return status === 429 || status >= 500
}

/** The date-versioned APIs want typedOutputs (their specs mark it required); `{}` says "none", and v4 ignores it. */
function typedOutputsOf (completion: CallbackCompletion): Readonly<Record<string, unknown>> {
  return completion.typedOutputs ?? {}
}

/** `complete the execution ap-1`, or `complete 5 executions (ap-1, ap-2, ap-3 and 2 more)`. */
function describeCompletions (completions: readonly CallbackCompletion[]): string {
  if (completions.length === 1) return `complete the execution ${completions[0]?.callbackId}`
  const quoted = completions.slice(0, QUOTED_CALLBACK_IDS).map(completion => completion.callbackId).join(', ')
  const more = completions.length - QUOTED_CALLBACK_IDS
  return `complete ${completions.length} executions (${quoted}${more > 0 ? ` and ${more} more` : ''})`
}
