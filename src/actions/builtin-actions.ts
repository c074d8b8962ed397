import type { ActionModule } from './action-module.ts'
import customLlm from './custom-llm/index.ts'
import openaiAssistant from './openai-assistant/index.ts'

/** Every action this service offers, in the order the definitions list them. */
export const BUILTIN_ACTIONS = [customLlm, openaiAssistant] as const satisfies readonly ActionModule[]

export type ActionKey = typeof BUILTIN_ACTIONS[number]['key']

export const ACTION_KEYS: readonly ActionKey[] = BUILTIN_ACTIONS.map(action => action.key)

export function findAction (key: string): ActionModule | undefined {
  return BUILTIN_ACTIONS.find(action => action.key === key)
}
