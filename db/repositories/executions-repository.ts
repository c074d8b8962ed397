import { and, desc, eq, gte, lt, sql } from 'drizzle-orm'
import type { AppDatabase } from '../database.ts'
import { executions } from '../schema.ts'

export type ExecutionStatus = 'running' | 'success' | 'failed' | 'retry'

export interface ExecutionStart {
  readonly portalId: number
  readonly action: string
  readonly callbackId?: string
  readonly provider?: string
  readonly model?: string
  readonly startedAt: number
}

export interface ExecutionFinish {
  readonly status: Exclude<ExecutionStatus, 'running'>
  readonly provider?: string
  readonly model?: string
  readonly errorCode?: string
  readonly errorMessage?: string
  readonly inputTokens?: number
  readonly outputTokens?: number
  readonly cachedInputTokens?: number
  readonly reasoningTokens?: number
  readonly finishReason?: string
  readonly adjustments?: readonly string[]
  readonly outputFields?: Readonly<Record<string, string>>
  readonly prompt?: string
  readonly response?: string
  readonly finishedAt: number
  readonly latencyMs?: number
}

export type ExecutionRow = typeof executions.$inferSelect

export type Claim =
  | { readonly kind: 'new', readonly id: number }
  | { readonly kind: 'existing', readonly execution: ExecutionRow }

export function createExecutionsRepository (db: AppDatabase) {
  return {
    /**
     * Starts an execution. With a callbackId this is the exactly-once gate: a delivery HubSpot already sent gets
     * the stored execution back instead of a new one, except one that we handed back for a retry (429/503),
     * which is claimed again.
     */
    claim (start: ExecutionStart): Claim {
      return db.transaction(tx => {
        if (start.callbackId !== undefined) {
          const existing = tx.select().from(executions).where(eq(executions.callbackId, start.callbackId)).get()
          if (existing !== undefined && existing.status !== 'retry') return { kind: 'existing', execution: existing }
          if (existing !== undefined) {
            tx.update(executions).set({ status: 'running', startedAt: start.startedAt, finishedAt: null, errorCode: null, errorMessage: null })
              .where(eq(executions.id, existing.id)).run()
            return { kind: 'new', id: existing.id }
          }
        }
        const inserted = tx.insert(executions).values({ ...start, status: 'running' }).returning({ id: executions.id }).get()
        return { kind: 'new', id: inserted.id }
      })
    },

    finish (id: number, finish: ExecutionFinish): void {
      db.update(executions).set({
        ...finish,
        adjustments: finish.adjustments === undefined || finish.adjustments.length === 0 ? null : JSON.stringify(finish.adjustments),
        outputFields: finish.outputFields === undefined ? null : JSON.stringify(finish.outputFields)
      }).where(eq(executions.id, id)).run()
    },

    recent (portalId: number, limit: number, before?: number): ExecutionRow[] {
      return db.select().from(executions)
        .where(before === undefined ? eq(executions.portalId, portalId) : and(eq(executions.portalId, portalId), lt(executions.id, before)))
        .orderBy(desc(executions.id)).limit(limit).all()
    },

    /** Totals per provider and model between two times (inclusive from, exclusive to). */
    usage (portalId: number, from: number, to: number) {
      return db.select({
        provider: executions.provider,
        model: executions.model,
        executions: sql<number>`count(*)`,
        errors: sql<number>`sum(case when ${executions.status} = 'failed' then 1 else 0 end)`,
        inputTokens: sql<number>`coalesce(sum(${executions.inputTokens}), 0)`,
        outputTokens: sql<number>`coalesce(sum(${executions.outputTokens}), 0)`,
        cachedInputTokens: sql<number>`coalesce(sum(${executions.cachedInputTokens}), 0)`,
        reasoningTokens: sql<number>`coalesce(sum(${executions.reasoningTokens}), 0)`
      }).from(executions)
        .where(and(eq(executions.portalId, portalId), gte(executions.startedAt, from), lt(executions.startedAt, to)))
        .groupBy(executions.provider, executions.model)
        .orderBy(executions.provider, executions.model).all()
    }
  }
}

export type ExecutionsRepository = ReturnType<typeof createExecutionsRepository>
