import type {
  BatchCapability,
  BatchItemRequest,
  BatchItemResult,
  BatchReference,
  BatchState,
  BatchStatus,
  InvokeResult,
  LlmProvider,
  ProviderCredentials
} from '../contract.ts'
import { decideParameters } from '../parameters.ts'
import { callSignal, expectFailure, settle } from './call-outcomes.ts'
import type { CanaryWatch } from './canary-watch.ts'
import { describe, type CheckRunner } from './check-runner.ts'
import type { ConformanceBatchScenario } from './conformance-options.ts'
import { invokeResultProblems } from './invoke-result-checks.ts'
import { isCount, shown } from './model-checks.ts'

const DEFAULT_ENDS_WITHIN_MS = 30_000
const DEFAULT_POLL_INTERVAL_MS = 1000
const CUSTOM_IDS: readonly string[] = ['conformance-first', 'conformance-second']
/** Results read past the submitted items before the kit stops reading: a provider that never ends its results. */
const EXTRA_RESULTS_READ = 10
const STATES: readonly BatchState[] = ['running', 'ended', 'expired', 'failed', 'cancelled']
const METHODS = ['submit', 'status', 'results', 'cancel'] as const
const OPTIONAL_METHODS = ['supports', 'find'] as const
const NOT_SUBMITTED = 'expected a batch id from the submit check, but there was none, so this check did not run'
const NOT_ENDED = 'expected the batch to have ended in the status check, but it had not, so this check did not run'

export interface BatchCheckInput {
  readonly runner: CheckRunner
  readonly canary: CanaryWatch
  /** Every log line so far; the batch's key check reads those its calls add. */
  readonly logged: readonly unknown[]
  readonly provider: LlmProvider
  readonly good: ProviderCredentials
  readonly bad: ProviderCredentials
  readonly modelId: string
  readonly scenario: ConformanceBatchScenario | undefined
}

/**
 * The checks of the batch capability, run only when the provider declares one: its shape; a round trip of two
 * items (submit, `status` until the batch ends, results, cancel once ended); a submit with the bad key; and no key
 * text in anything those calls threw, resolved, yielded or logged. When the shape is wrong no call is made, as the
 * registry's refusal ends the run; a round-trip check whose step before it failed fails saying it did not run, so
 * the report lists the same checks every time.
 */
export async function runBatchChecks (input: BatchCheckInput): Promise<void> {
  const { runner, canary, provider, good, bad, modelId, scenario } = input
  const declared: unknown = provider.batch
  if (declared === undefined) return
  const leaksBefore = canary.leaks.length
  const logsBefore = input.logged.length

  const wellFormed = await runner.run('batch is an object with the functions submit, status, results and cancel, and supports and find when present',
    () => shapeProblems(declared, modelId))
  if (!wellFormed) return
  const batch = declared as BatchCapability
  await runner.run('batch declares maxItems and maxBytes as positive whole numbers', () => limitProblems(batch))

  // A label of its own for each run, so two runs against one vendor account never read as the same batch.
  const label = `provider-conformance-${Date.now().toString(36)}`
  const reference = (batchId: string): BatchReference => ({ ...good, batchId, signal: callSignal() })
  let batchId: string | undefined
  let ended = false

  await runner.run('batch submit of two items resolves the vendor\'s batch id', async () => {
    if (scenario === undefined) {
      return ['expected options.batch, which says how a batch submitted to the stub ends (see ConformanceBatchScenario), since the provider declares batch; the round trip did not run']
    }
    if (batch.supports?.(modelId) === false) return [`expected supports("${modelId}") to be true, since the round trip sends the tested model (choose one the batch API takes)`]
    const submitted = await settle(() => batch.submit({ ...good, modelId, items: batchItems(provider, modelId), label, signal: callSignal() }), canary, 'what batch submit threw')
    if (submitted.error !== undefined) return [`expected {batchId}, but submit threw ${describe(submitted.error)}`]
    canary.inspect(submitted.value, 'what batch submit resolved')
    const id: unknown = submitted.value?.batchId
    if (typeof id !== 'string' || id === '') return [`expected {batchId} holding a non-empty string, got ${shown(submitted.value)}`]
    batchId = id
    return []
  })

  const endsWithinMs = scenario?.endsWithinMs ?? DEFAULT_ENDS_WITHIN_MS
  await runner.run('batch status leaves running once the scenario ends the batch, and answers ended', async () => {
    if (batchId === undefined || scenario === undefined) return [NOT_SUBMITTED]
    const submittedId = batchId
    await scenario.finish?.(submittedId)
    const problems = await statusUntilEnded(() => batch.status(reference(submittedId)), canary, scenario)
    ended = problems.length === 0
    return problems
  }, endsWithinMs)

  await runner.run('batch results yield exactly one answer per submitted custom id, each with text, a finish reason and usage counts', async () => {
    if (batchId === undefined) return [NOT_SUBMITTED]
    if (!ended) return [NOT_ENDED]
    const submittedId = batchId
    return await resultProblems(() => batch.results(reference(submittedId)), canary)
  })

  await runner.run('batch cancel of an ended batch resolves and leaves it ended', async () => {
    if (batchId === undefined) return [NOT_SUBMITTED]
    if (!ended) return [NOT_ENDED]
    const submittedId = batchId
    const cancelled = await settle(() => batch.cancel(reference(submittedId)), canary, 'what batch cancel threw')
    if (cancelled.error !== undefined) return [`expected cancel of an ended batch to do nothing, but it threw ${describe(cancelled.error)}`]
    const after = await settle(() => batch.status(reference(submittedId)), canary, 'what batch status threw')
    if (after.error !== undefined) return [`expected status after the cancel to answer ended, but it threw ${describe(after.error)}`]
    canary.inspect(after.value, 'what batch status resolved')
    return after.value?.state === 'ended' ? [] : [`expected status after the cancel to answer ended, got ${shown(after.value)}`]
  })

  await runner.run('batch submit with the bad key throws ProviderError PROVIDER_AUTH', async () =>
    (await expectFailure(canary, 'batch submit with the bad key', 'PROVIDER_AUTH', '',
      () => batch.submit({ ...bad, modelId, items: batchItems(provider, modelId), label, signal: callSignal() }))).problems)

  await runner.run('batch repeats no key, whole or in part, in what its calls throw, resolve, yield or log', () => {
    for (const entry of input.logged.slice(logsBefore)) canary.inspect(entry, 'a log line')
    const leaks = canary.leaks.slice(leaksBefore)
    return leaks.length === 0 ? [] : [`expected no text of either key, but ${leaks.join(', ')}`]
  })
}

/** Two items with the service's default parameters for the model, as `invoke`'s check sends one. */
function batchItems (provider: LlmProvider, modelId: string): BatchItemRequest[] {
  const { maxOutputTokens } = decideParameters(modelId, provider.capabilities(modelId), {})
  return CUSTOM_IDS.map((customId, index) => ({
    customId, modelId, prompt: index === 0 ? 'Say hello.' : 'Say goodbye.', instructions: 'Answer in one word.', maxOutputTokens
  }))
}

function shapeProblems (batch: unknown, modelId: string): string[] {
  if (typeof batch !== 'object' || batch === null) return [`expected batch, when declared, to be an object, got ${shown(batch)}`]
  const fields = batch as Record<string, unknown>
  const problems = METHODS.filter(name => typeof fields[name] !== 'function').map(name => `expected ${name} to be a function, got ${shown(fields[name])}`)
  for (const name of OPTIONAL_METHODS) {
    if (fields[name] !== undefined && typeof fields[name] !== 'function') problems.push(`expected ${name}, when present, to be a function, got ${shown(fields[name])}`)
  }
  if (typeof fields.supports !== 'function') return problems
  try {
    const answer: unknown = (batch as BatchCapability).supports?.(modelId)
    if (typeof answer !== 'boolean') problems.push(`expected supports("${modelId}") to answer a boolean, got ${shown(answer)}`)
  } catch (error) {
    problems.push(`expected supports("${modelId}") to answer, but it threw ${describe(error)}`)
  }
  return problems
}

function limitProblems (batch: BatchCapability): string[] {
  return (['maxItems', 'maxBytes'] as const)
    .filter(field => !(isCount(batch[field]) && batch[field] > 0))
    .map(field => `expected ${field} to be a positive whole number, got ${shown(batch[field])}`)
}

/**
 * Polls `status` until the batch leaves `running`, within the scenario's bound; no problems when it ended. A
 * batch that stopped another way (failed, expired) fails at once: the scenario ends batches with every item answered.
 */
async function statusUntilEnded (status: () => Promise<BatchStatus>, canary: CanaryWatch, scenario: ConformanceBatchScenario): Promise<string[]> {
  const endsWithinMs = scenario.endsWithinMs ?? DEFAULT_ENDS_WITHIN_MS
  const pollIntervalMs = scenario.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS
  const deadline = performance.now() + endsWithinMs
  for (let calls = 1; ; calls++) {
    const asked = await settle(status, canary, 'what batch status threw')
    if (asked.error !== undefined) return [`expected a status, but status threw ${describe(asked.error)}`]
    canary.inspect(asked.value, 'what batch status resolved')
    const problems = statusProblems(asked.value)
    if (problems.length > 0) return problems
    const { state, vendorState, reason } = asked.value as BatchStatus
    if (state === 'ended') return []
    if (state !== 'running') return [`expected the batch to end with every item answered (ended), but status answered ${state} (${vendorState})${reason === undefined ? '' : `: ${reason}`}`]
    if (performance.now() + pollIntervalMs > deadline) {
      const hint = scenario.finish === undefined ? ' (options.batch.finish can end it at the stub at once)' : ''
      return [`expected the batch to leave running within ${endsWithinMs} ms, but status still answered running (${vendorState}) after ${calls} calls${hint}`]
    }
    await new Promise(resolve => setTimeout(resolve, pollIntervalMs))
  }
}

function statusProblems (status: unknown): string[] {
  if (typeof status !== 'object' || status === null) return [`expected status to resolve {state, vendorState, reason?}, got ${shown(status)}`]
  const { state, vendorState, reason } = status as Partial<Record<keyof BatchStatus, unknown>>
  const problems: string[] = []
  if (!STATES.includes(state as BatchState)) problems.push(`expected state to be one of ${STATES.join(', ')}, got ${shown(state)}`)
  if (typeof vendorState !== 'string' || vendorState === '') problems.push(`expected vendorState to be the vendor's word for the state, got ${shown(vendorState)}`)
  if (reason !== undefined && typeof reason !== 'string') problems.push(`expected reason, when given, to be a string, got ${shown(reason)}`)
  return problems
}

/** Reads every result: one answer for each submitted custom id, none for any other, each a well-formed InvokeResult. */
async function resultProblems (results: () => AsyncIterable<BatchItemResult>, canary: CanaryWatch): Promise<string[]> {
  const counts = new Map<string, number>()
  const problems: string[] = []
  let read = 0
  try {
    for await (const result of results()) {
      canary.inspect(result, 'what batch results yielded')
      problems.push(...itemProblems(result, counts))
      if (++read >= CUSTOM_IDS.length + EXTRA_RESULTS_READ) {
        problems.push(`expected the results to end after the ${CUSTOM_IDS.length} submitted items, but they went on past ${read}`)
        break
      }
    }
  } catch (error) {
    canary.inspect(error, 'what batch results threw')
    problems.push(`expected the results to be read to the end, but reading them threw ${describe(error)}`)
  }
  const missing = CUSTOM_IDS.filter(customId => !counts.has(customId))
  if (missing.length > 0) problems.push(`expected a result for each submitted custom id, but none came for ${missing.map(customId => shown(customId)).join(', ')}`)
  return problems
}

/** What is wrong with one result; `counts` tallies the custom ids seen, so a repeat is named once. */
function itemProblems (result: unknown, counts: Map<string, number>): string[] {
  if (typeof result !== 'object' || result === null) return [`expected each result to be {customId, kind, …}, got ${shown(result)}`]
  const item = result as Partial<Record<string, unknown>>
  const customId = item.customId
  if (typeof customId !== 'string' || !CUSTOM_IDS.includes(customId)) {
    return [`expected results for the submitted custom ids ${CUSTOM_IDS.map(id => shown(id)).join(' and ')} only, got one for ${shown(customId)}`]
  }
  const seen = counts.get(customId) ?? 0
  counts.set(customId, seen + 1)
  if (seen > 0) return seen === 1 ? [`expected one result per custom id, but ${shown(customId)} came more than once`] : []
  if (item.kind === 'answer') return invokeResultProblems(item.result as InvokeResult | undefined).map(problem => `the answer to ${shown(customId)}: ${problem}`)
  if (item.kind === 'error') return [`expected an answer to ${shown(customId)}, since the scenario answers every item, but it came back as an item error: ${shown(item.message)}`]
  return [`expected the result for ${shown(customId)} to be of kind answer or error, got ${shown(item.kind)}`]
}
