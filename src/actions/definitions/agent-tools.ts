/**
 * What HubSpot's AI agents see when an action is offered to them as a tool (`--agent-tools`): the `AGENTS` entry of
 * an hsmeta file's `supportedClients`, with its `toolType` and `llmConfig.actionDescription` (hubspot.md §9.3).
 *
 * The descriptions are written for a language model, not for a person in the workflow editor (those are the labels):
 * what the tool does, what each input means, what comes back. English only: HubSpot shows `llmConfig` to the agent,
 * never to a user.
 */

import type { ActionKey } from '../builtin-actions.ts'

/**
 * Tool types seen for agent tools: `GET_DATA` (reads), `GENERATE` (creates content), `TAKE_ACTION` (changes data,
 * reviewed by the user). HubSpot's own docs for the values were not available to us [UNCONFIRMED: community
 * examples only]. Both actions generate text and change nothing in the CRM, so both are GENERATE.
 */
export type AgentToolType = 'GET_DATA' | 'GENERATE' | 'TAKE_ACTION'

export type SupportedClient =
  | { readonly client: 'WORKFLOWS' }
  | { readonly client: 'AGENTS', readonly toolType: AgentToolType, readonly llmConfig: { readonly actionDescription: string } }

const RETURNS = 'It returns: response (the answer as text); responseNumber, responseBoolean, responseChoice or responseJson ' +
  '(the same answer checked and typed, filled only when outputFormat is number, boolean, choice or json; responseJson is the JSON as text); ' +
  'provider and model (what actually answered, which can be the fallback); inputTokens and outputTokens (usage); ' +
  'errorCode and errorMessage (set when the call failed, for example PROVIDER_NOT_CONNECTED, MODEL_NOT_ALLOWED, PROVIDER_AUTH, ' +
  'PROVIDER_QUOTA, PROVIDER_TIMEOUT, OUTPUT_FORMAT or INVALID_INPUT).'

const FORMAT_INPUTS = 'outputFormat (optional: text (default), number, boolean, choice or json; the answer is checked against it and retried once); ' +
  'choices (only with outputFormat choice: the allowed answers separated by semicolons, e.g. "hot;warm;cold"); ' +
  'jsonSchema (only with outputFormat json, optional: a JSON Schema, as text, that the answer must match).'

const RECORD_INPUTS = 'input1, input2, input3 (optional text, usually values from the CRM record, that the prompt quotes as {{input1}}, {{input2}}, {{input3}}); '

export const AGENT_TOOL_DESCRIPTIONS: Readonly<Record<ActionKey, string>> = {
  'custom-llm': 'Sends one prompt to a large language model chosen by provider and model (OpenAI, Anthropic, Cohere, xAI, Google Gemini ' +
    'or a plugin provider connected for this HubSpot account) and returns its answer. Use it to write, summarise, classify, ' +
    'extract or score text, for example to draft an email or rate a lead from record data. It changes nothing in HubSpot. ' +
    'Inputs: provider (required: the provider id, e.g. openai or anthropic, among those connected for this account); ' +
    'model (required: a model id that provider offers and this account allows); ' +
    'fallbackProvider and fallbackModel (optional: used only when the first provider fails with an auth, quota or lasting availability error); ' +
    'prompt (required: the instruction and the text to work on; may contain {{input1}}..{{input3}} and {{propertyName}} placeholders for properties of the enrolled record); ' +
    RECORD_INPUTS +
    'temperature (optional number from 0 to 2: lower is more focused); reasoningEffort (optional: low, medium or high, for reasoning models); ' +
    'maxOutputTokens (optional: a limit on the length of the answer); ' +
    FORMAT_INPUTS + ' ' + RETURNS,
  'openai-assistant': 'Runs a saved OpenAI assistant (its own model, instructions and settings, from the OpenAI account connected for this ' +
    'HubSpot account) on one prompt and returns its answer. Use it when a prepared assistant should do the work, for example ' +
    'answering with the agency\'s house style or knowledge. It changes nothing in HubSpot. ' +
    'Inputs: assistant (required: the id of a saved assistant, e.g. asst_...); ' +
    'prompt (required: the message for the assistant; may contain {{input1}}..{{input3}} and {{propertyName}} placeholders for properties of the enrolled record); ' +
    RECORD_INPUTS +
    'model (optional: overrides the assistant\'s model); temperature (optional number from 0 to 2: overrides the assistant\'s temperature); ' +
    FORMAT_INPUTS + ' ' + RETURNS
}

/**
 * `supportedClients` of an hsmeta file: workflows always; with `agentTools`, also HubSpot's AI agents. The agent
 * entry carries `toolType` and `llmConfig` inside it, as HubSpot's agent-tool template does [hubspot.md §9.3].
 */
export function supportedClients (key: ActionKey, agentTools: boolean): SupportedClient[] {
  if (!agentTools) return [{ client: 'WORKFLOWS' }]
  return [
    { client: 'WORKFLOWS' },
    { client: 'AGENTS', toolType: 'GENERATE', llmConfig: { actionDescription: AGENT_TOOL_DESCRIPTIONS[key] } }
  ]
}
