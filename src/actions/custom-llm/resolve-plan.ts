import type { ExecutionPlan, FallbackChoice, PlanResolver } from '../engine/types.ts'
import { optionalEffort, optionalNumber, optionalText, requiredText, type RawInputs } from '../execution-inputs.ts'
import { callTarget, outputPlan, processingPlan } from '../plan-parts.ts'
import { AppError } from '../../../plugins/errors.ts'

/**
 * "Use a custom LLM" (contract §3.1): the provider and model come from the action's fields; the portal must have
 * connected the provider and allowed the model. The fallback is only named here and resolved when it is needed.
 */
export const resolveCustomLlm: PlanResolver = async (context, request): Promise<ExecutionPlan> => {
  const inputs = request.inputFields
  const providerId = requiredText(inputs, 'provider', 'The AI provider').trim()
  const modelId = requiredText(inputs, 'model', 'The AI model').trim()
  const promptTemplate = requiredText(inputs, 'prompt', 'The prompt')
  const output = outputPlan(inputs)
  const processing = processingPlan(inputs)
  const fallback = fallbackChoice(inputs)
  return {
    ...await callTarget(context, request.portalId, providerId, modelId),
    promptTemplate,
    parameters: {
      temperature: optionalNumber(inputs, 'temperature', { min: 0, max: 2 }),
      reasoningEffort: optionalEffort(inputs),
      maxOutputTokens: optionalNumber(inputs, 'maxOutputTokens', { min: 1, max: 1_000_000, integer: true })
    },
    ...output,
    ...processing,
    ...(fallback === undefined ? {} : { fallback })
  }
}

/** Both fields or neither: a fallback provider without a model (or the reverse) is a mistake worth saying. */
function fallbackChoice (inputs: RawInputs): FallbackChoice | undefined {
  const providerId = optionalText(inputs, 'fallbackProvider')?.trim()
  const modelId = optionalText(inputs, 'fallbackModel')?.trim()
  if (providerId === undefined && modelId === undefined) return undefined
  if (providerId === undefined || modelId === undefined) {
    throw new AppError('INVALID_INPUT', `The fallback needs both fields: fill in ${providerId === undefined ? '"fallbackProvider"' : '"fallbackModel"'} too, or clear both.`)
  }
  return { providerId, modelId }
}
