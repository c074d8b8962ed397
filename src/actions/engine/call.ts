import type { InvokeResult } from '../../../providers/contract.ts'
import type { RetryPolicy } from '../../../providers/retry.ts'
import { AppError, isAppError, type ErrorCode } from '../../../plugins/errors.ts'
import type { ActionContext } from '../action-context.ts'
import type { BudgetHold } from '../budgets/budget-guard.ts'
import { estimateCallCost, heldToBudgetCap } from '../budgets/estimate-cost.ts'
import { invokeProvider } from '../invoke-provider.ts'
import { attemptCost, batchAttemptCost } from '../../../providers/pricing/attempt-cost.ts'
import { batchPriceOf } from '../../../providers/pricing/price-book.ts'
import { parseAnswer, repairPrompt, type ParsedAnswer } from '../output-format.ts'
import { callTarget } from '../plan-parts.ts'
import type { ConnectionSlots } from './connection-slots.ts'
import type { ExecutionObserver } from './observer.ts'
import type { PreparedExecution, ProviderRequest } from './prepare.ts'
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
  /** USD a batch answer saved against the standard price (economy). */
  savedUsd?: number
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
  /**
   * The primary target's answer from its provider's batch API (an economy execution): taken as the first call's
   * answer, charged at the batch price, and repaired with a standard call if it does not fit the format.
   */
  readonly batchAnswer?: InvokeResult
  /** The execution can wait (economy run as standard): ask for the vendor's flex tier where the model has one. */
  readonly flex?: boolean
}

/** Failures a fallback can help with: the key or account, or a provider that stays down after its retries. */
const FALLBACK_CODES: ReadonlySet<ErrorCode> = new Set(['PROVIDER_AUTH', 'PROVIDER_QUOTA', 'PROVIDER_RATE_LIMITED', 'PROVIDER_UNAVAILABLE'])
/** Failures of a flex-tier call after which the standard tier is tried: capacity, availability, or a refusal of the tier. */
const FLEX_FALLBACK_CODES: ReadonlySet<ErrorCode> = new Set(['PROVIDER_RATE_LIMITED', 'PROVIDER_UNAVAILABLE', 'PROVIDER_REJECTED', 'PROVIDER_TIMEOUT'])
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
    return await callWithRepair(context, plan, prepared, ledger, options, fallback === undefined ? undefined : PRIMARY_POLICY_WITH_FALLBACK, options.batchAnswer)
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

async function callWithRepair (context: ActionContext, target: CallTarget, prepared: PreparedExecution, ledger: CallLedger, options: CallOptions, policy: RetryPolicy | undefined, given?: InvokeResult): Promise<ParsedAnswer> {
  ledger.target = target
  let budgeted = false
  let release: (() => void) | undefined
  try {
    const call = async (prompt: string): Promise<InvokeResult> => {
      if (release === undefined) {
        // A spent budget fails at once rather than after waiting in the connection's line.
        budgeted = await options.budget.ensureRemaining()
        release = await options.slots.acquire(target.connection.id, { mayRefuse: options.mayRefuse, signal: options.signal })
      }
      const built = prepared.requestFor(target, prompt)
      const capabilities = target.provider.capabilities(target.modelId)
      const capped = budgeted ? heldToBudgetCap(built.request, capabilities) : { request: built.request }
      for (const adjustment of [...built.adjustments, ...(capped.adjustment === undefined ? [] : [capped.adjustment])]) {
        if (!ledger.adjustments.includes(adjustment)) ledger.adjustments.push(adjustment)
      }
      // Work that can wait (an economy execution run as standard) asks for the vendor's flex tier, at its batch price.
      const flex = options.flex === true && capabilities.flexTier === true
      const once = async (request: ProviderRequest): Promise<InvokeResult> => {
        const price = context.prices.price(target.provider.id, target.modelId)
        const settle = await options.budget.reserve(() =>
          estimateCallCost(price !== undefined && request.serviceTier === 'flex' ? batchPriceOf(price) : price, request, capabilities))
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
        const onFlex = result.serviceTier === 'flex'
        const cost = onFlex ? batchAttemptCost(context.prices, target.provider.id, target.modelId, result) : attemptCost(context.prices, target.provider.id, target.modelId, result)
        settle(cost ?? 0)
        if (cost === undefined) {
          ledger.costUnknown = true
        } else {
          ledger.costUsd = (ledger.costUsd ?? 0) + cost
          const standard = onFlex ? attemptCost(context.prices, target.provider.id, target.modelId, result) : undefined
          if (standard !== undefined) ledger.savedUsd = (ledger.savedUsd ?? 0) + Math.max(0, standard - cost)
        }
        providerCallEnded(ledger, options, target.provider.id, began, cost)
        return result
      }
      if (!flex) return await once(capped.request)
      try {
        return await once({ ...capped.request, serviceTier: 'flex' })
      } catch (error) {
        // Flex capacity comes and goes, and a model may not (or no longer) take it: the standard tier answers instead.
        if (!isAppError(error) || options.signal.aborted || !FLEX_FALLBACK_CODES.has(error.code)) throw error
        ledger.adjustments.push(`${target.provider.label}'s flex tier did not take the call (${error.code}); it was answered on the standard tier.`)
        return await once(capped.request)
      }
    }
    const first = given === undefined ? await call(prepared.prompt) : await takeBatchAnswer(context, target, ledger, options, given)
    const parsed = parseAnswer(prepared.plan.outputFormat, first.text, prepared.parseOptions)
    if (parsed.ok) return parsed
    // One repair attempt: the model sees the task, its own answer and the rule it broke.
    const repair = repairPrompt(prepared.plan.outputFormat, parsed.problem, first.text, prepared.plan.choices, { ...prepared.parseOptions, originalPrompt: prepared.prompt })
    const second = await call(repair)
    return parseAnswer(prepared.plan.outputFormat, second.text, prepared.parseOptions)
  } finally {
    release?.()
  }
}

/** A batch answer as the first call's: paid already, so it is held on the budget as spent, at the batch price. */
async function takeBatchAnswer (context: ActionContext, target: CallTarget, ledger: CallLedger, options: CallOptions, given: InvokeResult): Promise<InvokeResult> {
  ledger.results.push(given)
  ledger.adjustments.push(...(given.adjustments ?? []))
  const cost = batchAttemptCost(context.prices, target.provider.id, target.modelId, given)
  const standard = attemptCost(context.prices, target.provider.id, target.modelId, given)
  await options.budget.carry(cost ?? 0)
  if (cost === undefined) {
    ledger.costUnknown = true
  } else {
    ledger.costUsd = (ledger.costUsd ?? 0) + cost
    if (standard !== undefined) {
      ledger.savedUsd = Math.max(0, standard - cost)
      options.observe?.onEconomySaving?.(target.provider.id, ledger.savedUsd)
    }
  }
  return given
}

function providerCallEnded (ledger: CallLedger, options: CallOptions, providerId: string, began: number, costUsd: number | undefined): void {
  const elapsedMs = performance.now() - began
  ledger.providerMs = (ledger.providerMs ?? 0) + elapsedMs
  options.observe?.onProviderCall?.(providerId, elapsedMs / 1000, costUsd)
}
