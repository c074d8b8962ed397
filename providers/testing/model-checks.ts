import { REASONING_EFFORTS, type ModelCapabilities } from '../contract.ts'

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/

/** Each problem found in a model's capabilities, as a phrase; empty when they are well formed. */
export function capabilityProblems (capabilities: ModelCapabilities | undefined): string[] {
  if (typeof capabilities !== 'object' || capabilities === null) return [`capabilities is ${shown(capabilities)}, not an object`]
  const problems: string[] = []
  if (typeof capabilities.temperature !== 'boolean') problems.push(`temperature is ${shown(capabilities.temperature)}, not a boolean`)
  const range = capabilities.temperatureRange
  if (range !== undefined) {
    const [lowest, highest] = Array.isArray(range) ? range : []
    if (!Array.isArray(range) || range.length !== 2 || !Number.isFinite(lowest) || !Number.isFinite(highest) ||
      (lowest as number) < 0 || (lowest as number) > (highest as number)) {
      problems.push(`temperatureRange is ${shown(range)}, not [lowest, highest] with 0 ≤ lowest ≤ highest`)
    }
  }
  if (typeof capabilities.temperatureExcludesReasoning !== 'undefined' && typeof capabilities.temperatureExcludesReasoning !== 'boolean') {
    problems.push(`temperatureExcludesReasoning is ${shown(capabilities.temperatureExcludesReasoning)}, not a boolean`)
  }
  const efforts = capabilities.reasoningEfforts
  if (!Array.isArray(efforts)) {
    problems.push(`reasoningEfforts is ${shown(efforts)}, not an array`)
  } else {
    if (!efforts.every(effort => REASONING_EFFORTS.includes(effort))) problems.push(`reasoningEfforts ${shown(efforts)} holds values other than low, medium, high`)
    if (new Set(efforts).size !== efforts.length) problems.push(`reasoningEfforts ${shown(efforts)} repeats a level`)
  }
  if (typeof capabilities.structuredOutput !== 'boolean') problems.push(`structuredOutput is ${shown(capabilities.structuredOutput)}, not a boolean`)
  for (const field of ['maxOutputTokens', 'defaultMaxOutputTokens'] as const) {
    const value = capabilities[field]
    if (value !== undefined && !(isCount(value) && value > 0)) problems.push(`${field} is ${shown(value)}, not a positive whole number`)
  }
  if (capabilities.maxOutputTokens !== undefined && capabilities.defaultMaxOutputTokens !== undefined &&
    capabilities.defaultMaxOutputTokens > capabilities.maxOutputTokens) {
    problems.push(`defaultMaxOutputTokens ${capabilities.defaultMaxOutputTokens} exceeds maxOutputTokens ${capabilities.maxOutputTokens}`)
  }
  return problems
}

/** Each problem found in a list of models (`which` is `curated` or `listed`), as a phrase naming the model. */
export function modelListProblems (models: unknown, which: string): string[] {
  if (!Array.isArray(models)) return [`${which} models are ${shown(models)}, not an array`]
  const problems: string[] = []
  const ids = models.map(model => model?.id)
  const repeated = [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))]
  if (repeated.length > 0) problems.push(`${which} model ids repeat ${repeated.map(id => shown(id)).join(', ')}`)
  for (const model of models) {
    const modelProblems = typeof model?.id === 'string' && model.id !== '' ? [] : [`id is ${shown(model?.id)}, not a non-empty string`]
    if (typeof model?.label !== 'string' || model.label.trim() === '') modelProblems.push(`label is ${shown(model?.label)}, not a non-empty string`)
    if (model?.deprecatedAfter !== undefined && !(typeof model.deprecatedAfter === 'string' && DATE_PATTERN.test(model.deprecatedAfter))) {
      modelProblems.push(`deprecatedAfter is ${shown(model.deprecatedAfter)}, not YYYY-MM-DD`)
    }
    modelProblems.push(...capabilityProblems(model?.capabilities))
    if (modelProblems.length > 0) problems.push(`${which} model ${shown(model?.id)}: ${modelProblems.join(', ')}`)
  }
  return problems
}

export function isCount (value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0
}

/** A value as a reason quotes it: JSON where possible, short. */
export function shown (value: unknown): string {
  let text: string
  try {
    text = value === undefined ? 'undefined' : typeof value === 'function' ? 'a function' : JSON.stringify(value) ?? String(value)
  } catch {
    text = String(value)
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}
