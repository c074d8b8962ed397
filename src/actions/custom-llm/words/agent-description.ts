import { AGENT_TOOL_FORMAT_INPUTS, AGENT_TOOL_PROCESSING_INPUT, AGENT_TOOL_RECORD_INPUTS, AGENT_TOOL_RETURNS } from '../../definitions/agent-tools.ts'

/** "Use a custom LLM" as HubSpot's AI agents read it (agent-tools.ts): English, for a model; every input named. */
export const CUSTOM_LLM_AGENT_DESCRIPTION = 'Sends one prompt to a large language model chosen by provider and model (OpenAI, Anthropic, Cohere, xAI, Google Gemini ' +
  'or a plugin provider connected for this HubSpot account) and returns its answer. Use it to write, summarise, classify, ' +
  'extract or score text, for example to draft an email or rate a lead from record data. It changes nothing in HubSpot. ' +
  'Inputs: provider (required: the provider id, e.g. openai or anthropic, among those connected for this account); ' +
  'model (required: a model id that provider offers and this account allows); ' +
  'fallbackProvider and fallbackModel (optional: used only when the first provider fails with an auth, quota or lasting availability error); ' +
  'prompt (required: the instruction and the text to work on; may contain {{input1}}..{{input3}} and {{propertyName}} placeholders for properties of the enrolled record); ' +
  AGENT_TOOL_RECORD_INPUTS +
  'temperature (optional number from 0 to 2: lower is more focused); reasoningEffort (optional: low, medium or high, for reasoning models); ' +
  'maxOutputTokens (optional: a limit on the length of the answer); ' +
  AGENT_TOOL_FORMAT_INPUTS + AGENT_TOOL_PROCESSING_INPUT + ' ' + AGENT_TOOL_RETURNS
