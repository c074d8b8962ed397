import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { budgetView, saveBudget, type BudgetServices } from '../../actions/budgets/portal-budget.ts'
import { BudgetBodySchema, BudgetSchema } from '../../schemas/admin/budget.ts'
import { PortalParamsSchema } from '../../schemas/common.ts'
import { ADMIN_ERRORS, errorResponses } from '../../schemas/error-responses.ts'

const errors = errorResponses('INVALID_INPUT', ...ADMIN_ERRORS)

/** A portal's monthly spending limit (contract §4): read it with the month's spend, set it, or remove it (null, or a null limit). */
const budget: FastifyPluginAsyncTypebox = async fastify => {
  const services = (): BudgetServices => ({ budgets: fastify.repositories.budgets, guard: fastify.engine.budgets, clock: fastify.clock })

  fastify.get('/portals/:portalId/budget', {
    schema: { summary: 'Read the portal\'s monthly budget with this month\'s spend', tags: ['admin'], params: PortalParamsSchema, response: { 200: BudgetSchema, ...errors } }
  }, async request => budgetView(services(), request.params.portalId))

  fastify.put('/portals/:portalId/budget', {
    schema: { summary: 'Set the portal\'s monthly budget, or remove it with null or {"monthlyLimitUsd": null}', tags: ['admin'], params: PortalParamsSchema, body: BudgetBodySchema, response: { 200: BudgetSchema, ...errors } }
  }, async request => saveBudget(services(), request.params.portalId, request.body, request.adminActor, fastify.clock()))
}

export default budget
