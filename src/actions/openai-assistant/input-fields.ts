import type { InputFieldDefinition, InputFieldDependency } from '../definitions/definition-types.ts'
import { dynamicSelect, input, OUTPUT_FORMAT_DEPENDENCIES, outputFormatFields, processingField, promptFields } from '../definitions/fields.ts'

/** "Ask OpenAI assistant" input fields (contract §3.2), in the order the workflow editor shows them. */
export function openAIAssistantInputFields (optionsUrl: string): InputFieldDefinition[] {
  return [
    dynamicSelect('assistant', optionsUrl, { required: true }),
    ...promptFields(),
    // Overrides of the assistant's own settings, so optional: empty keeps the assistant's.
    dynamicSelect('model', optionsUrl),
    input('temperature', 'number', 'number'),
    ...outputFormatFields(),
    processingField()
  ]
}

export const OPENAI_ASSISTANT_DEPENDENCIES: readonly InputFieldDependency[] = OUTPUT_FORMAT_DEPENDENCIES
