import { type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from '@sinclair/typebox'
import type { UsageGrouping, UsageTotals } from '../../../db/repositories/usage-queries.ts'
import { AppError } from '../../../plugins/errors.ts'
import { PortalUsageReportSchema, UsageReportSchema, UsageTotalsSchema } from '../../schemas/admin/usage.ts'
import { PortalParamsSchema } from '../../schemas/common.ts'
import { sendCsv, toCsv, wantsCsv } from '../csv.ts'
import { ADMIN_ERRORS, errorResponses } from '../../schemas/error-responses.ts'
import { InstantSchema, parseInstant } from '../../schemas/instant.ts'
import { dollars } from '../../actions/dollars.ts'
import { portalUsage, usageByPortal } from '../../actions/records.ts'

const TOTAL_COLUMNS = Object.keys(UsageTotalsSchema.properties) as ReadonlyArray<keyof UsageTotals>
/** The columns in USD, rounded as `dollars` does; the rest are counts. */
const USD_COLUMNS: ReadonlySet<keyof UsageTotals> = new Set(['costUsd', 'economyCostUsd', 'savedUsd'])

/** An ISO date (a whole UTC day) or an ISO date-time with its zone: local times would depend on the server. */
const RangeQuerySchema = Type.Object({
  from: Type.Optional(InstantSchema),
  to: Type.Optional(Type.String({ ...InstantSchema, description: 'exclusive' }))
})
const GROUPINGS = ['provider', 'model', 'action', 'day'] as const satisfies readonly UsageGrouping[]
/** The key columns each grouping's rows (and CSV) carry; `model` rows name their provider too. */
const KEY_COLUMNS: Readonly<Record<UsageGrouping, readonly string[]>> = { provider: ['provider'], model: ['provider', 'model'], action: ['action'], day: ['day'] }

/** Usage reports (contract §4): one portal's by provider, model, action or day, and every portal's spend. */
const usage: FastifyPluginAsyncTypebox = async fastify => {
  fastify.get('/portals/:portalId/usage', {
    schema: {
      summary: 'One portal\'s usage by provider, model, action or day',
      description: 'JSON by default; CSV (one row per group) with `Accept: text/csv`. Each row splits economy from standard executions (`economyExecutions`, `economyCostUsd`) and says what economy saved (`savedUsd`).',
      tags: ['admin'],
      params: PortalParamsSchema,
      querystring: Type.Composite([RangeQuerySchema, Type.Object({
        groupBy: Type.Optional(Type.Union(GROUPINGS.map(grouping => Type.Literal(grouping)), { description: 'default model (provider and model)' }))
      })]),
      response: { 200: UsageReportSchema, ...errorResponses('INVALID_INPUT', ...ADMIN_ERRORS) }
    }
  }, async (request, reply) => {
    const { from, to } = timeRange(request.query, fastify.clock())
    const groupBy = request.query.groupBy ?? 'model'
    const items = (await portalUsage(fastify.repositories, request.params.portalId, from, to, groupBy)).map(inDollars)
    if (wantsCsv(request)) {
      return sendCsv(reply, toCsv([...KEY_COLUMNS[groupBy], ...TOTAL_COLUMNS], items), `usage-${request.params.portalId}-${groupBy}.csv`)
    }
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), items, totals: totalsOf(items) }
  })

  fastify.get('/usage', {
    schema: {
      summary: 'Every portal\'s usage, sorted by spend (the agency\'s invoice)',
      description: 'JSON by default; CSV (one row per portal) with `Accept: text/csv`. Each row splits economy from standard executions (`economyExecutions`, `economyCostUsd`) and says what economy saved (`savedUsd`).',
      tags: ['admin'],
      querystring: RangeQuerySchema,
      response: { 200: PortalUsageReportSchema, ...errorResponses('INVALID_INPUT', ...ADMIN_ERRORS) }
    }
  }, async (request, reply) => {
    const { from, to } = timeRange(request.query, fastify.clock())
    const items = (await usageByPortal(fastify.repositories, from, to)).map(inDollars)
    if (wantsCsv(request)) return sendCsv(reply, toCsv(['portalId', ...TOTAL_COLUMNS], items), 'usage-portals.csv')
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), items, totals: totalsOf(items) }
  })
}

/** `from` inclusive, `to` exclusive; by default the current UTC calendar month (the month budgets count). */
export function timeRange (query: Static<typeof RangeQuerySchema>, now: number): { from: number, to: number } {
  const today = new Date(now)
  const from = parseInstant(query.from, 'from') ?? Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1)
  const to = parseInstant(query.to, 'to') ?? Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 1)
  if (from >= to) throw new AppError('INVALID_INPUT', '"from" must be before "to".')
  return { from, to }
}

function totalsOf (items: readonly UsageTotals[]): UsageTotals {
  const sum = (column: keyof UsageTotals) => items.reduce((total, row) => total + row[column], 0)
  return Object.fromEntries(TOTAL_COLUMNS.map(column => [column, USD_COLUMNS.has(column) ? dollars(sum(column)) : sum(column)])) as unknown as UsageTotals
}

/** A row with its USD columns rounded (as a plain object type, which the CSV writer takes). */
function inDollars<Row extends UsageTotals> (row: Row): { [Column in keyof Row]: Row[Column] } {
  return { ...row, ...Object.fromEntries([...USD_COLUMNS].map(column => [column, dollars(row[column])])) }
}

export default usage
