import type { EconomyBatchRow } from '../../db/repositories/economy-repository.ts'
import type { Repositories } from '../../db/repositories/index.ts'
import { AppError } from '../../plugins/errors.ts'
import type { EconomyBatch, EconomyReport } from '../schemas/admin/economy.ts'
import { monthOf } from './budgets/month-of.ts'
import { dollars } from './dollars.ts'

export interface EconomyPage {
  readonly limit: number
  /** Only batches older than this batch id (the `next` of the previous page). */
  readonly before?: number
}

const isoOrNull = (time: number | null) => time === null ? null : new Date(time).toISOString()

function batchJson (row: EconomyBatchRow): EconomyBatch {
  return {
    id: row.id,
    provider: row.provider,
    model: row.model,
    state: row.state,
    vendorBatchId: row.vendorBatchId,
    vendorState: row.vendorState,
    items: row.items,
    answered: row.answered,
    ranStandard: row.ranStandard,
    createdAt: new Date(row.createdAt).toISOString(),
    submittedAt: isoOrNull(row.submittedAt),
    finishedAt: isoOrNull(row.finishedAt),
    error: row.error
  }
}

/**
 * A portal's economy queue as the admin API shows it: its unfinished economy executions by state, a page of its
 * batches (newest first), and what economy saved this UTC calendar month (the month the usage reports default to).
 * Read-only. NOT_FOUND for a portal this service has never known (no connection, install, assistant or budget ever):
 * a portal that ever had a batch had a connection, and its row stays after a disconnect.
 */
export async function portalEconomy (repositories: Pick<Repositories, 'portals' | 'economy' | 'executions'>, portalId: number, page: EconomyPage, now: number): Promise<EconomyReport> {
  if (await repositories.portals.find(portalId) === undefined) {
    throw new AppError('NOT_FOUND', `Portal ${portalId} is not known here (GET /api/portals lists the portals that are).`)
  }
  const month = monthOf(now, null)
  const [queue, batches, usage] = await Promise.all([
    repositories.economy.queueCounts(portalId),
    repositories.economy.recent(portalId, page.limit, page.before),
    repositories.executions.usage(portalId, month.startMs, month.endMs, 'provider')
  ])
  return {
    queue,
    batches: batches.map(batchJson),
    next: batches.length === page.limit ? batches.at(-1)?.id ?? null : null,
    month: month.month,
    savedUsd: dollars(usage.reduce((total, row) => total + row.savedUsd, 0))
  }
}
