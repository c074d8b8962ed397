import { and, asc, desc, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm'
import type { AppDatabase } from '../database.ts'
import { executions } from '../schema.ts'

export type ExecutionStatus = 'running' | 'success' | 'failed' | 'retry' | 'expired'
export type CompletionState = 'pending' | 'delivered' | 'failed'

export interface ExecutionStart {
  readonly portalId: number
  readonly action: string
  readonly callbackId?: string
  readonly source?: string
  readonly startedAt: number
  /** JSON the call can be made again from after a crash; cleared when the execution finishes. */
  readonly request: string
  readonly expiresAt: number
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
  readonly fallbackReason?: string
  readonly prompt?: string
  readonly response?: string
  readonly finishedAt: number
  readonly latencyMs?: number
}

export type ExecutionRow = typeof executions.$inferSelect

const TOKEN_COLUMNS = ['inputTokens', 'outputTokens', 'cachedInputTokens', 'reasoningTokens'] as const

/** Tokens are added to what earlier runs of the same execution spent (a run handed back for a retry costs too). */
function addedTokens (finish: ExecutionFinish) {
  const added: Partial<Record<typeof TOKEN_COLUMNS[number], SQL>> = {}
  for (const column of TOKEN_COLUMNS) {
    const value = finish[column]
    if (value !== undefined) added[column] = sql`coalesce(${executions[column]}, 0) + ${value}`
  }
  return added
}

export type Claim =
  | { readonly kind: 'new', readonly id: number, readonly runs: number }
  | { readonly kind: 'existing', readonly execution: ExecutionRow }

/** What telling HubSpot BLOCK found: still running (now marked), or already finished (answer that instead). */
export type BlockMark =
  | { readonly kind: 'blocked' }
  | { readonly kind: 'finished', readonly execution: ExecutionRow }

/**
 * Executions: the exactly-once gate (one row per portal and callbackId), the durable record an unfinished
 * execution resumes from, and the callback-completion queue. better-sqlite3 runs each transaction synchronously, so
 * two deliveries of one callbackId, or a BLOCK and a finish, can never interleave inside one.
 */
export function createExecutionsRepository (db: AppDatabase) {
  const byId = (id: number) => db.select().from(executions).where(eq(executions.id, id)).get()

  return {
    /**
     * Starts an execution. With a callbackId, a delivery HubSpot already sent gets the stored execution back
     * instead of a new one, except one that was handed back for a retry (429/503), which is claimed again.
     */
    claim (start: ExecutionStart): Claim {
      return db.transaction(tx => {
        if (start.callbackId !== undefined) {
          // A callbackId is unique only within one portal: looked up alone, another portal's id would replay this one's answer.
          const existing = tx.select().from(executions)
            .where(and(eq(executions.portalId, start.portalId), eq(executions.callbackId, start.callbackId))).get()
          if (existing !== undefined && existing.status !== 'retry') return { kind: 'existing', execution: existing }
          if (existing !== undefined) {
            const runs = existing.runs + 1
            // A new run describes itself afresh; only the tokens earlier runs spent stay, and finish adds to them.
            tx.update(executions).set({
              status: 'running', startedAt: start.startedAt, finishedAt: null, errorCode: null, errorMessage: null,
              request: start.request, expiresAt: start.expiresAt, runs,
              provider: null, model: null, finishReason: null, latencyMs: null, adjustments: null, outputFields: null,
              fallbackReason: null, prompt: null, response: null, answered: null
            }).where(eq(executions.id, existing.id)).run()
            return { kind: 'new', id: existing.id, runs }
          }
        }
        const inserted = tx.insert(executions).values({ ...start, status: 'running', runs: 1 }).returning({ id: executions.id }).get()
        return { kind: 'new', id: inserted.id, runs: 1 }
      })
    },

    /** Records that HubSpot was answered BLOCK, unless the execution finished in the meantime. */
    markBlocked (id: number): BlockMark {
      return db.transaction(tx => {
        const row = tx.select().from(executions).where(eq(executions.id, id)).get()
        if (row === undefined) throw new Error(`execution ${id} does not exist`)
        if (row.status !== 'running') return { kind: 'finished', execution: row }
        tx.update(executions).set({ answered: 'block' }).where(eq(executions.id, id)).run()
        return { kind: 'blocked' }
      })
    },

    /**
     * Writes the outcome and forgets the stored request. A finished execution that HubSpot was told BLOCK about
     * joins the completion queue in the same transaction, so no outcome can be written without its delivery.
     */
    finish (id: number, finish: ExecutionFinish): { readonly written: boolean, readonly completionPending: boolean } {
      return db.transaction(tx => {
        const row = tx.select({ answered: executions.answered, callbackId: executions.callbackId }).from(executions).where(eq(executions.id, id)).get()
        const blocked = row?.answered === 'block'
        // HubSpot was told BLOCK, so it will not retry: a transient failure stays unfinished and the engine runs it again.
        if (blocked && finish.status === 'retry') return { written: false, completionPending: false }
        const completionPending = blocked && row.callbackId !== null && finish.outputFields !== undefined && finish.status !== 'expired'
        tx.update(executions).set({
          ...finish,
          ...addedTokens(finish),
          adjustments: finish.adjustments === undefined || finish.adjustments.length === 0 ? null : JSON.stringify(finish.adjustments),
          outputFields: finish.outputFields === undefined ? null : JSON.stringify(finish.outputFields),
          request: null,
          ...(completionPending ? { completionState: 'pending', completionAttempts: 0, completionDueAt: finish.finishedAt, completionError: null } : {})
        }).where(eq(executions.id, id)).run()
        return { written: true, completionPending }
      })
    },

    /** Counts one more start of an unfinished execution's call (a resume), returning the new count. */
    startRun (id: number): number {
      const row = db.update(executions).set({ runs: sql`${executions.runs} + 1` }).where(eq(executions.id, id)).returning({ runs: executions.runs }).get()
      return row?.runs ?? 0
    },

    find (id: number): ExecutionRow | undefined {
      return byId(id)
    },

    findForPortal (portalId: number, id: number): ExecutionRow | undefined {
      return db.select().from(executions).where(and(eq(executions.portalId, portalId), eq(executions.id, id))).get()
    },

    /** Every execution whose call had not finished: after a crash, the ones to resume. */
    unfinished (): ExecutionRow[] {
      return db.select().from(executions).where(eq(executions.status, 'running')).orderBy(asc(executions.id)).all()
    },

    /** Pending completions due by `now`, oldest first. */
    dueCompletions (now: number, limit: number): ExecutionRow[] {
      return db.select().from(executions)
        .where(and(eq(executions.completionState, 'pending'), lte(executions.completionDueAt, now)))
        .orderBy(asc(executions.completionDueAt), asc(executions.id)).limit(limit).all()
    },

    /** When the next pending completion is due, if any is pending. */
    nextCompletionDue (): number | undefined {
      const row = db.select({ due: sql<number | null>`min(${executions.completionDueAt})` }).from(executions)
        .where(eq(executions.completionState, 'pending')).get()
      return row?.due ?? undefined
    },

    completionDelivered (ids: readonly number[], at: number): void {
      db.transaction(tx => {
        for (const id of ids) {
          tx.update(executions).set({ completionState: 'delivered', completedAt: at, completionDueAt: null, completionError: null, completionAttempts: sql`${executions.completionAttempts} + 1` })
            .where(eq(executions.id, id)).run()
        }
      })
    },

    /** A failed attempt: due again at `dueAt`, or `failed` for good when `dueAt` is undefined. */
    completionAttemptFailed (ids: readonly number[], error: string, dueAt: number | undefined): void {
      db.transaction(tx => {
        for (const id of ids) {
          tx.update(executions).set({
            completionState: dueAt === undefined ? 'failed' : 'pending',
            completionDueAt: dueAt ?? null,
            completionError: error,
            completionAttempts: sql`${executions.completionAttempts} + 1`
          }).where(eq(executions.id, id)).run()
        }
      })
    },

    /** An operator's resend: the execution's outcome joins the completion queue again, attempts counted afresh. */
    requestRedelivery (id: number, at: number): void {
      db.update(executions).set({ completionState: 'pending', completionDueAt: at, completionAttempts: 0, completionError: null })
        .where(eq(executions.id, id)).run()
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
