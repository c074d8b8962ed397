import { defineAction } from '../action-module.ts'
import { OPENAI_ASSISTANT_DEPENDENCIES, openAIAssistantInputFields } from './input-fields.ts'
import { openAIAssistantOptions } from './options.ts'
import { resolveOpenAIAssistant } from './resolve-plan.ts'
import { OPENAI_ASSISTANT_AGENT_DESCRIPTION } from './words/agent-description.ts'
import { OPENAI_ASSISTANT_WORDS } from './words/index.ts'

/** "Ask OpenAI assistant" (contract §3.2). */
export default defineAction({
  key: 'openai-assistant',
  resolvePlan: resolveOpenAIAssistant,
  inputFields: openAIAssistantInputFields,
  inputFieldDependencies: OPENAI_ASSISTANT_DEPENDENCIES,
  options: openAIAssistantOptions,
  words: OPENAI_ASSISTANT_WORDS,
  agentDescription: OPENAI_ASSISTANT_AGENT_DESCRIPTION
})
