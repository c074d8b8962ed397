import type { ExecutionsRepository } from '../../../../db/repositories/executions-repository.ts'
import type { EconomyRepository } from '../../../../db/repositories/economy-repository.ts'
import type { ActionContext } from '../../action-context.ts'
import { prepareExecution } from '../prepare.ts'
import type { ExecutionRequest, PlanResolver, RecordPropertyReader } from '../types.ts'
import type { EconomyRun } from '../run-job.ts'
import { ECONOMY_EXPIRY_MS } from './economy-run.ts'

export interface EconomyQueueOptions {
  readonly context: ActionContext
  readonly executions: Pick<ExecutionsRepository, 'markBlocked'>
  readonly economy: Pick<EconomyRepository, 'enqueue'>
  readonly owner: string
  readonly canComplete: (portalId: number) => Promise<boolean>
  readonly readRecordProperties?: RecordPropertyReader
}

/** What became of an execution that asked for economy: queued (answer BLOCK now), or run as standard with why. */
export type EconomyDecision =
  | { readonly kind: 'queued', readonly expiresAt: number }
  /** `blocked`: HubSpot was already told BLOCK for it (the queue then refused it): answer BLOCK, complete it later. */
  | { readonly kind: 'standard', readonly run?: EconomyRun, readonly blocked?: true }

/** Whether the workflow asked for economy: the field as HubSpot sends it, before the plan is resolved. */
export function asksForEconomy (request: ExecutionRequest): boolean {
  const value = request.inputFields.processing
  return typeof value === 'string' && value.trim().toLowerCase() === 'economy'
}

/**
 * Queues a claimed execution that asked for economy, when it can be: a workflow run (not the admin console's
 * test), of a portal HubSpot can be called back for (installed via OAuth), whose plan resolves (a refusal is
 * answered now, by the standard run) to a provider with a batch API for the model. It is then answered BLOCK for
 * two days and the queue holds it. Otherwise it runs as standard, with a note saying why where that helps.
 */
export async function queueForEconomy (options: EconomyQueueOptions, executionId: number, request: ExecutionRequest, resolvePlan: PlanResolver, startedAt: number): Promise<EconomyDecision> {
  const { context } = options
  if (request.trigger !== 'workflow' || request.callbackId === undefined) return { kind: 'standard' }
  if (!await options.canComplete(request.portalId)) {
    return { kind: 'standard', run: { note: 'Economy: this HubSpot account is not installed via OAuth, so it cannot be completed later; it ran as a standard call.' } }
  }
  let prepared
  try {
    prepared = await prepareExecution(context, request, resolvePlan, options.readRecordProperties)
  } catch {
    return { kind: 'standard' }
  }
  const plan = prepared.plan
  if (plan.processing !== 'economy') return { kind: 'standard' }
  const batch = plan.provider.batch
  if (batch === undefined || batch.supports?.(plan.modelId) === false) {
    return { kind: 'standard', run: { note: `Economy: ${plan.provider.label} has no batch API here for ${plan.modelId}; it ran as a standard call.` } }
  }
  // BLOCK first: the outcome of an execution HubSpot was told BLOCK about is queued for the callback API.
  const mark = await options.executions.markBlocked(executionId)
  if (mark.kind === 'finished') return { kind: 'standard' }
  const expiresAt = startedAt + ECONOMY_EXPIRY_MS
  try {
    const entry = { provider: plan.provider.id, model: plan.modelId, at: context.clock(), expiresAt, ...withReadProperties(request, prepared.readProperties) }
    if (await options.economy.enqueue(executionId, options.owner, entry)) return { kind: 'queued', expiresAt }
  } catch (error) {
    context.log.error({ executionId, error: (error as Error).message }, 'could not queue an economy execution; it runs as a standard call')
  }
  return { kind: 'standard', run: { note: 'Economy: it could not be queued for a batch; it ran as a standard call.' }, blocked: true }
}

/** `queueForEconomy`, where a failure of the queue itself runs the execution as standard (logged), never fails it. */
export async function decideEconomy (options: EconomyQueueOptions, executionId: number, request: ExecutionRequest, resolvePlan: PlanResolver, startedAt: number): Promise<EconomyDecision> {
  try {
    return await queueForEconomy(options, executionId, request, resolvePlan, startedAt)
  } catch (error) {
    options.context.log.error({ executionId, error: (error as Error).message }, 'could not decide whether an economy execution can be queued; it runs as a standard call')
    return { kind: 'standard' }
  }
}

/**
 * The stored request with the record properties read from the CRM for its prompt, so that preparing it again (when its
 * batch is built, and when its answer is formatted) reads nothing more from HubSpot: a batch of a thousand would
 * otherwise read a thousand records twice more, against the portal's API limits.
 */
function withReadProperties (request: ExecutionRequest, read: Readonly<Record<string, unknown>> | undefined): { readonly request?: string } {
  if (read === undefined || Object.keys(read).length === 0) return {}
  const object = { ...request.object, properties: { ...read, ...request.object?.properties } }
  return { request: JSON.stringify({ inputFields: request.inputFields, object }) }
}
