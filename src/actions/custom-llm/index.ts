import { defineAction } from '../action-module.ts'
import { CUSTOM_LLM_DEPENDENCIES, customLlmInputFields } from './input-fields.ts'
import { customLlmOptions } from './options.ts'
import { resolveCustomLlm } from './resolve-plan.ts'
import { CUSTOM_LLM_AGENT_DESCRIPTION } from './words/agent-description.ts'
import { CUSTOM_LLM_WORDS } from './words/index.ts'

/** "Use a custom LLM" (contract §3.1). */
export default defineAction({
  key: 'custom-llm',
  resolvePlan: resolveCustomLlm,
  inputFields: customLlmInputFields,
  inputFieldDependencies: CUSTOM_LLM_DEPENDENCIES,
  options: customLlmOptions,
  words: CUSTOM_LLM_WORDS,
  agentDescription: CUSTOM_LLM_AGENT_DESCRIPTION
})
