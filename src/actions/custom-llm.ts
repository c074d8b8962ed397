import { assertModelAllowed, credentialsFor, findConnection, findProvider } from './connections.ts'
import type { ExecutionPlan, PlanResolver } from './execute-action.ts'
import { optionalEffort, optionalNumber, requiredText } from './execution-inputs.ts'
import { outputSettings } from './output-format.ts'

/**
 * "Use a custom LLM" (contract §3.1): the provider and model come from the action's fields; the portal must have
 * connected the provider and allowed the model.
 */
export const resolveCustomLlm: PlanResolver = (context, request): ExecutionPlan => {
  const inputs = request.inputFields
  const providerId = requiredText(inputs, 'provider', 'The AI provider').trim()
  const modelId = requiredText(inputs, 'model', 'The AI model').trim()
  const promptTemplate = requiredText(inputs, 'prompt', 'The prompt')
  const output = outputSettings(inputs)
  const provider = findProvider(context, providerId)
  const connection = findConnection(context, request.portalId, provider.id)
  assertModelAllowed(connection, modelId)
  const temperature = optionalNumber(inputs, 'temperature', { min: 0, max: 2 })
  const reasoningEffort = optionalEffort(inputs)
  const maxOutputTokens = optionalNumber(inputs, 'maxOutputTokens', { min: 1, max: 1_000_000, integer: true })
  return {
    provider,
    connection,
    credentials: credentialsFor(context, connection),
    modelId,
    promptTemplate,
    parameters: {
      ...(temperature === undefined ? {} : { temperature }),
      ...(reasoningEffort === undefined ? {} : { reasoningEffort }),
      ...(maxOutputTokens === undefined ? {} : { maxOutputTokens })
    },
    outputFormat: output.format,
    choices: output.choices,
    ...(output.schema === undefined ? {} : { jsonSchema: output.schema })
  }
}
