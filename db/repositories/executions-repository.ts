import { and, asc, desc, eq, lt, lte, sql, type SQL } from 'drizzle-orm'
import type { AppDatabase } from '../database.ts'
import { executions } from '../schema.ts'
import { committedRow } from './committed-row.ts'
import { createUsageQueries } from './usage-queries.ts'

export const EXECUTION_STATUSES = ['running', 'success', 'failed', 'retry', 'expired'] as const
export type ExecutionStatus = typeof EXECUTION_STATUSES[number]
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
  /** USD this run's priced attempts cost; added to earlier runs'. */
  readonly costUsd?: number
  /** Some attempt of this run had usage but no known price; once set it stays set. */
  readonly costUnknown?: boolean
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

const ADDITIVE_COLUMNS = ['inputTokens', 'outputTokens', 'cachedInputTokens', 'reasoningTokens', 'costUsd'] as const
type AdditiveColumn = typeof ADDITIVE_COLUMNS[number]

/**
 * Tokens and cost are added to what earlier runs of the same execution spent (a run handed back for a retry costs
 * too); a run that reported none leaves the column as it was.
 */
function addedTokens (column: AdditiveColumn) {
  const added = sql.placeholder(column)
  return sql`case when ${added} is null then ${executions[column]} else coalesce(${executions[column]}, 0) + ${added} end`
}

/** What a finish writes, as the prepared update's parameters: every column bound, absent ones as NULL. */
function finishParameters (id: number, finish: ExecutionFinish) {
  return {
    id,
    status: finish.status,
    provider: finish.provider ?? null,
    model: finish.model ?? null,
    errorCode: finish.errorCode ?? null,
    errorMessage: finish.errorMessage ?? null,
    inputTokens: finish.inputTokens ?? null,
    outputTokens: finish.outputTokens ?? null,
    cachedInputTokens: finish.cachedInputTokens ?? null,
    reasoningTokens: finish.reasoningTokens ?? null,
    costUsd: finish.costUsd ?? null,
    costUnknown: finish.costUnknown === true ? 1 : 0,
    finishReason: finish.finishReason ?? null,
    adjustments: finish.adjustments === undefined || finish.adjustments.length === 0 ? null : JSON.stringify(finish.adjustments),
    outputFields: finish.outputFields === undefined ? null : JSON.stringify(finish.outputFields),
    fallbackReason: finish.fallbackReason ?? null,
    prompt: finish.prompt ?? null,
    response: finish.response ?? null,
    finishedAt: finish.finishedAt,
    latencyMs: finish.latencyMs ?? null
  }
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
  // The statements every execution runs are built and prepared once, for the life of the process: building a
  // query and preparing it again cost more than running it (see test/bench). Placeholders bind the values.
  const placeholder = sql.placeholder
  const selectById = db.select().from(executions).where(eq(executions.id, placeholder('id'))).prepare()
  const byId = (id: number): ExecutionRow | undefined => selectById.get({ id })
  const selectByCallback = db.select().from(executions)
    .where(and(eq(executions.portalId, placeholder('portalId')), eq(executions.callbackId, placeholder('callbackId')))).prepare()
  const insertExecution = db.insert(executions).values({
    portalId: placeholder('portalId'),
    action: placeholder('action'),
    callbackId: placeholder('callbackId'),
    source: placeholder('source'),
    startedAt: placeholder('startedAt'),
    request: placeholder('request'),
    expiresAt: placeholder('expiresAt'),
    status: 'running',
    runs: 1
  }).onConflictDoNothing({ target: [executions.portalId, executions.callbackId] }).returning({ id: executions.id }).prepare()
  // An update's set takes SQL rather than bare placeholders.
  const bound = (name: string) => sql`${placeholder(name)}`
  // A finish queues the outcome for HubSpot's callback API when HubSpot was told BLOCK (and there is an outcome
  // to send), decided by the row itself inside the one UPDATE, so no outcome is written without its delivery.
  const queued = sql`(${executions.answered} is 'block' and ${executions.callbackId} is not null and ${placeholder('queueable')} = 1)`
  const whenQueued = (then: SQL, otherwise: SQL) => sql`case when ${queued} then ${then} else ${otherwise} end`
  const finishStatement = db.update(executions).set({
    status: bound('status'),
    provider: bound('provider'),
    model: bound('model'),
    errorCode: bound('errorCode'),
    errorMessage: bound('errorMessage'),
    inputTokens: addedTokens('inputTokens'),
    outputTokens: addedTokens('outputTokens'),
    cachedInputTokens: addedTokens('cachedInputTokens'),
    reasoningTokens: addedTokens('reasoningTokens'),
    costUsd: addedTokens('costUsd'),
    costUnknown: sql`max(${executions.costUnknown}, ${placeholder('costUnknown')})`,
    finishReason: bound('finishReason'),
    adjustments: bound('adjustments'),
    outputFields: bound('outputFields'),
    fallbackReason: bound('fallbackReason'),
    prompt: bound('prompt'),
    response: bound('response'),
    finishedAt: bound('finishedAt'),
    latencyMs: bound('latencyMs'),
    request: null,
    completionState: whenQueued(sql`'pending'`, sql`${executions.completionState}`),
    completionAttempts: whenQueued(sql`0`, sql`${executions.completionAttempts}`),
    completionDueAt: whenQueued(bound('finishedAt'), sql`${executions.completionDueAt}`),
    completionError: whenQueued(sql`null`, sql`${executions.completionError}`)
  // HubSpot was told BLOCK, so it will not retry: a transient failure is not written, and the engine runs it again.
  }).where(and(eq(executions.id, placeholder('id')), sql`not (${executions.answered} is 'block' and ${placeholder('status')} = 'retry')`))
    .returning({ completionPending: sql<number>`${queued}` }).prepare()
  const updateBlocked = db.update(executions).set({ answered: 'block' }).where(eq(executions.id, placeholder('id'))).prepare()

  return {
    /**
     * Starts an execution. With a callbackId, a delivery HubSpot already sent gets the stored execution back
     * instead of a new one, except one that was handed back for a retry (429/503), which is claimed again.
     */
    claim (start: ExecutionStart): Claim {
      // One statement for a new execution: the insert claims the callbackId itself, and the unique index on
      // (portal_id, callback_id) turns a delivery HubSpot already sent into no row. A callbackId is unique only
      // within one portal: another portal's id never replays this one's answer.
      const inserted = committedRow(insertExecution.all({
        portalId: start.portalId, action: start.action, callbackId: start.callbackId ?? null, source: start.source ?? null,
        startedAt: start.startedAt, request: start.request, expiresAt: start.expiresAt
      }))
      if (inserted !== undefined) return { kind: 'new', id: inserted.id, runs: 1 }
      return db.transaction(tx => {
        const existing = selectByCallback.get({ portalId: start.portalId, callbackId: start.callbackId ?? null })
        if (existing === undefined) throw new Error('the execution insert claimed nothing and found no earlier delivery')
        if (existing.status !== 'retry') return { kind: 'existing', execution: existing }
        const runs = existing.runs + 1
        // A new run describes itself afresh; only the tokens earlier runs spent stay, and finish adds to them.
        tx.update(executions).set({
          status: 'running', startedAt: start.startedAt, finishedAt: null, errorCode: null, errorMessage: null,
          request: start.request, expiresAt: start.expiresAt, runs,
          provider: null, model: null, finishReason: null, latencyMs: null, adjustments: null, outputFields: null,
          fallbackReason: null, prompt: null, response: null, answered: null
        }).where(eq(executions.id, existing.id)).run()
        return { kind: 'new', id: existing.id, runs }
      })
    },

    /** Records that HubSpot was answered BLOCK, unless the execution finished in the meantime. */
    markBlocked (id: number): BlockMark {
      return db.transaction(tx => {
        const row = byId(id)
        if (row === undefined) throw new Error(`execution ${id} does not exist`)
        if (row.status !== 'running') return { kind: 'finished', execution: row }
        updateBlocked.run({ id })
        return { kind: 'blocked' }
      })
    },

    /**
     * Writes the outcome and forgets the stored request, in one statement. A finished execution that HubSpot was
     * told BLOCK about joins the completion queue in that same statement. `written` is false when nothing was
     * written: a transient failure of an execution HubSpot was told BLOCK about (the engine runs it again).
     */
    finish (id: number, finish: ExecutionFinish): { readonly written: boolean, readonly completionPending: boolean } {
      const queueable = finish.outputFields !== undefined && finish.status !== 'expired'
      const row = committedRow(finishStatement.all({ ...finishParameters(id, finish), queueable: queueable ? 1 : 0 }))
      return row === undefined ? { written: false, completionPending: false } : { written: true, completionPending: row.completionPending === 1 }
    },

    /** Counts one more start of an unfinished execution's call (a resume), returning the new count. */
    startRun (id: number): number {
      const row = committedRow(db.update(executions).set({ runs: sql`${executions.runs} + 1` }).where(eq(executions.id, id)).returning({ runs: executions.runs }).all())
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

    /** How many completions are waiting to go out (due or backing off); read by scrapes, never on the execution path. */
    countPendingCompletions (): number {
      const row = db.select({ count: sql<number>`count(*)` }).from(executions)
        .where(eq(executions.completionState, 'pending')).get()
      return row?.count ?? 0
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

    /** The portal's executions newest first, older than `before` when given, of one status when given. */
    recent (portalId: number, limit: number, before?: number, status?: ExecutionStatus): ExecutionRow[] {
      const conditions: SQL[] = [eq(executions.portalId, portalId)]
      if (before !== undefined) conditions.push(lt(executions.id, before))
      if (status !== undefined) conditions.push(eq(executions.status, status))
      return db.select().from(executions).where(and(...conditions)).orderBy(desc(executions.id)).limit(limit).all()
    },

    ...createUsageQueries(db)
  }
}

export type ExecutionsRepository = ReturnType<typeof createExecutionsRepository>
