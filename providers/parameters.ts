import type { ModelCapabilities, ReasoningEffort } from './contract.ts'

/** What the workflow user (or an assistant) asked for. */
export interface RequestedParameters {
  readonly temperature?: number
  readonly reasoningEffort?: ReasoningEffort
  readonly maxOutputTokens?: number
  readonly jsonSchema?: Readonly<Record<string, unknown>>
}

export interface DecidedParameters {
  readonly temperature?: number
  readonly reasoningEffort?: ReasoningEffort
  readonly maxOutputTokens?: number
  readonly jsonSchema?: Readonly<Record<string, unknown>>
  /** One plain sentence per setting the model could not honour as asked; stored with the execution. */
  readonly adjustments: readonly string[]
}

const EFFORT_ORDER: readonly ReasoningEffort[] = ['low', 'medium', 'high']

/**
 * The one place where a request's settings meet a model's capabilities. Providers receive only what the model
 * takes, and every change made here is named in `adjustments`, so nothing is ever dropped silently.
 */
export function decideParameters (modelId: string, capabilities: ModelCapabilities, requested: RequestedParameters): DecidedParameters {
  const adjustments: string[] = []
  let temperature = requested.temperature
  let reasoningEffort = requested.reasoningEffort

  if (reasoningEffort !== undefined && !capabilities.reasoningEfforts.includes(reasoningEffort)) {
    const nearest = nearestEffort(reasoningEffort, capabilities.reasoningEfforts)
    adjustments.push(nearest === undefined
      ? `Reasoning effort "${reasoningEffort}" ignored: ${modelId} has no reasoning-effort setting.`
      : `Reasoning effort "${reasoningEffort}" sent as "${nearest}": the nearest level ${modelId} supports.`)
    reasoningEffort = nearest
  }

  if (temperature !== undefined) {
    if (!capabilities.temperature) {
      adjustments.push(`Temperature ${temperature} ignored: ${modelId} does not accept a temperature.`)
      temperature = undefined
    } else if (capabilities.temperatureExcludesReasoning === true && reasoningEffort !== undefined) {
      adjustments.push(`Temperature ${temperature} ignored: ${modelId} accepts a temperature only without reasoning effort.`)
      temperature = undefined
    } else if (capabilities.temperatureRange !== undefined) {
      const [lowest, highest] = capabilities.temperatureRange
      const clamped = Math.min(highest, Math.max(lowest, temperature))
      if (clamped !== temperature) {
        adjustments.push(`Temperature ${temperature} sent as ${clamped}: ${modelId} accepts ${lowest} to ${highest}.`)
        temperature = clamped
      }
    }
  }

  let maxOutputTokens = requested.maxOutputTokens
  if (maxOutputTokens !== undefined && capabilities.maxOutputTokens !== undefined && maxOutputTokens > capabilities.maxOutputTokens) {
    adjustments.push(`Output-token cap ${maxOutputTokens} lowered to ${capabilities.maxOutputTokens}, the most ${modelId} produces.`)
    maxOutputTokens = capabilities.maxOutputTokens
  }
  maxOutputTokens ??= capabilities.defaultMaxOutputTokens

  let jsonSchema = requested.jsonSchema
  if (jsonSchema !== undefined && !capabilities.structuredOutput) {
    adjustments.push(`${modelId} has no structured-output mode: the JSON format is asked for in the instructions and validated.`)
    jsonSchema = undefined
  }

  return { temperature, reasoningEffort, maxOutputTokens, jsonSchema, adjustments }
}

function nearestEffort (wanted: ReasoningEffort, supported: readonly ReasoningEffort[]): ReasoningEffort | undefined {
  if (supported.length === 0) return undefined
  const index = EFFORT_ORDER.indexOf(wanted)
  // Prefer more effort over less when equally near: a workflow asking for "medium" wants a considered answer.
  const ranked = [...supported].sort((a, b) => {
    const distance = Math.abs(EFFORT_ORDER.indexOf(a) - index) - Math.abs(EFFORT_ORDER.indexOf(b) - index)
    return distance !== 0 ? distance : EFFORT_ORDER.indexOf(b) - EFFORT_ORDER.indexOf(a)
  })
  return ranked[0]
}
