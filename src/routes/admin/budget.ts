import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type SchemaOptions, type TSchema } from '@sinclair/typebox'
import { budgetView, saveBudget, type BudgetServices } from '../../actions/budgets/portal-budget.ts'
import { PortalParamsSchema } from '../../schemas/common.ts'
import { ADMIN_ERRORS, errorResponses } from '../../schemas/error-responses.ts'

const Nullable = <Schema extends TSchema>(schema: Schema, options?: SchemaOptions) => Type.Union([schema, Type.Null()], options)

const BudgetSchema = Type.Object({
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

const BudgetBodySchema = Nullable(Type.Object({
  monthlyLimitUsd: Type.Number({ exclusiveMinimum: 0, maximum: 1e9, description: 'USD a calendar month; executions that would pass it fail with BUDGET_EXCEEDED' }),
  warnAtPercent: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 100, description: 'Log one warning a month once this share of the limit is spent' }))),
  timeZone: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone whose calendar months count; UTC when absent' })))
}, { additionalProperties: false }), { description: 'The budget, or null to remove it', examples: [{ monthlyLimitUsd: 50, warnAtPercent: 80, timeZone: 'Europe/Amsterdam' }, null] })

const errors = errorResponses('INVALID_INPUT', ...ADMIN_ERRORS)

/** A portal's monthly spending limit (contract §4): read it with the month's spend, set it, or remove it with null. */
const budget: FastifyPluginAsyncTypebox = async fastify => {
  const services = (): BudgetServices => ({ budgets: fastify.repositories.budgets, guard: fastify.engine.budgets, clock: fastify.clock })

  fastify.get('/portals/:portalId/budget', {
    schema: { summary: 'Read the portal\'s monthly budget with this month\'s spend', tags: ['admin'], params: PortalParamsSchema, response: { 200: BudgetSchema, ...errors } }
  }, async request => budgetView(services(), request.params.portalId))

  fastify.put('/portals/:portalId/budget', {
    schema: { summary: 'Set the portal\'s monthly budget, or remove it with null', tags: ['admin'], params: PortalParamsSchema, body: BudgetBodySchema, response: { 200: BudgetSchema, ...errors } }
  }, async request => saveBudget(services(), request.params.portalId, request.body, request.adminActor, fastify.clock()))
}

export default budget
