import type { InferInsertModel, InferSelectModel, Table } from 'drizzle-orm'
import type * as postgres from './postgres.ts'
import type * as sqlite from './sqlite.ts'

/**
 * A compile-time proof that both dialects' tables read and write the same TypeScript shapes: the repositories are
 * written once against these shapes, so a column that drifts in one schema fails `tsc` here rather than a query at
 * run time. Inserts are compared with every column required: SQLite lets an integer primary key be left out (it is
 * the row id), PostgreSQL does not, and the repositories always give it. A table added to one schema must be added
 * to the other and listed here. Nothing in this file runs.
 */

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
type Agree<S extends Table, P extends Table> = Same<InferSelectModel<S>, InferSelectModel<P>> extends true
  ? Same<Required<InferInsertModel<S>>, Required<InferInsertModel<P>>>
  : false
type Tables = keyof typeof sqlite & keyof typeof postgres

export const schemasAgree: { readonly [K in Tables]: true } & Record<Exclude<keyof typeof sqlite | keyof typeof postgres, Tables>, never> = {
  portals: true satisfies Agree<typeof sqlite.portals, typeof postgres.portals>,
  connections: true satisfies Agree<typeof sqlite.connections, typeof postgres.connections>,
  auditEvents: true satisfies Agree<typeof sqlite.auditEvents, typeof postgres.auditEvents>,
  assistants: true satisfies Agree<typeof sqlite.assistants, typeof postgres.assistants>,
  executions: true satisfies Agree<typeof sqlite.executions, typeof postgres.executions>,
  oauthTokens: true satisfies Agree<typeof sqlite.oauthTokens, typeof postgres.oauthTokens>,
  oauthStates: true satisfies Agree<typeof sqlite.oauthStates, typeof postgres.oauthStates>,
  portalBudgets: true satisfies Agree<typeof sqlite.portalBudgets, typeof postgres.portalBudgets>,
  adminSessions: true satisfies Agree<typeof sqlite.adminSessions, typeof postgres.adminSessions>,
  instances: true satisfies Agree<typeof sqlite.instances, typeof postgres.instances>,
  rateLimitCounters: true satisfies Agree<typeof sqlite.rateLimitCounters, typeof postgres.rateLimitCounters>,
  economyBatches: true satisfies Agree<typeof sqlite.economyBatches, typeof postgres.economyBatches>
}
