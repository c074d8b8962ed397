/** The admin API's JSON shapes the page reads (contract §4; the route schemas in src/routes/admin). */

export interface Session {
  readonly csrfToken: string
  readonly expiresAt: string
  readonly hubspotInstall: boolean
  /** How the audit trail names this session. */
  readonly actor: string
}

export interface ListOf<Item> {
  readonly items: Item[]
}

export interface Capabilities {
  readonly temperature: boolean
  readonly temperatureRange?: [number, number]
  readonly reasoningEfforts: string[]
  readonly structuredOutput: boolean
  readonly maxOutputTokens?: number
}

export interface Model {
  readonly id: string
  readonly label: string
  readonly capabilities: Capabilities
  readonly deprecatedAfter?: string
}

export interface Provider {
  readonly id: string
  readonly label: string
  readonly hosts: string[]
  readonly requiresBaseUrl: boolean
  readonly models: Model[]
}

export interface Portal {
  readonly portalId: number
  readonly installStatus: 'installed' | 'reinstall_required' | null
  readonly installedAt: string | null
  readonly connectionCount: number
  /** Each connection's provider and status, by provider id. */
  readonly connections: ReadonlyArray<{ readonly provider: string, readonly status: ConnectionStatus }>
  /** null without a budget; the month's spend is in GET /api/usage. */
  readonly monthlyLimitUsd: number | null
  readonly createdAt: string
}

export type ConnectionStatus = 'connected' | 'invalid' | 'key_unreadable'

export interface Connection {
  readonly provider: string
  readonly keyHint: string
  readonly status: ConnectionStatus
  readonly connectedAt: string
  readonly lastValidatedAt: string
  readonly allowedModels: string[] | null
  readonly baseUrl?: string
}

export interface ConnectionModels extends ListOf<Model> {
  /** live, stale or curated */
  readonly source: string
}

export type ReasoningEffort = 'low' | 'medium' | 'high'

export interface Assistant {
  readonly id: string
  readonly name: string
  readonly model: string
  readonly instructions: string
  readonly temperature: number | null
  readonly reasoningEffort: ReasoningEffort | null
  readonly createdAt: string
  readonly updatedAt: string
}

export interface AssistantInput {
  readonly name: string
  readonly model: string
  readonly instructions: string
  readonly temperature: number | null
  readonly reasoningEffort: ReasoningEffort | null
}

export interface Completion {
  readonly state: 'pending' | 'delivered' | 'failed'
  readonly attempts: number
  readonly error: string | null
  readonly completedAt: string | null
  readonly nextAttemptAt: string | null
}

export interface Execution {
  readonly id: number
  readonly action: string
  readonly source: string | null
  readonly status: string
  readonly provider: string | null
  readonly model: string | null
  readonly errorCode: string | null
  readonly errorMessage: string | null
  readonly inputTokens: number | null
  readonly outputTokens: number | null
  readonly cachedInputTokens: number | null
  readonly reasoningTokens: number | null
  readonly costUsd: number | null
  readonly latencyMs: number | null
  readonly adjustments: string[]
  readonly startedAt: string
  readonly finishedAt: string | null
  readonly fallbackReason: string | null
  readonly completion: Completion | null
}

export interface ExecutionPage extends ListOf<Execution> {
  readonly next: number | null
}

export interface InvokeResponse {
  readonly state: 'SUCCESS' | 'FAIL_CONTINUE'
  readonly outputFields: Record<string, string>
  readonly adjustments: string[]
  readonly executionId?: number
  /** The recorded execution, as GET /api/portals/:portalId/executions lists it. */
  readonly execution?: Execution
}

export interface UsageTotals {
  readonly executions: number
  readonly errors: number
  readonly inputTokens: number
  readonly cachedInputTokens: number
  readonly outputTokens: number
  readonly reasoningTokens: number
  readonly costUsd: number
  readonly unpricedExecutions: number
}

export interface UsageRow extends UsageTotals {
  readonly provider?: string | null
  readonly model?: string | null
  readonly action?: string
  readonly day?: string
}

export interface UsageReport {
  readonly from: string
  readonly to: string
  readonly items: UsageRow[]
  readonly totals: UsageTotals
}

/** GET /api/usage: one row per portal with executions in the range. */
export interface PortalUsageRow extends UsageTotals {
  readonly portalId: number
}

export interface PortalUsageReport {
  readonly from: string
  readonly to: string
  readonly items: PortalUsageRow[]
  readonly totals: UsageTotals
}

/** The changed object's fields as JSON (a key only as its hint); null where it did not exist. */
export type AuditState = Readonly<Record<string, unknown>> | null

export interface AuditEvent {
  readonly id: number
  /** 0 for the instance's own events (sign_in, sign_out). */
  readonly portalId: number
  readonly provider: string | null
  readonly action: string
  readonly actor: string
  readonly at: string
  readonly before: AuditState
  readonly after: AuditState
  /** The one-line summary older events carry instead of before and after. */
  readonly detail: string | null
}

export interface AuditPage extends ListOf<AuditEvent> {
  /** The `before` of the next page; absent on the last. */
  readonly next?: number
}

export interface Budget {
  readonly monthlyLimitUsd: number | null
  readonly warnAtPercent: number | null
  readonly timeZone: string | null
  readonly month: string
  readonly spentUsd: number
  readonly reservedUsd: number
  readonly remainingUsd: number | null
  readonly warned: boolean
}

export interface BudgetInput {
  readonly monthlyLimitUsd: number
  readonly warnAtPercent: number | null
  readonly timeZone: string | null
}

export const REASONING_EFFORTS: readonly ReasoningEffort[] = ['low', 'medium', 'high']
export const OUTPUT_FORMATS = ['text', 'number', 'boolean', 'choice', 'json'] as const
export const EXECUTION_STATUSES = ['running', 'success', 'failed', 'retry', 'expired'] as const
