import { AGENT_TOOL_FORMAT_INPUTS, AGENT_TOOL_PROCESSING_INPUT, AGENT_TOOL_RECORD_INPUTS, AGENT_TOOL_RETURNS } from '../../definitions/agent-tools.ts'

/** "Ask OpenAI assistant" as HubSpot's AI agents read it (agent-tools.ts): English, for a model; every input named. */
export const OPENAI_ASSISTANT_AGENT_DESCRIPTION = 'Runs a saved OpenAI assistant (its own model, instructions and settings, from the OpenAI account connected for this ' +
  'HubSpot account) on one prompt and returns its answer. Use it when a prepared assistant should do the work, for example ' +
  'answering with the agency\'s house style or knowledge. It changes nothing in HubSpot. ' +
  'Inputs: assistant (required: the id of a saved assistant, e.g. asst_...); ' +
  'prompt (required: the message for the assistant; may contain {{input1}}..{{input3}} and {{propertyName}} placeholders for properties of the enrolled record); ' +
  AGENT_TOOL_RECORD_INPUTS +
  'model (optional: overrides the assistant\'s model); temperature (optional number from 0 to 2: overrides the assistant\'s temperature); ' +
  AGENT_TOOL_FORMAT_INPUTS + AGENT_TOOL_PROCESSING_INPUT + ' ' + AGENT_TOOL_RETURNS
