import type { ConnectionRecord } from '../../../db/repositories/connections-repository.ts'
import type { LlmProvider, ProviderCredentials } from '../../../providers/contract.ts'
import type { RequestedParameters } from '../../../providers/parameters.ts'
import type { ErrorCode } from '../../../plugins/errors.ts'
import type { ActionContext } from '../action-context.ts'
import type { OutputFormat } from '../output-format.ts'
import type { Processing } from '../processing.ts'

/** One execution request, as HubSpot (or the admin test console) sends it, free of HTTP. */
export interface ExecutionRequest {
  /** The action's key (`custom-llm`, `openai-assistant`). */
  readonly action: string
  /**
   * `workflow`: HubSpot ran the action (with a callbackId); `test`: the admin page's "Test", recorded under the action
   * `test` (so usage reports and metrics keep it apart), never BLOCKed and never resumed after a restart.
   */
  readonly trigger: 'workflow' | 'test'
  readonly portalId: number
  /** HubSpot's id for this execution; absent for test runs. Redeliveries carry the same one. */
  readonly callbackId?: string
  /** Where HubSpot's run came from (`WORKFLOWS`, `AGENTS`, …); agent and copilot runs may have no `object`. */
  readonly source?: string
  readonly inputFields: Readonly<Record<string, unknown>>
  readonly object?: {
    readonly objectId?: number | string
    readonly objectType?: string
    readonly properties?: Readonly<Record<string, unknown>>
  }
}

/** The action an admin console test run is recorded under. */
export const TEST_ACTION = 'test'

/** The action an execution is recorded under: its own, or `test` for a console run. */
export function recordedAction (request: Pick<ExecutionRequest, 'action' | 'trigger'>): string {
  return request.trigger === 'test' ? TEST_ACTION : request.action
}

/** Where one provider call goes: the portal's connection of a provider, its key, and the model. */
export interface CallTarget {
  readonly provider: LlmProvider
  readonly connection: ConnectionRecord
  readonly credentials: ProviderCredentials
  readonly modelId: string
}

/** A fallback as the workflow named it; resolved only when the primary fails, so a broken fallback never stops a working primary. */
export interface FallbackChoice {
  readonly providerId: string
  readonly modelId: string
}

/** What an action resolved from its inputs: where the call goes and what it asks. */
export interface ExecutionPlan extends CallTarget {
  readonly promptTemplate: string
  /** Instructions of the action itself (an assistant's), before record-data and format rules are added. */
  readonly instructions?: string
  readonly parameters: Omit<RequestedParameters, 'jsonSchema'>
  readonly outputFormat: OutputFormat
  readonly choices: readonly string[]
  readonly jsonSchema?: Readonly<Record<string, unknown>>
  readonly fallback?: FallbackChoice
  /** Answered now (`standard`) or through the provider's batch API (`economy`); see processing.ts. */
  readonly processing: Processing
}

/** Turns an action's input fields into a plan, or throws an AppError (a permanent failure). */
export type PlanResolver = (context: ActionContext, request: ExecutionRequest) => ExecutionPlan | Promise<ExecutionPlan>

/** Reads record properties HubSpot did not send, when the portal installed the app; undefined when it cannot. */
export type RecordPropertyReader = (portalId: number, objectType: string, objectId: string, names: readonly string[]) => Promise<Record<string, unknown> | undefined>

/** HubSpot's outputFields: every value a string. */
export type OutputFields = Readonly<Record<string, string>>

/**
 * A finished execution in numbers, for its request log line (and anyone else observing outcomes): never a prompt,
 * an answer or a key. Absent on outcomes read back from storage (a redelivery), which ran no call this time.
 */
export interface ExecutionSummary {
  readonly provider?: string
  readonly model?: string
  readonly errorCode?: ErrorCode
  readonly inputTokens?: number
  readonly outputTokens?: number
  /** USD at known prices; null when some attempt's price is unknown. */
  readonly costUsd?: number | null
  /** From the start of the execution to its outcome, every attempt included. */
  readonly latencyMs: number
}

export type ExecutionOutcome =
  /** Finished: SUCCESS with the answer, or FAIL_CONTINUE with errorCode/errorMessage. */
  | { readonly kind: 'finished', readonly state: 'SUCCESS' | 'FAIL_CONTINUE', readonly outputFields: OutputFields, readonly executionId?: number, readonly adjustments: readonly string[], readonly summary?: ExecutionSummary }
  /** Still running past SYNC_BUDGET_MS and HubSpot can be told later: answer BLOCK, complete through the callback API. */
  | { readonly kind: 'blocked', readonly executionId: number, readonly expirationDuration: string }
  /** Transient: HubSpot should retry later (429 or 503 with Retry-After). */
  | { readonly kind: 'retry', readonly statusCode: 429 | 503, readonly retryAfterSeconds: number, readonly code: ErrorCode, readonly message: string }
