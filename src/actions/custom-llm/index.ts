import { defineAction } from '../action-module.ts'
import { CUSTOM_LLM_DEPENDENCIES, customLlmInputFields } from './input-fields.ts'
import { customLlmOptions } from './options.ts'
import { resolveCustomLlm } from './resolve-plan.ts'

/** "Use a custom LLM" (contract §3.1). */
export default defineAction({
  key: 'custom-llm',
  resolvePlan: resolveCustomLlm,
  inputFields: customLlmInputFields,
  inputFieldDependencies: CUSTOM_LLM_DEPENDENCIES,
  options: customLlmOptions
})
