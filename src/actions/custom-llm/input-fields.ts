import { REASONING_EFFORTS } from '../../../providers/contract.ts'
import type { InputFieldDefinition, InputFieldDependency } from '../definitions/definition-types.ts'
import {
  dynamicSelect, input, modelDependsOnProvider, OUTPUT_FORMAT_DEPENDENCIES, outputFormatFields, processingField, promptFields, staticSelect
} from '../definitions/fields.ts'

/** "Use a custom LLM" input fields (contract §3.1), in the order the workflow editor shows them. */
export function customLlmInputFields (optionsUrl: string): InputFieldDefinition[] {
  return [
    dynamicSelect('provider', optionsUrl, { required: true }),
    dynamicSelect('model', optionsUrl, { required: true }),
    // Optional: most workflows need no fallback, and the plan only asks for it when the primary fails.
    dynamicSelect('fallbackProvider', optionsUrl),
    dynamicSelect('fallbackModel', optionsUrl),
    ...promptFields(),
    input('temperature', 'number', 'number'),
    staticSelect('reasoningEffort', REASONING_EFFORTS),
    input('maxOutputTokens', 'number', 'number'),
    ...outputFormatFields(),
    processingField()
  ]
}

export const CUSTOM_LLM_DEPENDENCIES: readonly InputFieldDependency[] = [
  modelDependsOnProvider('provider', 'model'),
  modelDependsOnProvider('fallbackProvider', 'fallbackModel'),
  ...OUTPUT_FORMAT_DEPENDENCIES
]
