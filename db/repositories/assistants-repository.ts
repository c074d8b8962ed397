import { and, eq } from 'drizzle-orm'
import type { AuditWriter } from './audit-repository.ts'
import type { Driver } from '../driver.ts'
import type { assistants } from '../schema/sqlite.ts'

export type AssistantRow = typeof assistants.$inferSelect

export interface AssistantFields {
  readonly name: string
  readonly model: string
  readonly instructions: string
  readonly temperature: number | null
  readonly reasoningEffort: string | null
}

/** An assistant as its audit events show it: every field an admin sets (an assistant holds no secret). */
function audited (row: AssistantFields) {
  return { name: row.name, model: row.model, instructions: row.instructions, temperature: row.temperature, reasoningEffort: row.reasoningEffort }
}

/**
 * Saved assistants per portal; every change is audited, with the fields before and after, and announced on the change
 * feed, in the same transaction.
 */
export function createAssistantsRepository (driver: Driver, writer: AuditWriter = {}) {
  const { db, tables: { assistants, auditEvents, portals } } = driver
  const where = (portalId: number, id: string) => and(eq(assistants.portalId, portalId), eq(assistants.id, id))
  return {
    async list (portalId: number): Promise<AssistantRow[]> {
      return await driver.all(db.select().from(assistants).where(eq(assistants.portalId, portalId)).orderBy(assistants.name, assistants.id))
    },

    async find (portalId: number, id: string): Promise<AssistantRow | undefined> {
      return await driver.first(db.select().from(assistants).where(where(portalId, id)))
    },

    async create (portalId: number, id: string, fields: AssistantFields, actor: string, at: number): Promise<AssistantRow> {
      return await driver.transaction(async tx => {
        await tx.run(tx.db.insert(portals).values({ portalId }).onConflictDoNothing())
        const row = await tx.first(tx.db.insert(assistants).values({ id, portalId, ...fields, createdAt: at, updatedAt: at }).returning())
        if (row === undefined) throw new Error(`assistant ${id} was not stored`)
        await tx.run(tx.db.insert(auditEvents).values({ instanceId: writer.instanceId ?? null, portalId, action: 'assistant_create', actor, at, detail: id, before: null, after: audited(row) }))
        await driver.publishChange(tx, { topic: 'assistant', portalId })
        return row
      })
    },

    async update (portalId: number, id: string, fields: AssistantFields, actor: string, at: number): Promise<AssistantRow | undefined> {
      return await driver.transaction(async tx => {
        const before = await tx.first(tx.db.select().from(assistants).where(where(portalId, id)))
        if (before === undefined) return undefined
        const row = await tx.first(tx.db.update(assistants).set({ ...fields, updatedAt: at }).where(where(portalId, id)).returning())
        if (row === undefined) return undefined
        await tx.run(tx.db.insert(auditEvents).values({ instanceId: writer.instanceId ?? null, portalId, action: 'assistant_update', actor, at, detail: id, before: audited(before), after: audited(row) }))
        await driver.publishChange(tx, { topic: 'assistant', portalId })
        return row
      })
    },

    async remove (portalId: number, id: string, actor: string, at: number): Promise<boolean> {
      return await driver.transaction(async tx => {
        const removed = await tx.first(tx.db.delete(assistants).where(where(portalId, id)).returning())
        if (removed === undefined) return false
        await tx.run(tx.db.insert(auditEvents).values({ instanceId: writer.instanceId ?? null, portalId, action: 'assistant_delete', actor, at, detail: id, before: audited(removed), after: null }))
        await driver.publishChange(tx, { topic: 'assistant', portalId })
        return true
      })
    }
  }
}

export type AssistantsRepository = ReturnType<typeof createAssistantsRepository>
