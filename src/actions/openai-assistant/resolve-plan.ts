import type { ReasoningEffort } from '../../../providers/contract.ts'
import { ASSISTANT_PROVIDER, findAssistant } from '../assistants.ts'
import type { ExecutionPlan, PlanResolver } from '../engine/types.ts'
import { optionalNumber, optionalText, requiredText } from '../execution-inputs.ts'
import { callTarget, outputPlan, processingPlan } from '../plan-parts.ts'

/**
 * "Ask OpenAI assistant" (contract §3.2): a saved assistant run through OpenAI's Responses API with its own
 * instructions. The action's model and temperature override the assistant's; an empty model means the
 * assistant's own, as in HubSpot's action.
 */
export const resolveOpenAIAssistant: PlanResolver = async (context, request): Promise<ExecutionPlan> => {
  const inputs = request.inputFields
  const assistant = await findAssistant(context, request.portalId, requiredText(inputs, 'assistant', 'The assistant').trim())
  const promptTemplate = requiredText(inputs, 'prompt', 'The prompt')
  const output = outputPlan(inputs)
  const processing = processingPlan(inputs)
  const modelId = optionalText(inputs, 'model')?.trim() ?? assistant.model
  return {
    ...await callTarget(context, request.portalId, ASSISTANT_PROVIDER, modelId),
    promptTemplate,
    ...(assistant.instructions.trim() === '' ? {} : { instructions: assistant.instructions }),
    parameters: {
      temperature: optionalNumber(inputs, 'temperature', { min: 0, max: 2 }) ?? assistant.temperature ?? undefined,
      reasoningEffort: (assistant.reasoningEffort as ReasoningEffort | null) ?? undefined
    },
    ...output,
    ...processing
  }
}
