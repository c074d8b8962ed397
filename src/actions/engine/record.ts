import type { ExecutionFinish } from '../../../db/repositories/executions-repository.ts'
import type { Usage } from '../../../providers/contract.ts'
import { AppError, type ErrorCode } from '../../../plugins/errors.ts'
import { outputFormatError, type ParsedAnswer } from '../output-format.ts'
import { formatCost } from '../../../providers/pricing/attempt-cost.ts'
import type { CallLedger } from './call.ts'
import type { PreparedExecution } from './prepare.ts'
import { RETRY_STATUS, retryOutcome, type RetryCode } from './retry-outcome.ts'
import type { ExecutionOutcome, OutputFields } from './types.ts'

export { RETRY_STATUS }

/** An outcome and the row that records it; the engine writes the row, and answers the outcome once it is written. */
export interface RecordedOutcome {
  readonly outcome: ExecutionOutcome & { kind: 'finished' | 'retry' }
  readonly finish: ExecutionFinish
}

export interface RecordSettings {
  readonly storePrompts: boolean
  readonly finishedAt: number
  readonly startedAt: number
}

/** Step "record", success side: the answer as HubSpot's output fields, and the tokens of every attempt. */
export function recordAnswer (executionId: number, prepared: PreparedExecution, ledger: CallLedger, parsed: ParsedAnswer, settings: RecordSettings): RecordedOutcome {
  if (!parsed.ok) return recordFailure(executionId, prepared, ledger, outputFormatError(parsed.problem), settings)
  const target = ledger.target ?? prepared.plan
  const usage = sumUsage(ledger.results.map(result => result.usage))
  const outputFields: OutputFields = {
    response: parsed.response,
    ...parsed.fields,
    provider: target.provider.id,
    model: target.modelId,
    inputTokens: String(usage.inputTokens),
    outputTokens: String(usage.outputTokens),
    // A partial sum would read as the whole cost in a workflow, so an unpriced attempt leaves the field out.
    ...(ledger.costUnknown === true ? {} : { costUsd: formatCost(ledger.costUsd ?? 0) }),
    hs_execution_state: 'SUCCESS'
  }
  return {
    outcome: {
      kind: 'finished',
      state: 'SUCCESS',
      outputFields,
      executionId,
      adjustments: [...ledger.adjustments],
      summary: { provider: target.provider.id, model: target.modelId, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, costUsd: summaryCost(ledger), latencyMs: settings.finishedAt - settings.startedAt }
    },
    finish: {
      status: 'success',
      provider: target.provider.id,
      model: target.modelId,
      ...usageColumns(usage),
      ...costColumns(ledger),
      finishReason: ledger.results.at(-1)?.finishReason,
      adjustments: ledger.adjustments,
      outputFields,
      ...(ledger.fallbackReason === undefined ? {} : { fallbackReason: ledger.fallbackReason }),
      ...(settings.storePrompts ? { prompt: prepared.prompt, response: parsed.response } : {}),
      finishedAt: settings.finishedAt,
      latencyMs: settings.finishedAt - settings.startedAt
    }
  }
}

/**
 * Step "record", failure side: a transient code becomes a retry for HubSpot (429/503 with Retry-After), anything
 * else FAIL_CONTINUE with errorCode/errorMessage. Tokens spent before the failure are recorded all the same.
 */
export function recordFailure (executionId: number, prepared: PreparedExecution | undefined, ledger: CallLedger, error: AppError, settings: RecordSettings): RecordedOutcome {
  const target = ledger.target ?? prepared?.plan
  const common = {
    ...(target === undefined ? {} : { provider: target.provider.id, model: target.modelId }),
    ...(ledger.results.length === 0 ? {} : usageColumns(sumUsage(ledger.results.map(result => result.usage)))),
    ...costColumns(ledger),
    errorCode: error.code,
    errorMessage: error.message,
    ...(ledger.adjustments.length === 0 ? {} : { adjustments: ledger.adjustments }),
    ...(ledger.fallbackReason === undefined ? {} : { fallbackReason: ledger.fallbackReason }),
    ...(settings.storePrompts && prepared !== undefined ? { prompt: prepared.prompt } : {}),
    finishedAt: settings.finishedAt,
    latencyMs: settings.finishedAt - settings.startedAt
  }
  if (RETRY_STATUS[error.code] !== undefined) {
    return {
      outcome: retryOutcome(error.code as RetryCode, error.retryAfterSeconds ?? 30, error.message),
      finish: { ...common, status: 'retry' }
    }
  }
  const outputFields: OutputFields = { errorCode: error.code, errorMessage: error.message, hs_execution_state: 'FAIL_CONTINUE' }
  return {
    outcome: {
      kind: 'finished',
      state: 'FAIL_CONTINUE',
      outputFields,
      executionId,
      adjustments: [...ledger.adjustments],
      summary: {
        ...(target === undefined ? {} : { provider: target.provider.id, model: target.modelId }),
        errorCode: error.code,
        ...(common.inputTokens === undefined ? {} : { inputTokens: common.inputTokens, outputTokens: common.outputTokens }),
        costUsd: summaryCost(ledger),
        latencyMs: common.latencyMs
      }
    },
    finish: { ...common, status: 'failed', outputFields }
  }
}

/** A transient failure turned final: for work HubSpot can no longer be asked to retry (it was told BLOCK). */
export function asFinalFailure (recorded: RecordedOutcome): RecordedOutcome {
  if (recorded.outcome.kind !== 'retry') return recorded
  const { code, message } = recorded.outcome
  const outputFields: OutputFields = { errorCode: code, errorMessage: message, hs_execution_state: 'FAIL_CONTINUE' }
  return {
    outcome: { kind: 'finished', state: 'FAIL_CONTINUE', outputFields, executionId: undefined, adjustments: [] },
    finish: { ...recorded.finish, status: 'failed', outputFields }
  }
}

export function sumUsage (usages: readonly Usage[]): Usage {
  const total = (pick: (usage: Usage) => number | undefined) => {
    const values = usages.map(pick).filter((value): value is number => value !== undefined)
    return values.length === 0 ? undefined : values.reduce((sum, value) => sum + value, 0)
  }
  return {
    inputTokens: total(usage => usage.inputTokens) ?? 0,
    outputTokens: total(usage => usage.outputTokens) ?? 0,
    ...optional('cachedInputTokens', total(usage => usage.cachedInputTokens)),
    ...optional('reasoningTokens', total(usage => usage.reasoningTokens))
  }
}

function usageColumns (usage: Usage) {
  return {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    ...optional('cachedInputTokens', usage.cachedInputTokens),
    ...optional('reasoningTokens', usage.reasoningTokens)
  }
}

/** The cost a summary reports: null rather than a partial sum when an attempt had no known price. */
function summaryCost (ledger: CallLedger): number | null {
  return ledger.costUnknown === true ? null : ledger.costUsd ?? 0
}

/** Priced attempts summed; an execution that never reached a provider cost nothing, and that price is known. */
function costColumns (ledger: CallLedger) {
  return { costUsd: ledger.costUsd ?? 0, costUnknown: ledger.costUnknown === true, ...(ledger.savedUsd === undefined ? {} : { savedUsd: ledger.savedUsd }) }
}

function optional<Name extends string> (name: Name, value: number | undefined): Partial<Record<Name, number>> {
  return value === undefined ? {} : { [name]: value } as Record<Name, number>
}

/** Parses a stored outputFields column back into the outcome a redelivery is answered with. */
export function storedOutcome (outputFields: string, executionId: number): ExecutionOutcome & { kind: 'finished' } {
  const fields = JSON.parse(outputFields) as OutputFields
  return { kind: 'finished', state: fields.hs_execution_state === 'SUCCESS' ? 'SUCCESS' : 'FAIL_CONTINUE', outputFields: fields, executionId, adjustments: [] }
}
