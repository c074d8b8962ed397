import { and, asc, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm'
import type { Driver, Executor } from '../driver.ts'
import type { executions as executionsTable } from '../schema/sqlite.ts'
import { auditEventWriter, type AuditWriter } from './audit-repository.ts'
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

/** An instance's hold on work: who (`INSTANCE_ID`) and until when, unless renewed. */
export interface Lease {
  readonly owner: string
  readonly until: number
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
  /** USD a batch answer saved against the standard price (economy executions answered by their batch). */
  readonly savedUsd?: number
  readonly finishReason?: string
  readonly adjustments?: readonly string[]
  readonly outputFields?: Readonly<Record<string, string>>
  readonly fallbackReason?: string
  readonly prompt?: string
  readonly response?: string
  readonly finishedAt: number
  readonly latencyMs?: number
}

export type ExecutionRow = typeof executionsTable.$inferSelect

/** Who asked for a redelivery: the actor its audit event names. */
export interface RedeliveryAudit {
  readonly actor: string
}

/** An execution's callback completion as the `redeliver` audit event shows it. */
const auditedCompletion = (row: Pick<ExecutionRow, 'completionState' | 'completionAttempts' | 'completionError'>) =>
  ({ completion: row.completionState, attempts: row.completionAttempts, error: row.completionError })

const ADDITIVE_COLUMNS = ['inputTokens', 'outputTokens', 'cachedInputTokens', 'reasoningTokens', 'costUsd'] as const
type AdditiveColumn = typeof ADDITIVE_COLUMNS[number]


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
    savedUsd: finish.savedUsd ?? null,
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
 * execution resumes from, and the callback-completion queue. Two deliveries of one callbackId meet at the unique
 * index, and a BLOCK and a finish meet in single conditional statements, so neither can interleave on either dialect.
 */
export function createExecutionsRepository (driver: Driver, writer: AuditWriter = {}) {
  const { db, tables: { executions } } = driver
  const audit = auditEventWriter(driver, writer)
  /**
   * Tokens and cost are added to what earlier runs of the same execution spent (a run handed back for a retry costs
   * too); a run that reported none leaves the column as it was.
   */
  const addedTokens = (column: AdditiveColumn) => {
    const added = driver.sql.typedPlaceholder(column, column === 'costUsd' ? 'real' : 'integer')
    return sql`case when ${added} is null then ${executions[column]} else coalesce(${executions[column]}, 0) + ${added} end`
  }
  // The statements every execution runs are built and prepared once, for the life of the process: building a
  // query and preparing it again cost more than running it (see test/bench). Placeholders bind the values.
  const placeholder = sql.placeholder
  const selectById = driver.prepare('execution_by_id', db.select().from(executions).where(eq(executions.id, placeholder('id'))))
  const byId = async (id: number): Promise<ExecutionRow | undefined> => (await selectById({ id }))[0]
  const insertExecution = driver.prepare('execution_claim', db.insert(executions).values({
    portalId: placeholder('portalId'),
    action: placeholder('action'),
    callbackId: placeholder('callbackId'),
    source: placeholder('source'),
    startedAt: placeholder('startedAt'),
    request: placeholder('request'),
    expiresAt: placeholder('expiresAt'),
    status: 'running',
    runs: 1,
    leaseOwner: placeholder('leaseOwner'),
    leaseExpiresAt: placeholder('leaseExpiresAt')
  }).onConflictDoNothing({ target: [executions.portalId, executions.callbackId] }).returning({ id: executions.id }))
  // An update's set takes SQL rather than bare placeholders.
  const bound = (name: string) => sql`${placeholder(name)}`
  // A finish queues the outcome for HubSpot's callback API when HubSpot was told BLOCK (and there is an outcome
  // to send), decided by the row itself inside the one UPDATE, so no outcome is written without its delivery.
  const queued = sql`(coalesce(${executions.answered}, '') = 'block' and ${executions.callbackId} is not null and ${placeholder('queueable')} = 1)`
  const whenQueued = (then: SQL, otherwise: SQL) => sql`case when ${queued} then ${then} else ${otherwise} end`
  const finishStatement = driver.prepare('execution_finish', db.update(executions).set({
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
    costUnknown: driver.sql.larger(executions.costUnknown, placeholder('costUnknown')),
    finishReason: bound('finishReason'),
    adjustments: bound('adjustments'),
    outputFields: bound('outputFields'),
    fallbackReason: bound('fallbackReason'),
    prompt: bound('prompt'),
    response: bound('response'),
    finishedAt: bound('finishedAt'),
    latencyMs: bound('latencyMs'),
    savedUsd: sql`coalesce(${placeholder('savedUsd')}, ${executions.savedUsd})`,
    request: null,
    economyAnswer: null,
    completionState: whenQueued(sql`'pending'`, sql`${executions.completionState}`),
    completionAttempts: whenQueued(sql`0`, sql`${executions.completionAttempts}`),
    completionDueAt: whenQueued(bound('finishedAt'), sql`${executions.completionDueAt}`),
    completionError: whenQueued(sql`null`, sql`${executions.completionError}`),
    leaseOwner: null,
    leaseExpiresAt: null
  // HubSpot was told BLOCK, so it will not retry: a transient failure is not written, and the engine runs it again.
  // Only the lease's owner writes: an instance that lost it (paused past it) cannot overwrite the new owner's outcome.
  }).where(and(eq(executions.id, placeholder('id')), eq(executions.leaseOwner, placeholder('owner')), eq(executions.status, 'running'),
    sql`not (coalesce(${executions.answered}, '') = 'block' and ${placeholder('status')} = 'retry')`))
    .returning({ completionPending: sql<boolean>`${queued}`.mapWith(Boolean) }))
  // Marks BLOCK only while the execution runs; a finished one is read back instead, so the answer never contradicts it.
  const updateBlocked = driver.prepare('execution_block', db.update(executions).set({ answered: 'block' })
    .where(and(eq(executions.id, placeholder('id')), eq(executions.status, 'running'))).returning({ id: executions.id }))

  return {
    /**
     * Starts an execution. With a callbackId, a delivery HubSpot already sent gets the stored execution back
     * instead of a new one, except one that was handed back for a retry (429/503), which is claimed again.
     */
    async claim (start: ExecutionStart, lease: Lease): Promise<Claim> {
      // One statement for a new execution: the insert claims the callbackId itself, and the unique index on
      // (portal_id, callback_id) turns a delivery HubSpot already sent into no row. A callbackId is unique only
      // within one portal: another portal's id never replays this one's answer.
      const [inserted] = await insertExecution({
        portalId: start.portalId, action: start.action, callbackId: start.callbackId ?? null, source: start.source ?? null,
        startedAt: start.startedAt, request: start.request, expiresAt: start.expiresAt, leaseOwner: lease.owner, leaseExpiresAt: lease.until
      })
      if (inserted !== undefined) return { kind: 'new', id: inserted.id, runs: 1 }
      const where = and(eq(executions.portalId, start.portalId), eq(executions.callbackId, start.callbackId ?? ''))
      // A delivery handed back for a retry is claimed again by one conditional update: of two such deliveries at
      // once, only one finds it still in `retry`. A new run describes itself afresh; only the tokens earlier runs
      // spent stay, and finish adds to them.
      const reclaimed = await driver.first(db.update(executions).set({
        status: 'running', startedAt: start.startedAt, finishedAt: null, errorCode: null, errorMessage: null,
        request: start.request, expiresAt: start.expiresAt, runs: sql`${executions.runs} + 1`,
        provider: null, model: null, finishReason: null, latencyMs: null, adjustments: null, outputFields: null,
        fallbackReason: null, prompt: null, response: null, answered: null, leaseOwner: lease.owner, leaseExpiresAt: lease.until
      }).where(and(where, eq(executions.status, 'retry'))).returning({ id: executions.id, runs: executions.runs }))
      if (reclaimed !== undefined) return { kind: 'new', id: reclaimed.id, runs: reclaimed.runs }
      const existing = await driver.first(db.select().from(executions).where(where))
      if (existing === undefined) throw new Error('the execution insert claimed nothing and found no earlier delivery')
      return { kind: 'existing', execution: existing }
    },

    /** Records that HubSpot was answered BLOCK, unless the execution finished in the meantime. */
    async markBlocked (id: number): Promise<BlockMark> {
      if ((await updateBlocked({ id })).length > 0) return { kind: 'blocked' }
      const row = await byId(id)
      if (row === undefined) throw new Error(`execution ${id} does not exist`)
      return { kind: 'finished', execution: row }
    },

    /**
     * Writes the outcome and forgets the stored request, in one statement. A finished execution that HubSpot was
     * told BLOCK about joins the completion queue in that same statement. `written` is false when nothing was
     * written: a transient failure of an execution HubSpot was told BLOCK about (the engine runs it again), or
     * `lost` when `owner` no longer holds the execution's lease (another instance took it over, or it is finished).
     * The lease ends with the write; what the execution holds against a budget stays until `settleBudget`.
     */
    async finish (id: number, finish: ExecutionFinish, owner: string): Promise<{ readonly written: boolean, readonly completionPending: boolean, readonly lost: boolean }> {
      const queueable = finish.outputFields !== undefined && finish.status !== 'expired'
      const [row] = await finishStatement({ ...finishParameters(id, finish), queueable: queueable ? 1 : 0, owner })
      if (row !== undefined) return { written: true, completionPending: row.completionPending, lost: false }
      // The rare path: which of the conditions refused the write.
      const current = await byId(id)
      return { written: false, completionPending: false, lost: current === undefined || current.status !== 'running' || current.leaseOwner !== owner }
    },

    /** Counts one more start of the owner's unfinished execution (a run again, a takeover); 0 when the lease is lost. */
    async startRun (id: number, owner: string): Promise<number> {
      const row = await driver.first(db.update(executions).set({ runs: sql`${executions.runs} + 1` })
        .where(and(eq(executions.id, id), eq(executions.leaseOwner, owner), eq(executions.status, 'running'))).returning({ runs: executions.runs }))
      return row?.runs ?? 0
    },

    /**
     * Extends `owner`'s leases on the executions it is working on to `until`, and answers the ids it still holds, so
     * it learns which ones another instance took over. Leases it holds on anything else are left to run out.
     */
    async renewLeases (owner: string, until: number, ids: readonly number[]): Promise<Set<number>> {
      const renewed = new Set<number>()
      // In slices: one statement's parameters stay far below either database's limit.
      for (let start = 0; start < ids.length; start += 1_000) {
        const rows = await driver.all(db.update(executions).set({ leaseExpiresAt: until })
          .where(and(eq(executions.leaseOwner, owner), inArray(executions.id, ids.slice(start, start + 1_000)))).returning({ id: executions.id }))
        for (const row of rows) renewed.add(row.id)
      }
      return renewed
    },

    /**
     * Takes over up to `limit` running executions whose lease ran out before `now` (their instance died, stopped or
     * was paused past it), for `lease`, oldest first. On PostgreSQL instances taking over at once skip each other's
     * rows rather than wait. What a taken execution held against its budget goes with the old lease: the new run
     * reserves afresh.
     */
    async takeOver (lease: Lease, now: number, limit: number): Promise<ExecutionRow[]> {
      // Economy executions waiting for or in a batch are the economy queue's (`economy-repository.ts`), not a run's.
      const expired = sql`(select ${executions.id} from ${executions} where ${executions.status} = 'running'
        and (${executions.leaseExpiresAt} is null or ${executions.leaseExpiresAt} < ${now})
        and (${executions.economyState} is null or ${executions.economyState} not in ('waiting', 'batched'))
        order by ${executions.id} limit ${limit} ${driver.sql.skipLocked})`
      const rows = await driver.all(db.update(executions).set({ leaseOwner: lease.owner, leaseExpiresAt: lease.until, reservedUsd: null })
        .where(and(driver.sql.pickedBy(executions.id, expired), eq(executions.status, 'running'))).returning())
      return rows.sort((first, second) => first.id - second.id)
    },

    /**
     * Hands every running execution's lease back, whoever holds it: only for a database that is one instance's alone
     * (SQLite), whose unfinished work at start is that instance's to take over at once.
     */
    async releaseAllLeases (): Promise<number> {
      return await driver.run(db.update(executions).set({ leaseExpiresAt: 0 }).where(eq(executions.status, 'running')))
    },

    /** Hands every lease `owner` holds back (a shutdown): other instances take the work over at their next look. */
    async releaseLeases (owner: string): Promise<number> {
      return await driver.run(db.update(executions).set({ leaseExpiresAt: 0 }).where(eq(executions.leaseOwner, owner)))
    },

    find: byId,

    async findForPortal (portalId: number, id: number): Promise<ExecutionRow | undefined> {
      return await driver.first(db.select().from(executions).where(and(eq(executions.portalId, portalId), eq(executions.id, id))))
    },

    /** Every execution whose call had not finished: after a crash, the ones to resume. */
    async unfinished (): Promise<ExecutionRow[]> {
      return await driver.all(db.select().from(executions).where(eq(executions.status, 'running')).orderBy(asc(executions.id)))
    },

    /**
     * Claims up to `limit` pending completions due by `now` that no other instance holds, for `lease`, oldest first:
     * only the claimer delivers them, until its lease runs out.
     */
    async claimCompletions (lease: Lease, now: number, limit: number): Promise<ExecutionRow[]> {
      const due = sql`(select ${executions.id} from ${executions} where ${executions.completionState} = 'pending'
        and ${executions.completionDueAt} <= ${now} and (${executions.leaseExpiresAt} is null or ${executions.leaseExpiresAt} < ${now})
        order by ${executions.completionDueAt}, ${executions.id} limit ${limit} ${driver.sql.skipLocked})`
      const rows = await driver.all(db.update(executions).set({ leaseOwner: lease.owner, leaseExpiresAt: lease.until })
        .where(and(driver.sql.pickedBy(executions.id, due), eq(executions.completionState, 'pending'))).returning())
      return rows.sort((first, second) => (first.completionDueAt ?? 0) - (second.completionDueAt ?? 0) || first.id - second.id)
    },

    /**
     * When the next pending completion can be claimed, if any is pending: when it is due, and not before the
     * millisecond after a claim on it runs out (a claim holds until its expiry, inclusive).
     */
    async nextCompletionDue (): Promise<number | undefined> {
      const row = await driver.first(db.select({ due: sql<number | null>`min(${driver.sql.larger(executions.completionDueAt, sql`coalesce(${executions.leaseExpiresAt} + 1, 0)`)})`.mapWith(Number) }).from(executions)
        .where(eq(executions.completionState, 'pending')))
      return row?.due ?? undefined
    },

    /** How many completions are waiting to go out (due or backing off); read by scrapes, never on the execution path. */
    async countPendingCompletions (): Promise<number> {
      const row = await driver.first(db.select({ count: sql<number>`count(*)`.mapWith(Number) }).from(executions)
        .where(eq(executions.completionState, 'pending')))
      return row?.count ?? 0
    },

    /** HubSpot accepted these completions, delivered by `owner`; its leases on them end. */
    async completionDelivered (ids: readonly number[], at: number, owner: string): Promise<void> {
      if (ids.length === 0) return
      await driver.run(db.update(executions).set({
        completionState: 'delivered', completedAt: at, completionDueAt: null, completionError: null, completionAttempts: sql`${executions.completionAttempts} + 1`,
        leaseOwner: null, leaseExpiresAt: null
      }).where(and(inArray(executions.id, [...ids]), eq(executions.leaseOwner, owner))))
    },

    /** A failed attempt by `owner`: due again at `dueAt`, or `failed` for good when `dueAt` is undefined; the lease ends. */
    async completionAttemptFailed (ids: readonly number[], error: string, dueAt: number | undefined, owner: string): Promise<void> {
      if (ids.length === 0) return
      await driver.run(db.update(executions).set({
        completionState: dueAt === undefined ? 'failed' : 'pending',
        completionDueAt: dueAt ?? null,
        completionError: error,
        completionAttempts: sql`${executions.completionAttempts} + 1`,
        leaseOwner: null,
        leaseExpiresAt: null
      }).where(and(inArray(executions.id, [...ids]), eq(executions.leaseOwner, owner))))
    },

    /**
     * An operator's resend: the execution's outcome joins the completion queue again, attempts counted afresh. With
     * `audited`, the event `redeliver` (the completion before and after) commits with it. False when the execution is
     * not one to resend (answered in HubSpot's request, or its completion delivered), and nothing changed.
     */
    async requestRedelivery (id: number, at: number, audited?: RedeliveryAudit): Promise<boolean> {
      const requeued = { completionState: 'pending', completionDueAt: at, completionAttempts: 0, completionError: null, leaseOwner: null, leaseExpiresAt: null } as const
      // Only a BLOCKed execution whose completion failed or is still pending, decided by the row in the one update:
      // one delivered in the meantime is not sent again.
      const requeue = async (executor: Executor) => await executor.run(executor.db.update(executions).set(requeued)
        .where(and(eq(executions.id, id), eq(executions.answered, 'block'), inArray(executions.completionState, ['failed', 'pending']))))
      if (audited === undefined) return await requeue(driver) > 0
      return await driver.transaction(async tx => {
        const before = await tx.first(tx.db.select().from(executions).where(eq(executions.id, id)))
        if (before === undefined || await requeue(tx) === 0) return false
        await audit(tx, {
          portalId: before.portalId, provider: before.provider, action: 'redeliver', actor: audited.actor, at, detail: String(id),
          before: auditedCompletion(before), after: auditedCompletion(requeued)
        })
        return true
      })
    },

    /** The portal's executions newest first, older than `before` when given, of one status when given. */
    async recent (portalId: number, limit: number, before?: number, status?: ExecutionStatus): Promise<ExecutionRow[]> {
      const conditions: SQL[] = [eq(executions.portalId, portalId)]
      if (before !== undefined) conditions.push(lt(executions.id, before))
      if (status !== undefined) conditions.push(eq(executions.status, status))
      return await driver.all(db.select().from(executions).where(and(...conditions)).orderBy(desc(executions.id)).limit(limit))
    },

    ...createUsageQueries(driver)
  }
}

export type ExecutionsRepository = ReturnType<typeof createExecutionsRepository>
