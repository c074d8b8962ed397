/**
 * What HubSpot's AI agents see when an action is offered to them as a tool (`--agent-tools`): the `AGENTS` entry of
 * an hsmeta file's `supportedClients`, with its `toolType` and `llmConfig.actionDescription` (hubspot.md §9.3).
 *
 * The descriptions are written for a language model, not for a person in the workflow editor (those are the labels):
 * what the tool does, what each input means, what comes back. English only: HubSpot shows `llmConfig` to the agent,
 * never to a user.
 *
 * Each action writes its own description (`agentDescription` on its module, in its `words/` folder) from the shared
 * phrases below, so the inputs both actions take are explained the same way.
 */

/**
 * Tool types seen for agent tools: `GET_DATA` (reads), `GENERATE` (creates content), `TAKE_ACTION` (changes data,
 * reviewed by the user). HubSpot's own docs for the values were not available to us [UNCONFIRMED: community
 * examples only]. Both actions generate text and change nothing in the CRM, so both are GENERATE.
 */
export type AgentToolType = 'GET_DATA' | 'GENERATE' | 'TAKE_ACTION'

export type SupportedClient =
  | { readonly client: 'WORKFLOWS' }
  | { readonly client: 'AGENTS', readonly toolType: AgentToolType, readonly llmConfig: { readonly actionDescription: string } }

/** What both actions return, for the end of a description. */
export const AGENT_TOOL_RETURNS = 'It returns: response (the answer as text); responseNumber, responseBoolean, responseChoice or responseJson ' +
  '(the same answer checked and typed, filled only when outputFormat is number, boolean, choice or json; responseJson is the JSON as text); ' +
  'provider and model (what actually answered, which can be the fallback); inputTokens and outputTokens (usage); ' +
  'errorCode and errorMessage (set when the call failed, for example PROVIDER_NOT_CONNECTED, MODEL_NOT_ALLOWED, PROVIDER_AUTH, ' +
  'PROVIDER_QUOTA, PROVIDER_TIMEOUT, OUTPUT_FORMAT or INVALID_INPUT).'

/** The output-format inputs both actions take. */
export const AGENT_TOOL_FORMAT_INPUTS = 'outputFormat (optional: text (default), number, boolean, choice or json; the answer is checked against it and retried once); ' +
  'choices (only with outputFormat choice: the allowed answers separated by semicolons, e.g. "hot;warm;cold"); ' +
  'jsonSchema (only with outputFormat json, optional: a JSON Schema, as text, that the answer must match); '

/** The processing input both actions take (processing.ts), ending the list of inputs. */
export const AGENT_TOOL_PROCESSING_INPUT = 'processing (optional: standard (default) answers now; economy answers within 24 hours at about half the price ' +
  'through the provider\'s batch API, so use it only when nobody waits for the answer; economy runs as standard where the provider has no batch API ' +
  'or this HubSpot account has not installed the app via OAuth).'

/** The record-data inputs both actions take. */
export const AGENT_TOOL_RECORD_INPUTS = 'input1, input2, input3 (optional text, usually values from the CRM record, that the prompt quotes as {{input1}}, {{input2}}, {{input3}}); '

/**
 * `supportedClients` of an hsmeta file: workflows always; with `agentTools`, also HubSpot's AI agents. The agent
 * entry carries `toolType` and `llmConfig` inside it, as HubSpot's agent-tool template does [hubspot.md §9.3].
 */
export function supportedClients (agentDescription: string, agentTools: boolean): SupportedClient[] {
  if (!agentTools) return [{ client: 'WORKFLOWS' }]
  return [
    { client: 'WORKFLOWS' },
    { client: 'AGENTS', toolType: 'GENERATE', llmConfig: { actionDescription: agentDescription } }
  ]
}
