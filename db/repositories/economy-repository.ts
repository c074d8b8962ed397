import { and, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm'
import type { Driver } from '../driver.ts'
import type { economyBatches as economyBatchesTable } from '../schema/sqlite.ts'
import type { ExecutionRow, Lease } from './executions-repository.ts'

export type EconomyBatchRow = typeof economyBatchesTable.$inferSelect
export type EconomyBatchState = 'submitting' | 'submitted' | 'done' | 'abandoned'
export type EconomyState = 'waiting' | 'batched' | 'answered' | 'standard'

/** Economy executions of one portal's connection and model, waiting for a batch. */
export interface WaitingGroup {
  readonly portalId: number
  readonly provider: string
  readonly model: string
  readonly waiting: number
  /** When the oldest of them was queued. */
  readonly oldest: number
}

/** How a batch ended for its items: the answers by execution id, and why the rest run as standard calls. */
export interface BatchSettlement {
  readonly state: 'done' | 'abandoned'
  /** JSON of each answered execution's batch answer. */
  readonly answers: ReadonlyMap<number, string>
  /** Why the items without an answer run as standard calls, by execution id; `otherwise` for the ones not named. */
  readonly notes: ReadonlyMap<number, string>
  readonly otherwise: string
  readonly vendorState?: string
  readonly error?: string
  readonly at: number
}

export interface EconomyQueueCounts {
  readonly waiting: number
  readonly batched: number
  readonly answered: number
  readonly standard: number
}

/**
 * The economy queue: executions waiting for a batch, and the provider batches they go out in. A waiting or batched
 * execution is held by the queue, not by a lease of its own (the takeover of running executions leaves it alone);
 * a batch is held by the lease of the instance that submits and polls it, and taken over when that lease runs out.
 * When a batch ends, its items become running executions again under the settling instance's lease, in the same
 * transaction, so an answer is never run twice nor lost.
 */
export function createEconomyRepository (driver: Driver) {
  const { db, tables: { executions, economyBatches } } = driver
  const batchRow = async (id: number) => await driver.first(db.select().from(economyBatches).where(eq(economyBatches.id, id)))
  /** Each execution's own value, in one expression: `case id when … then … end`. */
  const byExecution = (values: ReadonlyArray<readonly [number, string]>): SQL =>
    sql`case ${executions.id} ${sql.join(values.map(([id, value]) => sql`when ${id} then ${value}`), sql` `)} end`

  return {
    /**
     * Queues `owner`'s claimed execution for its connection's next batch: its own lease ends, the queue holds it.
     * `request` replaces the stored request (with record data read for it). False when `owner` no longer holds it.
     */
    async enqueue (executionId: number, owner: string, entry: { readonly provider: string, readonly model: string, readonly at: number, readonly expiresAt: number, readonly request?: string }): Promise<boolean> {
      return await driver.run(db.update(executions).set({
        processing: 'economy', economyState: 'waiting', enqueuedAt: entry.at, provider: entry.provider, model: entry.model,
        expiresAt: entry.expiresAt, leaseOwner: null, leaseExpiresAt: null, ...(entry.request === undefined ? {} : { request: entry.request })
      }).where(and(eq(executions.id, executionId), eq(executions.leaseOwner, owner), eq(executions.status, 'running')))) > 0
    },

    /** Groups of waiting executions ready to go out: their oldest waited `windowMs`, or they fill a batch. */
    async readyGroups (now: number, windowMs: number, maxItems: number): Promise<WaitingGroup[]> {
      const rows = await driver.all(db.select({
        portalId: executions.portalId,
        provider: sql<string>`${executions.provider}`,
        model: sql<string>`${executions.model}`,
        waiting: sql<number>`count(*)`.mapWith(Number),
        oldest: sql<number>`min(${executions.enqueuedAt})`.mapWith(Number)
      }).from(executions).where(eq(executions.economyState, 'waiting'))
        .groupBy(executions.portalId, executions.provider, executions.model)
        .having(sql`min(${executions.enqueuedAt}) <= ${now - windowMs} or count(*) >= ${maxItems}`))
      return rows.sort((first, second) => first.oldest - second.oldest)
    },

    /**
     * Opens a batch for `lease` with up to `maxItems` of the group's waiting executions, oldest first, in one
     * transaction: two instances never put one execution in two batches. Undefined when another instance took them.
     */
    async openBatch (group: Pick<WaitingGroup, 'portalId' | 'provider' | 'model'>, lease: Lease, label: string, now: number, maxItems: number): Promise<{ readonly batch: EconomyBatchRow, readonly items: ExecutionRow[] } | undefined> {
      return await driver.transaction(async tx => {
        const [batch] = await tx.all(tx.db.insert(economyBatches).values({
          portalId: group.portalId, provider: group.provider, model: group.model, label, state: 'submitting', items: 0,
          createdAt: now, nextPollAt: now, leaseOwner: lease.owner, leaseExpiresAt: lease.until
        }).returning())
        if (batch === undefined) throw new Error('the batch insert returned no row')
        const waiting = sql`(select ${executions.id} from ${executions} where ${executions.economyState} = 'waiting'
          and ${executions.portalId} = ${group.portalId} and ${executions.provider} = ${group.provider} and ${executions.model} = ${group.model}
          order by ${executions.id} limit ${maxItems} ${driver.sql.skipLocked})`
        // The items carry the batch's owner as their lease owner, so a budget reservation for them can be written.
        const items = await tx.all(tx.db.update(executions).set({ economyState: 'batched', economyBatchId: batch.id, leaseOwner: lease.owner, leaseExpiresAt: lease.until })
          .where(and(driver.sql.pickedBy(executions.id, waiting), eq(executions.economyState, 'waiting'))).returning())
        if (items.length === 0) {
          await tx.run(tx.db.delete(economyBatches).where(eq(economyBatches.id, batch.id)))
          return undefined
        }
        const [counted] = await tx.all(tx.db.update(economyBatches).set({ items: items.length }).where(eq(economyBatches.id, batch.id)).returning())
        return { batch: counted ?? batch, items: items.sort((first, second) => first.id - second.id) }
      })
    },

    /** The executions a batch holds (not yet answered or sent to standard), marked with `lease` as the batch's are. */
    async holdItems (batchId: number, lease: Lease): Promise<ExecutionRow[]> {
      const rows = await driver.all(db.update(executions).set({ leaseOwner: lease.owner, leaseExpiresAt: lease.until })
        .where(and(eq(executions.economyBatchId, batchId), eq(executions.economyState, 'batched'))).returning())
      return rows.sort((first, second) => first.id - second.id)
    },

    /** The vendor took the batch: polled from `nextPollAt`. False when `owner` lost its lease (nothing changed). */
    async submitted (batchId: number, owner: string, vendorBatchId: string, at: number, nextPollAt: number): Promise<boolean> {
      return await driver.run(db.update(economyBatches).set({ state: 'submitted', vendorBatchId, submittedAt: at, nextPollAt, error: null })
        .where(and(eq(economyBatches.id, batchId), eq(economyBatches.leaseOwner, owner), eq(economyBatches.state, 'submitting')))) > 0
    },

    /**
     * A poll (or a submit attempt) that changed nothing yet: asked again at `nextPollAt`. A submit attempt counts a
     * poll before it is made, so a batch still `submitting` with polls may be at the vendor; `vendorState`
     * `not-sent` says the vendor refused the last attempt, so it is not.
     */
    async polled (batchId: number, owner: string, update: { readonly nextPollAt: number, readonly vendorState?: string | null, readonly error?: string | null }): Promise<boolean> {
      return await driver.run(db.update(economyBatches).set({
        nextPollAt: update.nextPollAt, polls: sql`${economyBatches.polls} + 1`,
        ...(update.vendorState === undefined ? {} : { vendorState: update.vendorState }),
        ...(update.error === undefined ? {} : { error: update.error })
      }).where(and(eq(economyBatches.id, batchId), eq(economyBatches.leaseOwner, owner), inArray(economyBatches.state, ['submitting', 'submitted'])))) > 0
    },

    /**
     * Takes up to `limit` open batches due by `now` (a poll, or a submit to try again or to check after a crash)
     * whose lease is free or ran out, for `lease`.
     */
    async takeDue (lease: Lease, now: number, limit: number): Promise<EconomyBatchRow[]> {
      const due = sql`(select ${economyBatches.id} from ${economyBatches} where ${economyBatches.state} in ('submitting', 'submitted')
        and ${economyBatches.nextPollAt} <= ${now}
        and (${economyBatches.leaseOwner} = ${lease.owner} or ${economyBatches.leaseExpiresAt} is null or ${economyBatches.leaseExpiresAt} < ${now})
        order by ${economyBatches.nextPollAt}, ${economyBatches.id} limit ${limit} ${driver.sql.skipLocked})`
      const rows = await driver.all(db.update(economyBatches).set({ leaseOwner: lease.owner, leaseExpiresAt: lease.until })
        .where(and(driver.sql.pickedBy(economyBatches.id, due), inArray(economyBatches.state, ['submitting', 'submitted']))).returning())
      return rows.sort((first, second) => first.id - second.id)
    },

    /** Extends `owner`'s leases on its open batches. */
    async renewLeases (owner: string, until: number): Promise<void> {
      await driver.run(db.update(economyBatches).set({ leaseExpiresAt: until })
        .where(and(eq(economyBatches.leaseOwner, owner), inArray(economyBatches.state, ['submitting', 'submitted']))))
    },

    /** Hands `owner`'s batch leases back (a shutdown), or every one (undefined: a database that is one instance's alone). */
    async releaseLeases (owner?: string): Promise<void> {
      await driver.run(db.update(economyBatches).set({ leaseExpiresAt: 0 })
        .where(owner === undefined ? inArray(economyBatches.state, ['submitting', 'submitted']) : eq(economyBatches.leaseOwner, owner)))
    },

    /**
     * Ends a batch held by `lease.owner`: its answered items become `answered` (their answer stored), the rest
     * `standard` with their note, all of them running executions under `lease` from now, and the batch `done` or
     * `abandoned`, in one transaction. Answers the items changed (to run now), or undefined when the lease was lost.
     */
    async settle (batchId: number, lease: Lease, settlement: BatchSettlement): Promise<ExecutionRow[] | undefined> {
      return await driver.transaction(async tx => {
        const items = await tx.all(tx.db.select().from(executions)
          .where(and(eq(executions.economyBatchId, batchId), eq(executions.economyState, 'batched'))))
        const answeredIds = items.filter(item => settlement.answers.has(item.id)).map(item => item.id)
        const [batch] = await tx.all(tx.db.update(economyBatches).set({
          state: settlement.state, finishedAt: settlement.at, nextPollAt: null, leaseOwner: null, leaseExpiresAt: null,
          answered: answeredIds.length, ranStandard: sql`${economyBatches.ranStandard} + ${items.length - answeredIds.length}`,
          ...(settlement.vendorState === undefined ? {} : { vendorState: settlement.vendorState }),
          ...(settlement.error === undefined ? {} : { error: settlement.error })
        }).where(and(eq(economyBatches.id, batchId), eq(economyBatches.leaseOwner, lease.owner), inArray(economyBatches.state, ['submitting', 'submitted']))).returning())
        if (batch === undefined) return undefined
        const answered: Array<readonly [number, string]> = []
        const standard: Array<readonly [number, string]> = []
        for (const item of items) {
          const answer = settlement.answers.get(item.id)
          if (answer === undefined) standard.push([item.id, settlement.notes.get(item.id) ?? settlement.otherwise])
          else answered.push([item.id, answer])
        }
        const still = (chunk: ReadonlyArray<readonly [number, string]>) => and(inArray(executions.id, chunk.map(([id]) => id)), eq(executions.economyState, 'batched'), eq(executions.status, 'running'))
        const changed: ExecutionRow[] = []
        for (const chunk of chunks(answered)) {
          changed.push(...await tx.all(tx.db.update(executions)
            .set({ economyState: 'answered', economyAnswer: byExecution(chunk), leaseOwner: lease.owner, leaseExpiresAt: lease.until })
            .where(still(chunk)).returning()))
        }
        for (const chunk of chunks(standard)) {
          changed.push(...await tx.all(tx.db.update(executions)
            .set({ economyState: 'standard', economyNote: byExecution(chunk), leaseOwner: lease.owner, leaseExpiresAt: lease.until, reservedUsd: null })
            .where(still(chunk)).returning()))
        }
        return changed.sort((first, second) => first.id - second.id)
      })
    },

    /**
     * Takes the named items out of `owner`'s open batch before it is sent (they cannot go in it): they run as standard
     * calls under `lease`, each with its note. Answers them.
     */
    async dropItems (batchId: number, lease: Lease, notes: ReadonlyMap<number, string>): Promise<ExecutionRow[]> {
      if (notes.size === 0) return []
      return await driver.transaction(async tx => {
        const dropped: ExecutionRow[] = []
        for (const [id, note] of notes) {
          const [row] = await tx.all(tx.db.update(executions).set({ economyState: 'standard', economyNote: note, leaseOwner: lease.owner, leaseExpiresAt: lease.until, reservedUsd: null })
            .where(and(eq(executions.id, id), eq(executions.economyBatchId, batchId), eq(executions.economyState, 'batched'))).returning())
          if (row !== undefined) dropped.push(row)
        }
        await tx.run(tx.db.update(economyBatches).set({ ranStandard: sql`${economyBatches.ranStandard} + ${dropped.length}` }).where(eq(economyBatches.id, batchId)))
        return dropped
      })
    },

    /** Puts items of a batch not yet sent back in the queue, for the next batch (this one is full). */
    async requeueItems (batchId: number, ids: readonly number[]): Promise<void> {
      if (ids.length === 0) return
      await driver.transaction(async tx => {
        const changed = await tx.run(tx.db.update(executions).set({ economyState: 'waiting', economyBatchId: null, leaseOwner: null, leaseExpiresAt: null, reservedUsd: null })
          .where(and(inArray(executions.id, [...ids]), eq(executions.economyBatchId, batchId), eq(executions.economyState, 'batched'))))
        await tx.run(tx.db.update(economyBatches).set({ items: sql`${economyBatches.items} - ${changed}` }).where(eq(economyBatches.id, batchId)))
      })
    },

    /**
     * Waiting executions queued before `before` (their connection could not get a batch out in time): they run as
     * standard calls under `lease`, with `note`. Answers them.
     */
    async overdueWaiting (lease: Lease, before: number, note: string, limit: number): Promise<ExecutionRow[]> {
      const overdue = sql`(select ${executions.id} from ${executions} where ${executions.economyState} = 'waiting'
        and ${executions.enqueuedAt} < ${before} order by ${executions.id} limit ${limit} ${driver.sql.skipLocked})`
      return await driver.all(db.update(executions).set({ economyState: 'standard', economyNote: note, leaseOwner: lease.owner, leaseExpiresAt: lease.until, reservedUsd: null })
        .where(and(driver.sql.pickedBy(executions.id, overdue), eq(executions.economyState, 'waiting'))).returning())
    },

    find: batchRow,

    /** A portal's batches, newest first, older than `before` when given. */
    async recent (portalId: number, limit: number, before?: number): Promise<EconomyBatchRow[]> {
      return await driver.all(db.select().from(economyBatches)
        .where(before === undefined ? eq(economyBatches.portalId, portalId) : and(eq(economyBatches.portalId, portalId), lt(economyBatches.id, before)))
        .orderBy(desc(economyBatches.id)).limit(limit))
    },

    /** How a portal's unfinished economy executions stand (every portal's, without one). */
    async queueCounts (portalId?: number): Promise<EconomyQueueCounts> {
      const rows = await driver.all(db.select({ state: executions.economyState, count: sql<number>`count(*)`.mapWith(Number) }).from(executions)
        .where(and(eq(executions.status, 'running'), sql`${executions.economyState} is not null`, ...(portalId === undefined ? [] : [eq(executions.portalId, portalId)])))
        .groupBy(executions.economyState))
      const count = (state: EconomyState) => rows.find(row => row.state === state)?.count ?? 0
      return { waiting: count('waiting'), batched: count('batched'), answered: count('answered'), standard: count('standard') }
    }
  }
}

export type EconomyRepository = ReturnType<typeof createEconomyRepository>

/**
 * Items per statement when a batch is settled: the largest batch (ECONOMY_BATCH_MAX) in a few statements rather than
 * one per item, each far below either database's limit on bound parameters (three per item).
 */
const SETTLE_CHUNK = 250

function chunks<Item> (items: readonly Item[]): Item[][] {
  const result: Item[][] = []
  for (let start = 0; start < items.length; start += SETTLE_CHUNK) result.push(items.slice(start, start + SETTLE_CHUNK))
  return result
}
