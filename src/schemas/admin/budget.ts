import { Type, type SchemaOptions, type Static, type TSchema } from '@sinclair/typebox'

const Nullable = <Schema extends TSchema>(schema: Schema, options?: SchemaOptions) => Type.Union([schema, Type.Null()], options)

/** Without a budget the limit fields are null and the month is UTC's; nothing is reserved, since no check runs. */
export const BudgetSchema = Type.Object({
  monthlyLimitUsd: Nullable(Type.Number({ description: 'null: the portal has no budget' })),
  warnAtPercent: Nullable(Type.Integer()),
  timeZone: Nullable(Type.String({ description: 'IANA name whose calendar months count; null: UTC' })),
  month: Type.String({ description: 'The current month, YYYY-MM, in the budget\'s time zone' }),
  spentUsd: Type.Number({ description: 'Recorded cost of the executions started this month' }),
  reservedUsd: Type.Number({ description: 'Held by provider calls running now: their estimates, or their cost until their execution is recorded' }),
  remainingUsd: Nullable(Type.Number()),
  warned: Type.Boolean({ description: 'Whether this month\'s warnAtPercent crossing was logged' })
}, {
  examples: [{ monthlyLimitUsd: 50, warnAtPercent: 80, timeZone: 'Europe/Amsterdam', month: '2026-11', spentUsd: 12.4, reservedUsd: 0.03, remainingUsd: 37.57, warned: false }]
})
export type Budget = Static<typeof BudgetSchema>

/** A budget to set: absent warnAtPercent and timeZone mean no warning and UTC. */
export const BudgetInputSchema = Type.Object({
  monthlyLimitUsd: Type.Number({ exclusiveMinimum: 0, maximum: 1e9, description: 'USD a calendar month; executions that would pass it fail with BUDGET_EXCEEDED' }),
  warnAtPercent: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 100, description: 'Log one warning a month once this share of the limit is spent' }))),
  timeZone: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone whose calendar months count; UTC when absent' })))
}, { additionalProperties: false })
export type BudgetInput = Static<typeof BudgetInputSchema>

/** The budget removed, in the shape GET answers for a portal without one: its other settings null or absent. */
export const BudgetRemovalSchema = Type.Object({
  monthlyLimitUsd: Type.Null({ description: 'null: remove the budget' }),
  warnAtPercent: Type.Optional(Type.Null()),
  timeZone: Type.Optional(Type.Null())
}, { additionalProperties: false })
export type BudgetRemoval = Static<typeof BudgetRemovalSchema>

/** The PUT body: the budget, or null, or `{monthlyLimitUsd: null}`, which remove it. */
export const BudgetBodySchema = Type.Union([BudgetInputSchema, BudgetRemovalSchema, Type.Null()], {
  description: 'The budget; or null, or {"monthlyLimitUsd": null} (the shape GET answers without one), to remove it',
  examples: [{ monthlyLimitUsd: 50, warnAtPercent: 80, timeZone: 'Europe/Amsterdam' }, { monthlyLimitUsd: null }, null]
})
export type BudgetBody = Static<typeof BudgetBodySchema>
