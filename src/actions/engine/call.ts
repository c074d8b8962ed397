import type { InvokeResult } from '../../../providers/contract.ts'
import type { RetryPolicy } from '../../../providers/retry.ts'
import { AppError, isAppError, type ErrorCode } from '../../../plugins/errors.ts'
import type { ActionContext } from '../action-context.ts'
import type { BudgetHold } from '../budgets/budget-guard.ts'
import { estimateCallCost, heldToBudgetCap } from '../budgets/estimate-cost.ts'
import { invokeProvider } from '../invoke-provider.ts'
import { attemptCost } from '../../../providers/pricing/attempt-cost.ts'
import { parseAnswer, repairPrompt, type ParsedAnswer } from '../output-format.ts'
import { callTarget } from '../plan-parts.ts'
import type { ConnectionSlots } from './connection-slots.ts'
import type { ExecutionObserver } from './observer.ts'
import type { PreparedExecution } from './prepare.ts'
import type { CallTarget } from './types.ts'

/** Everything the call step spent and learnt, kept even when it fails, so a failure still records its tokens. */
export interface CallLedger {
  /** Every answered provider call, repair attempts and the failed primary's unusable answers included. */
  readonly results: InvokeResult[]
  readonly adjustments: string[]
  /** The target that answered last (the fallback's, once it was used). */
  target?: CallTarget
  fallbackReason?: string
  /** USD the answered calls cost, each at its own model's price (a repair and a fallback too); absent: none priced. */
  costUsd?: number
  /** Set once an answered call's model had no known price. */
  costUnknown?: boolean
  /** Milliseconds spent in provider calls, retry waits included (monotonic clock), so the rest is ours. */
  providerMs?: number
}

export interface CallOptions {
  /** The hard deadline (PROVIDER_TIMEOUT_MS) of the whole execution, every attempt included. */
  readonly signal: AbortSignal
  readonly deadline: number
  /**
   * Retry waits must end by then. While HubSpot still waits on the HTTP request this is the end of the sync
   * budget: a longer wait is handed back to HubSpot (429/503 with Retry-After), which costs us nothing.
   */
  readonly retryUntil: number
  readonly slots: ConnectionSlots
  /** Whether a full connection line may refuse this execution (HubSpot can still retry it). */
  readonly mayRefuse: boolean
  /** The portal's monthly budget: every call (a repair, the fallback) is checked and reserved right before it goes out. */
  readonly budget: BudgetHold
  readonly observe?: ExecutionObserver
}

/** Failures a fallback can help with: the key or account, or a provider that stays down after its retries. */
const FALLBACK_CODES: ReadonlySet<ErrorCode> = new Set(['PROVIDER_AUTH', 'PROVIDER_QUOTA', 'PROVIDER_RATE_LIMITED', 'PROVIDER_UNAVAILABLE'])
/** With a fallback standing by, the primary gets one quick retry instead of the default three-step backoff. */
export const PRIMARY_POLICY_WITH_FALLBACK: RetryPolicy = { attempts: 2, baseDelayMs: 250, maxDelayMs: 1000 }

/**
 * Step "call with one repair": the primary target, and when it fails in a way another provider can fix, the
 * fallback. Each target's call waits for a slot on its connection. Returns the parsed answer (which may still
 * not fit the format); throws the AppError of the last failure.
 */
export async function callProviders (context: ActionContext, prepared: PreparedExecution, ledger: CallLedger, options: CallOptions): Promise<ParsedAnswer> {
  const { plan } = prepared
  const fallback = plan.fallback
  try {
    return await callWithRepair(context, plan, prepared, ledger, options, fallback === undefined ? undefined : PRIMARY_POLICY_WITH_FALLBACK)
  } catch (error) {
    if (fallback === undefined || !isAppError(error) || !FALLBACK_CODES.has(error.code) || options.signal.aborted) throw error
    let target: CallTarget
    try {
      target = await callTarget(context, plan.connection.portalId, fallback.providerId, fallback.modelId)
    } catch (unusable) {
      const reason = isAppError(unusable) ? unusable.message : 'it could not be resolved'
      throw new AppError(error.code, `${error.message} The fallback ${fallback.providerId}/${fallback.modelId} could not be used: ${reason}`, error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds })
    }
    ledger.fallbackReason = `${plan.provider.id}/${plan.modelId} failed with ${error.code} (${error.message}); answered by the fallback ${target.provider.id}/${target.modelId}.`
    context.log.warn({ provider: plan.provider.id, model: plan.modelId, code: error.code, fallbackProvider: target.provider.id, fallbackModel: target.modelId }, 'primary provider failed; using the fallback')
    return await callWithRepair(context, target, prepared, ledger, options, undefined)
  }
}

async function callWithRepair (context: ActionContext, target: CallTarget, prepared: PreparedExecution, ledger: CallLedger, options: CallOptions, policy: RetryPolicy | undefined): Promise<ParsedAnswer> {
  ledger.target = target
  // A spent budget fails at once rather than after waiting in the connection's line.
  const budgeted = await options.budget.ensureRemaining()
  const release = await options.slots.acquire(target.connection.id, { mayRefuse: options.mayRefuse, signal: options.signal })
  try {
    const call = async (prompt: string): Promise<InvokeResult> => {
      const built = prepared.requestFor(target, prompt)
      const capped = budgeted ? heldToBudgetCap(built.request, target.provider.capabilities(target.modelId)) : { request: built.request }
      const request = capped.request
      for (const adjustment of [...built.adjustments, ...(capped.adjustment === undefined ? [] : [capped.adjustment])]) {
        if (!ledger.adjustments.includes(adjustment)) ledger.adjustments.push(adjustment)
      }
      const settle = await options.budget.reserve(() =>
        estimateCallCost(context.prices.price(target.provider.id, target.modelId), request, target.provider.capabilities(target.modelId)))
      let result: InvokeResult
      // Timed with the monotonic clock, not the injected one: this is for the metrics, never for a decision.
      const began = performance.now()
      try {
        result = await invokeProvider(context, {
          provider: target.provider,
          connection: target.connection,
          credentials: target.credentials,
          request,
          answerBy: options.retryUntil,
          signal: options.signal,
          ...(policy === undefined ? {} : { policy })
        })
      } catch (error) {
        // A failed call reports no usage, so it is taken to have cost nothing.
        settle(0)
        providerCallEnded(ledger, options, target.provider.id, began, undefined)
        throw error
      }
      ledger.results.push(result)
      ledger.adjustments.push(...(result.adjustments ?? []))
      const cost = attemptCost(context.prices, target.provider.id, target.modelId, result)
      settle(cost ?? 0)
      if (cost === undefined) ledger.costUnknown = true
      else ledger.costUsd = (ledger.costUsd ?? 0) + cost
      providerCallEnded(ledger, options, target.provider.id, began, cost)
      return result
    }
    const first = await call(prepared.prompt)
    const parsed = parseAnswer(prepared.plan.outputFormat, first.text, prepared.parseOptions)
    if (parsed.ok) return parsed
    // One repair attempt: the model sees the task, its own answer and the rule it broke.
    const repair = repairPrompt(prepared.plan.outputFormat, parsed.problem, first.text, prepared.plan.choices, { ...prepared.parseOptions, originalPrompt: prepared.prompt })
    const second = await call(repair)
    return parseAnswer(prepared.plan.outputFormat, second.text, prepared.parseOptions)
  } finally {
    release()
  }
}

function providerCallEnded (ledger: CallLedger, options: CallOptions, providerId: string, began: number, costUsd: number | undefined): void {
  const elapsedMs = performance.now() - began
  ledger.providerMs = (ledger.providerMs ?? 0) + elapsedMs
  options.observe?.onProviderCall?.(providerId, elapsedMs / 1000, costUsd)
}
