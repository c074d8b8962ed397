import { Type, type Static } from '@sinclair/typebox'

const Time = Type.Union([Type.String(), Type.Null()])

/** A portal's unfinished economy executions by where they are (finished ones are in the executions list). */
export const EconomyQueueSchema = Type.Object({
  waiting: Type.Integer({ description: 'queued for their connection\'s next batch' }),
  batched: Type.Integer({ description: 'in a batch at the provider' }),
  answered: Type.Integer({ description: 'answered by their batch, their outcome being written' }),
  standard: Type.Integer({ description: 'running as standard calls instead' })
})
export type EconomyQueue = Static<typeof EconomyQueueSchema>

/** One provider batch: one connection (provider) and one model of the portal. */
export const EconomyBatchSchema = Type.Object({
  id: Type.Integer(),
  provider: Type.String(),
  model: Type.String(),
  state: Type.String({ description: '`submitting`, `submitted` (at the provider, polled), `done` (its results taken) or `abandoned` (its items ran as standard calls); read back from the store, so a reader must cope with one it does not know' }),
  vendorBatchId: Type.Union([Type.String(), Type.Null()], { description: 'the provider\'s id of the batch, once it took it' }),
  vendorState: Type.Union([Type.String(), Type.Null()], { description: 'the provider\'s own word for where the batch is, at the last poll' }),
  items: Type.Integer({ description: 'requests in the batch' }),
  answered: Type.Integer({ description: 'items the batch answered' }),
  ranStandard: Type.Integer({ description: 'items that ran as standard calls instead' }),
  createdAt: Type.String(),
  submittedAt: Time,
  finishedAt: Time,
  error: Type.Union([Type.String(), Type.Null()], { description: 'why it was abandoned, or why its last submit or poll failed' })
})
export type EconomyBatch = Static<typeof EconomyBatchSchema>

export const EconomyReportSchema = Type.Object({
  queue: EconomyQueueSchema,
  batches: Type.Array(EconomyBatchSchema, { description: 'newest first' }),
  next: Type.Union([Type.Integer(), Type.Null()], { description: 'Pass as `before` for the next page of batches; null on the last' }),
  month: Type.String({ description: 'the UTC calendar month `savedUsd` counts, `YYYY-MM`' }),
  savedUsd: Type.Number({ description: 'USD the batch price saved this month against the standard price' })
}, {
  examples: [{
    queue: { waiting: 12, batched: 40, answered: 0, standard: 0 },
    batches: [{
      id: 7, provider: 'openai', model: 'gpt-4.1', state: 'done', vendorBatchId: 'batch_abc123', vendorState: 'completed', items: 40, answered: 39, ranStandard: 1,
      createdAt: '2026-11-02T09:30:00.000Z', submittedAt: '2026-11-02T09:35:00.000Z', finishedAt: '2026-11-02T10:10:00.000Z', error: null
    }],
    next: null,
    month: '2026-11',
    savedUsd: 0.4215
  }]
})
export type EconomyReport = Static<typeof EconomyReportSchema>
