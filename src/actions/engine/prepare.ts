import type { InvokeRequest } from '../../../providers/contract.ts'
import { decideParameters } from '../../../providers/parameters.ts'
import type { ActionContext } from '../action-context.ts'
import { formatInstructions, jsonSchemaFor, strictModeProblem } from '../output-format.ts'
import { joinInstructions, missingProperties, promptValues, RECORD_DATA_INSTRUCTIONS, renderPrompt, unresolvedPlaceholdersError } from '../render-prompt.ts'
import type { CallTarget, ExecutionPlan, ExecutionRequest, PlanResolver, RecordPropertyReader } from './types.ts'

/** The provider request without what each call adds (signal, key, base URL). */
export type ProviderRequest = Omit<InvokeRequest, 'signal' | 'apiKey' | 'baseUrl'>

/** An execution ready to call: the plan, the rendered prompt, and how to phrase the request for a given model. */
export interface PreparedExecution {
  readonly plan: ExecutionPlan
  readonly prompt: string
  readonly parseOptions: { readonly choices: readonly string[], readonly schema?: Readonly<Record<string, unknown>> }
  /** Properties of the enrolled record read from the CRM for the prompt (HubSpot did not send them), if any. */
  readonly readProperties?: Readonly<Record<string, unknown>>
  /** The request for one target (the primary, or a fallback: parameters depend on the model), and what was adjusted. */
  requestFor (target: CallTarget, prompt: string): { readonly request: ProviderRequest, readonly adjustments: readonly string[] }
}

/**
 * Step "prepare": the action's plan (connection, key, model, allowlist), the prompt with every placeholder filled
 * (from the inputs, `object.properties`, else the CRM), and the instructions. Throws an AppError for a permanent
 * failure; nothing here calls a provider.
 */
export async function prepareExecution (context: ActionContext, request: ExecutionRequest, resolvePlan: PlanResolver, readRecordProperties: RecordPropertyReader | undefined): Promise<PreparedExecution> {
  const plan = await resolvePlan(context, request)
  const rendered = await renderFor(request, plan, readRecordProperties)
  // A user's schema that strict structured output would refuse is enforced by validation alone, and said so.
  const schemaProblem = plan.jsonSchema === undefined ? undefined : strictModeProblem(plan.jsonSchema)
  const structuredSchema = schemaProblem === undefined ? jsonSchemaFor(plan.outputFormat, plan.choices, plan.jsonSchema) : undefined
  const instructions = joinInstructions(plan.instructions, rendered.recordData ? RECORD_DATA_INSTRUCTIONS : undefined, formatInstructions(plan.outputFormat, plan.choices, plan.jsonSchema))
  return {
    plan,
    prompt: rendered.prompt,
    parseOptions: { choices: plan.choices, ...(plan.jsonSchema === undefined ? {} : { schema: plan.jsonSchema }) },
    ...(rendered.fetched === undefined ? {} : { readProperties: rendered.fetched }),
    requestFor (target, prompt) {
      const decided = decideParameters(target.modelId, target.provider.capabilities(target.modelId), {
        ...plan.parameters,
        ...(structuredSchema === undefined ? {} : { jsonSchema: structuredSchema })
      })
      return {
        request: {
          modelId: target.modelId,
          prompt,
          ...(instructions === undefined ? {} : { instructions }),
          ...(decided.temperature === undefined ? {} : { temperature: decided.temperature }),
          ...(decided.reasoningEffort === undefined ? {} : { reasoningEffort: decided.reasoningEffort }),
          ...(decided.maxOutputTokens === undefined ? {} : { maxOutputTokens: decided.maxOutputTokens }),
          ...(decided.jsonSchema === undefined ? {} : { jsonSchema: decided.jsonSchema })
        },
        adjustments: [
          ...(schemaProblem === undefined ? [] : [`The JSON schema was not sent to ${target.modelId} (${schemaProblem}); answers are validated against it instead.`]),
          ...decided.adjustments
        ]
      }
    }
  }
}

async function renderFor (request: ExecutionRequest, plan: ExecutionPlan, readRecordProperties: RecordPropertyReader | undefined) {
  const sent = request.object?.properties
  let values = promptValues(request.inputFields, sent)
  const missing = missingProperties(plan.promptTemplate, values)
  let crmLookup: boolean | undefined
  let fetched: Record<string, unknown> | undefined
  const objectType = request.object?.objectType
  const objectId = request.object?.objectId
  if (missing.length > 0 && readRecordProperties !== undefined && objectType !== undefined && objectId !== undefined) {
    fetched = await readRecordProperties(request.portalId, objectType, String(objectId), missing)
    crmLookup = fetched !== undefined
    if (fetched !== undefined) values = promptValues(request.inputFields, sent, fetched)
  } else if (missing.length > 0) {
    crmLookup = false
  }
  const rendered = renderPrompt(plan.promptTemplate, values)
  if (rendered.unresolved.length > 0) throw unresolvedPlaceholdersError(rendered.unresolved, crmLookup === undefined ? {} : { crmLookup })
  return { ...rendered, ...(fetched === undefined ? {} : { fetched }) }
}
