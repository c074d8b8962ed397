/**
 * The admin API's JSON shapes the page reads and sends: the server's own schemas (src/schemas/admin), so the page
 * cannot drift from what the routes validate and send. Types only: esbuild erases these imports, and no TypeBox
 * code reaches the bundle. The runtime lists below stay here for the same reason.
 */

import type { ReasoningEffort } from '../schemas/admin/assistants.ts'

export type { Assistant, AssistantInput, AssistantList, ReasoningEffort } from '../schemas/admin/assistants.ts'
export type { AuditEvent, AuditPage, AuditState } from '../schemas/admin/audit.ts'
export type { Budget, BudgetInput } from '../schemas/admin/budget.ts'
export type { AllowedModelsBody, ConnectBody, Connection, ConnectionList, ConnectionModels, ConnectionStatus } from '../schemas/admin/connections.ts'
export type { EconomyBatch, EconomyQueue, EconomyReport } from '../schemas/admin/economy.ts'
export type { Completion, Execution, ExecutionPage } from '../schemas/admin/executions.ts'
export type { InvokeBody, InvokeResponse } from '../schemas/admin/invoke.ts'
export type { Portal, PortalList } from '../schemas/admin/portals.ts'
export type { Capabilities, Model, Provider, ProviderList } from '../schemas/admin/providers.ts'
export type { Session, SessionsEnded, SignInBody } from '../schemas/admin/session.ts'
export type { PortalUsageReport, PortalUsageRow, UsageReport, UsageRow, UsageTotals } from '../schemas/admin/usage.ts'

export const REASONING_EFFORTS: readonly ReasoningEffort[] = ['low', 'medium', 'high']
/** The custom-llm action's output formats (src/actions/output-format.ts), which the API lists nowhere. */
export const OUTPUT_FORMATS = ['text', 'number', 'boolean', 'choice', 'json'] as const
/** The statuses GET …/executions can filter by (its `status` query parameter). */
export const EXECUTION_STATUSES = ['running', 'success', 'failed', 'retry', 'expired'] as const
