import type { ExecutionPlan, PlanResolver } from './execute-action.ts'
import { optionalEffort, optionalNumber, requiredText } from './execution-inputs.ts'
import { callTarget, outputPlan } from './plan-parts.ts'

/**
 * "Use a custom LLM" (contract §3.1): the provider and model come from the action's fields; the portal must have
 * connected the provider and allowed the model.
 */
export const resolveCustomLlm: PlanResolver = (context, request): ExecutionPlan => {
  const inputs = request.inputFields
  const providerId = requiredText(inputs, 'provider', 'The AI provider').trim()
  const modelId = requiredText(inputs, 'model', 'The AI model').trim()
  const promptTemplate = requiredText(inputs, 'prompt', 'The prompt')
  const output = outputPlan(inputs)
  return {
    ...callTarget(context, request.portalId, providerId, modelId),
    promptTemplate,
    parameters: {
      temperature: optionalNumber(inputs, 'temperature', { min: 0, max: 2 }),
      reasoningEffort: optionalEffort(inputs),
      maxOutputTokens: optionalNumber(inputs, 'maxOutputTokens', { min: 1, max: 1_000_000, integer: true })
    },
    ...output
  }
}
