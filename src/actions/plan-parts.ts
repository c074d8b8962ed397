import type { CallTarget, ExecutionPlan } from './engine/types.ts'
import type { ActionContext } from './action-context.ts'
import { assertModelAllowed, credentialsFor, findConnection, findProvider } from './connections.ts'
import { optionalEnumeration, type RawInputs } from './execution-inputs.ts'
import { outputSettings } from './output-format.ts'
import { DEFAULT_PROCESSING, PROCESSING_MODES } from './processing.ts'

/** Where a plan's call goes: the portal's connection of that provider, the model allowed by its allowlist. */
export async function callTarget (context: ActionContext, portalId: number, providerId: string, modelId: string): Promise<CallTarget> {
  const provider = findProvider(context, providerId)
  const connection = await findConnection(context, portalId, provider.id)
  assertModelAllowed(connection, modelId)
  return { provider, connection, credentials: credentialsFor(context, connection), modelId }
}

/** The answer's format, from the outputFormat, choices and jsonSchema fields both actions share. */
export function outputPlan (inputs: RawInputs): Pick<ExecutionPlan, 'outputFormat' | 'choices' | 'jsonSchema'> {
  const output = outputSettings(inputs)
  return { outputFormat: output.format, choices: output.choices, ...(output.schema === undefined ? {} : { jsonSchema: output.schema }) }
}

/** Standard or economy, from the processing field both actions share; empty is standard. */
export function processingPlan (inputs: RawInputs): Pick<ExecutionPlan, 'processing'> {
  return { processing: optionalEnumeration(inputs, 'processing', PROCESSING_MODES) ?? DEFAULT_PROCESSING }
}
