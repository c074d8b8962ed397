import type { ConnectionRecord } from '../../db/repositories/connections-repository.ts'
import type { InvokeResult, LlmProvider, ProviderCredentials, Usage } from '../../providers/contract.ts'
import { decideParameters, type RequestedParameters } from '../../providers/parameters.ts'
import { isAppError, type ErrorCode } from '../../plugins/errors.ts'
import type { ActionContext } from './action-context.ts'
import { invokeProvider } from './invoke-provider.ts'
import { formatInstructions, jsonSchemaFor, outputFormatError, parseAnswer, repairPrompt, strictModeProblem, type OutputFormat } from './output-format.ts'
import { joinInstructions, missingProperties, promptValues, RECORD_DATA_INSTRUCTIONS, renderPrompt, unresolvedPlaceholdersError } from './render-prompt.ts'

/** One execution request, as HubSpot (or the admin test console) sends it, free of HTTP. */
export interface ExecutionRequest {
  readonly action: 'custom-llm' | 'openai-assistant' | 'test'
  readonly portalId: number
  /** HubSpot's id for this execution; absent for test runs. Redeliveries carry the same one. */
  readonly callbackId?: string
  readonly inputFields: Readonly<Record<string, unknown>>
  readonly object?: {
    readonly objectId?: number | string
    readonly objectType?: string
    readonly properties?: Readonly<Record<string, unknown>>
  }
}

/** What an action resolved from its inputs: where the call goes and what it asks. */
export interface ExecutionPlan {
  readonly provider: LlmProvider
  readonly connection: ConnectionRecord
  readonly credentials: ProviderCredentials
  readonly modelId: string
  readonly promptTemplate: string
  /** Instructions of the action itself (an assistant's), before record-data and format rules are added. */
  readonly instructions?: string
  readonly parameters: Omit<RequestedParameters, 'jsonSchema'>
  readonly outputFormat: OutputFormat
  readonly choices: readonly string[]
  readonly jsonSchema?: Readonly<Record<string, unknown>>
}

/** Turns an action's input fields into a plan, or throws an AppError (a permanent failure). */
export type PlanResolver = (context: ActionContext, request: ExecutionRequest) => ExecutionPlan | Promise<ExecutionPlan>

/** Reads record properties HubSpot did not send, when the portal installed the app; undefined when it cannot. */
export type RecordPropertyReader = (portalId: number, objectType: string, objectId: string, names: readonly string[]) => Promise<Record<string, unknown> | undefined>

export type OutputFields = Readonly<Record<string, string>>

export type ExecutionOutcome =
  /** Finished: SUCCESS with the answer, or FAIL_CONTINUE with errorCode/errorMessage. */
  | { readonly kind: 'finished', readonly state: 'SUCCESS' | 'FAIL_CONTINUE', readonly outputFields: OutputFields, readonly executionId?: number, readonly adjustments: readonly string[] }
  /** Transient: HubSpot should retry later (429 or 503 with Retry-After). */
  | { readonly kind: 'retry', readonly statusCode: 429 | 503, readonly retryAfterSeconds: number, readonly code: ErrorCode, readonly message: string }

const RETRY_CODES: Readonly<Partial<Record<ErrorCode, 429 | 503>>> = { PROVIDER_RATE_LIMITED: 429, PROVIDER_UNAVAILABLE: 503 }
/** Said to a redelivery that arrives while the first delivery is still running. */
const STILL_RUNNING_RETRY_SECONDS = 10

export interface ExecuteOptions {
  readonly resolvePlan: PlanResolver
  readonly readRecordProperties?: RecordPropertyReader
}

/**
 * Runs one execution exactly once: a redelivered callbackId gets the stored outcome and never a second provider
 * call. The path goes down once (plan → prompt → parameters → provider) and comes back once (format → record).
 */
export async function executeAction (context: ActionContext, request: ExecutionRequest, options: ExecuteOptions): Promise<ExecutionOutcome> {
  const startedAt = context.clock()
  const claim = context.repositories.executions.claim({
    portalId: request.portalId,
    action: request.action,
    ...(request.callbackId === undefined ? {} : { callbackId: request.callbackId }),
    startedAt
  })
  if (claim.kind === 'existing') return replay(claim.execution)

  const executionId = claim.id
  const finishedNow = () => {
    const finishedAt = context.clock()
    return { finishedAt, latencyMs: finishedAt - startedAt }
  }
  let plan: ExecutionPlan | undefined
  let prompt: string | undefined
  // Every answered call, so a failure after tokens were spent (an unusable answer) still records them.
  const results: InvokeResult[] = []
  // Cleared when the execution ends: AbortSignal.timeout would keep its timer, and the SDK's listeners on it,
  // alive for the whole PROVIDER_TIMEOUT_MS after every call.
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(new DOMException('The provider call exceeded PROVIDER_TIMEOUT_MS.', 'TimeoutError')), context.settings.providerTimeoutMs)
  try {
    plan = await options.resolvePlan(context, request)
    const rendered = await renderFor(context, request, plan, options.readRecordProperties)
    prompt = rendered.prompt
    // A user's schema that strict structured output would refuse is enforced by validation alone, and said so.
    const schemaProblem = plan.jsonSchema === undefined ? undefined : strictModeProblem(plan.jsonSchema)
    const structuredSchema = schemaProblem === undefined ? jsonSchemaFor(plan.outputFormat, plan.choices, plan.jsonSchema) : undefined
    const decided = decideParameters(plan.modelId, plan.provider.capabilities(plan.modelId), {
      ...plan.parameters,
      ...(structuredSchema === undefined ? {} : { jsonSchema: structuredSchema })
    })
    const instructions = joinInstructions(plan.instructions, rendered.recordData ? RECORD_DATA_INSTRUCTIONS : undefined, formatInstructions(plan.outputFormat, plan.choices, plan.jsonSchema))
    const call = {
      provider: plan.provider,
      connection: plan.connection,
      credentials: plan.credentials,
      answerBy: startedAt + context.settings.syncBudgetMs,
      signal: deadline.signal
    }
    const baseRequest = {
      modelId: plan.modelId,
      ...(instructions === undefined ? {} : { instructions }),
      ...(decided.temperature === undefined ? {} : { temperature: decided.temperature }),
      ...(decided.reasoningEffort === undefined ? {} : { reasoningEffort: decided.reasoningEffort }),
      ...(decided.maxOutputTokens === undefined ? {} : { maxOutputTokens: decided.maxOutputTokens }),
      ...(decided.jsonSchema === undefined ? {} : { jsonSchema: decided.jsonSchema })
    }

    const parseOptions = { choices: plan.choices, ...(plan.jsonSchema === undefined ? {} : { schema: plan.jsonSchema }) }
    results.push(await invokeProvider(context, { ...call, request: { ...baseRequest, prompt } }))
    let parsed = parseAnswer(plan.outputFormat, results[0]!.text, parseOptions)
    if (!parsed.ok) {
      // One repair attempt: the model sees the task, its own answer and the rule it broke.
      const repair = repairPrompt(plan.outputFormat, parsed.problem, results[0]!.text, plan.choices, { ...parseOptions, originalPrompt: prompt })
      results.push(await invokeProvider(context, { ...call, request: { ...baseRequest, prompt: repair } }))
      parsed = parseAnswer(plan.outputFormat, results[1]!.text, parseOptions)
    }
    const usage = sumUsage(results.map(result => result.usage))
    const adjustments = [
      ...(schemaProblem === undefined ? [] : [`The JSON schema was not sent to ${plan.modelId} (${schemaProblem}); answers are validated against it instead.`]),
      ...decided.adjustments,
      ...results.flatMap(result => result.adjustments ?? [])
    ]
    const last = results.at(-1)!
    if (!parsed.ok) throw outputFormatError(parsed.problem)
    const answer = parsed.response
    const outputFields: OutputFields = {
      response: answer,
      ...parsed.fields,
      provider: plan.provider.id,
      model: plan.modelId,
      inputTokens: String(usage.inputTokens),
      outputTokens: String(usage.outputTokens),
      hs_execution_state: 'SUCCESS'
    }
    context.repositories.executions.finish(executionId, {
      status: 'success',
      provider: plan.provider.id,
      model: plan.modelId,
      ...usageColumns(usage),
      finishReason: last.finishReason,
      adjustments,
      outputFields,
      ...(context.settings.storePrompts ? { prompt, response: answer } : {}),
      ...finishedNow()
    })
    return { kind: 'finished', state: 'SUCCESS', outputFields, executionId, adjustments }
  } catch (error) {
    if (!isAppError(error)) {
      context.repositories.executions.finish(executionId, { status: 'retry', errorCode: 'INTERNAL', errorMessage: 'unexpected error', ...finishedNow() })
      throw error
    }
    const common = {
      ...(plan === undefined ? {} : { provider: plan.provider.id, model: plan.modelId }),
      ...(results.length === 0 ? {} : usageColumns(sumUsage(results.map(result => result.usage)))),
      errorCode: error.code,
      errorMessage: error.message,
      ...(context.settings.storePrompts && prompt !== undefined ? { prompt } : {}),
      ...finishedNow()
    }
    const retryStatus = RETRY_CODES[error.code]
    if (retryStatus !== undefined) {
      context.repositories.executions.finish(executionId, { ...common, status: 'retry' })
      return { kind: 'retry', statusCode: retryStatus, retryAfterSeconds: error.retryAfterSeconds ?? 30, code: error.code, message: error.message }
    }
    const outputFields: OutputFields = { errorCode: error.code, errorMessage: error.message, hs_execution_state: 'FAIL_CONTINUE' }
    context.repositories.executions.finish(executionId, { ...common, status: 'failed', outputFields })
    return { kind: 'finished', state: 'FAIL_CONTINUE', outputFields, executionId, adjustments: [] }
  } finally {
    clearTimeout(timer)
  }
}

async function renderFor (context: ActionContext, request: ExecutionRequest, plan: ExecutionPlan, readRecordProperties: RecordPropertyReader | undefined) {
  const sent = request.object?.properties
  let values = promptValues(request.inputFields, sent)
  const missing = missingProperties(plan.promptTemplate, values)
  let crmLookup: boolean | undefined
  const objectType = request.object?.objectType
  const objectId = request.object?.objectId
  if (missing.length > 0 && readRecordProperties !== undefined && objectType !== undefined && objectId !== undefined) {
    const fetched = await readRecordProperties(request.portalId, objectType, String(objectId), missing)
    crmLookup = fetched !== undefined
    if (fetched !== undefined) values = promptValues(request.inputFields, sent, fetched)
  } else if (missing.length > 0) {
    crmLookup = false
  }
  const rendered = renderPrompt(plan.promptTemplate, values)
  if (rendered.unresolved.length > 0) throw unresolvedPlaceholdersError(rendered.unresolved, crmLookup === undefined ? {} : { crmLookup })
  return rendered
}

function replay (execution: { status: string, outputFields: string | null }): ExecutionOutcome {
  if (execution.status === 'running' || execution.outputFields === null) {
    return { kind: 'retry', statusCode: 503, retryAfterSeconds: STILL_RUNNING_RETRY_SECONDS, code: 'PROVIDER_UNAVAILABLE', message: 'This execution is still running; its answer will be given to the next delivery.' }
  }
  const outputFields = JSON.parse(execution.outputFields) as OutputFields
  return { kind: 'finished', state: outputFields.hs_execution_state === 'SUCCESS' ? 'SUCCESS' : 'FAIL_CONTINUE', outputFields, adjustments: [] }
}

function sumUsage (usages: readonly Usage[]): Usage {
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

function optional<Name extends string> (name: Name, value: number | undefined): Partial<Record<Name, number>> {
  return value === undefined ? {} : { [name]: value } as Record<Name, number>
}
