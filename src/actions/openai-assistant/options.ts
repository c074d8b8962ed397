import type { ActionContext } from '../action-context.ts'
import { ASSISTANT_PROVIDER } from '../assistants.ts'
import { modelOptions, type FieldOption, type OptionsQuery } from '../field-options.ts'

/** Options of "Ask OpenAI assistant": the portal's saved assistants, and the models of its OpenAI connection. */
export async function openAIAssistantOptions (context: ActionContext, query: OptionsQuery): Promise<readonly FieldOption[]> {
  switch (query.fieldName) {
    case 'assistant':
      return (await context.repositories.assistants.list(query.portalId)).map(assistant => ({ label: assistant.name, value: assistant.id, description: assistant.model }))
    case 'model':
      return modelOptions(context, query.portalId, ASSISTANT_PROVIDER)
    default:
      return []
  }
}
