import { Type, type Static } from '@sinclair/typebox'
import { ListOfSchema } from './list-of.ts'

const Count = Type.Union([Type.Integer(), Type.Null()])

/** Every state of an economy execution (the store's `EconomyState`), as the API lists them. */
export const ECONOMY_STATES = ['waiting', 'batched', 'answered', 'standard'] as const

/** The HubSpot callback of a BLOCKed execution; an execution answered at once has none. */
export const CompletionSchema = Type.Object({
  state: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  completedAt: Type.Union([Type.String(), Type.Null()]),
  nextAttemptAt: Type.Union([Type.String(), Type.Null()])
})
export type Completion = Static<typeof CompletionSchema>

export const ExecutionSchema = Type.Object({
  id: Type.Integer(),
  action: Type.String(),
  /** Where HubSpot's run came from: `WORKFLOWS`, `AGENTS`, `COPILOT`, `STANDALONE`, `TEST`, `OTHER`, or null. */
  source: Type.Union([Type.String(), Type.Null()]),
  callbackId: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  provider: Type.Union([Type.String(), Type.Null()]),
  model: Type.Union([Type.String(), Type.Null()]),
  errorCode: Type.Union([Type.String(), Type.Null()]),
  errorMessage: Type.Union([Type.String(), Type.Null()]),
  inputTokens: Count,
  outputTokens: Count,
  cachedInputTokens: Count,
  reasoningTokens: Count,
  /** USD at known prices, every run and attempt included; null when some attempt's price is unknown. */
  costUsd: Type.Union([Type.Number(), Type.Null()]),
  finishReason: Type.Union([Type.String(), Type.Null()]),
  latencyMs: Count,
  adjustments: Type.Array(Type.String()),
  startedAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  /** `block` once HubSpot was answered BLOCK (the outcome then goes through the callback API). */
  answered: Type.Union([Type.Literal('block'), Type.Null()]),
  runs: Type.Integer(),
  fallbackReason: Type.Union([Type.String(), Type.Null()]),
  completion: Type.Union([Type.Null(), CompletionSchema]),
  processing: Type.Union([Type.Literal('economy'), Type.Null()], { description: '`economy` when the workflow asked for it and the execution was queued for a provider batch; null for a standard execution' }),
  economyState: Type.Union([...ECONOMY_STATES.map(state => Type.Literal(state)), Type.Null()], {
    description: 'Where an economy execution is: `waiting` for its batch, `batched` (sent in one), `answered` (by its batch) or `standard` (run as a standard call instead; `economyNote` says why); null for a standard execution'
  }),
  economyNote: Type.Union([Type.String(), Type.Null()], { description: 'Why an economy execution ran as a standard call (its batch failed or expired, or it waited too long)' }),
  savedUsd: Type.Union([Type.Number(), Type.Null()], { description: 'USD the batch price saved against the standard price, for an economy execution its batch answered' }),
  prompt: Type.Optional(Type.String()),
  response: Type.Optional(Type.String())
})
export type Execution = Static<typeof ExecutionSchema>

export const ExecutionPageSchema = Type.Composite([ListOfSchema(ExecutionSchema), Type.Object({
  next: Type.Union([Type.Integer(), Type.Null()], { description: 'Pass as `before` for the next page; null on the last' })
})])
export type ExecutionPage = Static<typeof ExecutionPageSchema>
