import { Type, type Static, type TObject } from '@sinclair/typebox'

export const UsageTotalsSchema = Type.Object({
  executions: Type.Integer(),
  errors: Type.Integer(),
  inputTokens: Type.Integer(),
  cachedInputTokens: Type.Integer(),
  outputTokens: Type.Integer(),
  reasoningTokens: Type.Integer(),
  /** USD at known prices; `unpricedExecutions` says how many executions it leaves partly uncounted. */
  costUsd: Type.Number(),
  unpricedExecutions: Type.Integer(),
  economyExecutions: Type.Integer({ description: 'Of `executions`, those queued for economy processing (a provider batch), including the ones that ran as standard calls after all; the rest are standard executions' }),
  economyCostUsd: Type.Number({ description: 'Of `costUsd`, what the economy executions cost (at the batch price where a batch answered them)' }),
  savedUsd: Type.Number({ description: 'USD the batch price saved against the standard price, summed over the economy executions a batch answered' })
})
export type UsageTotals = Static<typeof UsageTotalsSchema>

/** One portal's group: only the key columns of the chosen grouping are present (`model` rows name their provider too). */
export const UsageRowSchema = Type.Composite([Type.Object({
  provider: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  model: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  action: Type.Optional(Type.String()),
  day: Type.Optional(Type.String())
}), UsageTotalsSchema])
export type UsageRow = Static<typeof UsageRowSchema>

export const PortalUsageRowSchema = Type.Composite([Type.Object({ portalId: Type.Integer() }), UsageTotalsSchema])
export type PortalUsageRow = Static<typeof PortalUsageRowSchema>

const reportOf = <Row extends TObject>(row: Row) => Type.Object({
  from: Type.String(), to: Type.String(), items: Type.Array(row), totals: UsageTotalsSchema
})

export const UsageReportSchema = reportOf(UsageRowSchema)
export type UsageReport = Static<typeof UsageReportSchema>

/** The agency's invoice: one row per portal with executions in the range. */
export const PortalUsageReportSchema = reportOf(PortalUsageRowSchema)
export type PortalUsageReport = Static<typeof PortalUsageReportSchema>
