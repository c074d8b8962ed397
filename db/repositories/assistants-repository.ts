import { and, eq } from 'drizzle-orm'
import type { AppDatabase } from '../database.ts'
import { assistants, auditEvents, portals } from '../schema.ts'

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

/** Saved assistants per portal; every change is audited, with the fields before and after, in the same transaction. */
export function createAssistantsRepository (db: AppDatabase) {
  const where = (portalId: number, id: string) => and(eq(assistants.portalId, portalId), eq(assistants.id, id))
  return {
    list (portalId: number): AssistantRow[] {
      return db.select().from(assistants).where(eq(assistants.portalId, portalId)).orderBy(assistants.name, assistants.id).all()
    },

    find (portalId: number, id: string): AssistantRow | undefined {
      return db.select().from(assistants).where(where(portalId, id)).get()
    },

    create (portalId: number, id: string, fields: AssistantFields, actor: string, at: number): AssistantRow {
      return db.transaction(tx => {
        tx.insert(portals).values({ portalId }).onConflictDoNothing().run()
        const row = tx.insert(assistants).values({ id, portalId, ...fields, createdAt: at, updatedAt: at }).returning().get()
        tx.insert(auditEvents).values({ portalId, action: 'assistant_create', actor, at, detail: id, before: null, after: audited(row) }).run()
        return row
      })
    },

    update (portalId: number, id: string, fields: AssistantFields, actor: string, at: number): AssistantRow | undefined {
      return db.transaction(tx => {
        const before = tx.select().from(assistants).where(where(portalId, id)).get()
        if (before === undefined) return undefined
        const row = tx.update(assistants).set({ ...fields, updatedAt: at }).where(where(portalId, id)).returning().get()
        if (row !== undefined) tx.insert(auditEvents).values({ portalId, action: 'assistant_update', actor, at, detail: id, before: audited(before), after: audited(row) }).run()
        return row
      })
    },

    remove (portalId: number, id: string, actor: string, at: number): boolean {
      return db.transaction(tx => {
        const removed = tx.delete(assistants).where(where(portalId, id)).returning().get()
        if (removed !== undefined) tx.insert(auditEvents).values({ portalId, action: 'assistant_delete', actor, at, detail: id, before: audited(removed), after: null }).run()
        return removed !== undefined
      })
    }
  }
}

export type AssistantsRepository = ReturnType<typeof createAssistantsRepository>
