import type { ExecutionRow } from '../../../../db/repositories/executions-repository.ts'
import type { BatchItemRequest } from '../../../../providers/contract.ts'
import { batchPriceOf } from '../../../../providers/pricing/price-book.ts'
import { isAppError } from '../../../../plugins/errors.ts'
import type { ActionContext } from '../../action-context.ts'
import type { BudgetGuard } from '../../budgets/budget-guard.ts'
import { estimateCallCost } from '../../budgets/estimate-cost.ts'
import { parseRequest } from '../answers.ts'
import { prepareExecution } from '../prepare.ts'
import type { PlanResolver, RecordPropertyReader } from '../types.ts'
import { customIdOf } from './economy-run.ts'

export interface BatchItemsOptions {
  readonly context: ActionContext
  readonly budgets: BudgetGuard
  readonly resolvePlanFor: (action: string) => PlanResolver | undefined
  readonly readRecordProperties?: RecordPropertyReader
}

/** A batch's requests, and the items that cannot go in it with why (they run as standard calls). */
export interface BuiltItems {
  readonly requests: BatchItemRequest[]
  readonly dropped: Map<number, string>
}

/**
 * Prepares each item as its standard call would be (plan, placeholders, parameters for the model) and reserves its
 * estimate at the batch price on the portal's budget. An item that cannot be prepared, or that the budget has no
 * room for, is dropped: its standard run then fails or waits exactly as a standard execution would.
 */
export async function buildBatchItems (options: BatchItemsOptions, items: readonly ExecutionRow[]): Promise<BuiltItems> {
  const { context } = options
  const requests: BatchItemRequest[] = []
  const dropped = new Map<number, string>()
  for (const item of items) {
    try {
      const request = parseRequest(item)
      const resolvePlan = options.resolvePlanFor(item.action)
      if (request === undefined || resolvePlan === undefined) throw new Error('its request or action is unknown')
      const prepared = await prepareExecution(context, request, resolvePlan, options.readRecordProperties)
      const { request: built } = prepared.requestFor(prepared.plan, prepared.prompt)
      const price = context.prices.price(prepared.plan.provider.id, prepared.plan.modelId)
      const capabilities = prepared.plan.provider.capabilities(prepared.plan.modelId)
      await options.budgets.open(item.portalId, item.id).reserve(() => estimateCallCost(price === undefined ? undefined : batchPriceOf(price), built, capabilities))
      requests.push({ ...built, customId: customIdOf(item.id) })
    } catch (error) {
      const reason = isAppError(error) ? `${error.code}: ${error.message}` : (error as Error).message
      dropped.set(item.id, `Economy: it could not go in a batch (${reason}); it ran as a standard call.`)
    }
  }
  return { requests, dropped }
}

/** The bytes a batch's requests take, about as a vendor's JSONL file measures them. */
export function requestBytes (request: BatchItemRequest): number {
  return Buffer.byteLength(JSON.stringify(request)) + 200
}
