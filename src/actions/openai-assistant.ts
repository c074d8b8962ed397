import type { ReasoningEffort } from '../../providers/contract.ts'
import { ASSISTANT_PROVIDER, findAssistant } from './assistants.ts'
import { assertModelAllowed, credentialsFor, findConnection, findProvider } from './connections.ts'
import type { ExecutionPlan, PlanResolver } from './execute-action.ts'
import { optionalNumber, optionalText, requiredText } from './execution-inputs.ts'
import { outputSettings } from './output-format.ts'

/**
 * "Ask OpenAI assistant" (contract §3.2): a saved assistant run through OpenAI's Responses API with its own
 * instructions. The action's model and temperature override the assistant's; an empty model means the
 * assistant's own, as in HubSpot's action.
 */
export const resolveOpenAIAssistant: PlanResolver = (context, request): ExecutionPlan => {
  const inputs = request.inputFields
  const assistant = findAssistant(context, request.portalId, requiredText(inputs, 'assistant', 'The assistant').trim())
  const promptTemplate = requiredText(inputs, 'prompt', 'The prompt')
  const output = outputSettings(inputs)
  const provider = findProvider(context, ASSISTANT_PROVIDER)
  const connection = findConnection(context, request.portalId, provider.id)
  const modelId = optionalText(inputs, 'model')?.trim() ?? assistant.model
  assertModelAllowed(connection, modelId)
  const temperature = optionalNumber(inputs, 'temperature', { min: 0, max: 2 }) ?? assistant.temperature ?? undefined
  const reasoningEffort = (assistant.reasoningEffort as ReasoningEffort | null) ?? undefined
  return {
    provider,
    connection,
    credentials: credentialsFor(context, connection),
    modelId,
    promptTemplate,
    ...(assistant.instructions.trim() === '' ? {} : { instructions: assistant.instructions }),
    parameters: {
      ...(temperature === undefined ? {} : { temperature }),
      ...(reasoningEffort === undefined ? {} : { reasoningEffort })
    },
    outputFormat: output.format,
    choices: output.choices,
    ...(output.schema === undefined ? {} : { jsonSchema: output.schema })
  }
}
