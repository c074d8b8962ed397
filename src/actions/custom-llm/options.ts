import type { ActionContext } from '../action-context.ts'
import { connectedProviderOptions, filledValue, modelOptions, type FieldOption, type OptionsQuery } from '../field-options.ts'

/**
 * Options of "Use a custom LLM": both provider fields list the portal's connected providers, and each model
 * field the models of the provider chosen in its own provider field.
 */
export async function customLlmOptions (context: ActionContext, query: OptionsQuery): Promise<readonly FieldOption[]> {
  switch (query.fieldName) {
    case 'provider':
    case 'fallbackProvider':
      return await connectedProviderOptions(context, query.portalId)
    case 'model':
      return modelOptions(context, query.portalId, filledValue(query, 'provider'))
    case 'fallbackModel':
      return modelOptions(context, query.portalId, filledValue(query, 'fallbackProvider'))
    default:
      return []
  }
}
