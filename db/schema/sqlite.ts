import { sql } from 'drizzle-orm'
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * Tables. TS keys are camelCase, SQL names snake_case. Times are unix milliseconds. Secrets are stored only as
 * keyring ciphertexts (`v1.<keyId>.<iv>.<data>`) bound to their portal and purpose.
 */

const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`

/** HubSpot accounts known here: installed through OAuth, or given connections by an admin. */
export const portals = sqliteTable('portals', {
  portalId: integer('portal_id').primaryKey(),
  createdAt: integer('created_at').notNull().default(now),
  /** `installed` (tokens held), `reinstall_required` (refresh token revoked), or null (never installed). */
  installStatus: text('install_status'),
  installedAt: integer('installed_at')
})

/** One connection per provider per portal, as HubSpot itself enforces. */
export const connections = sqliteTable('connections', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  portalId: integer('portal_id').notNull().references(() => portals.portalId),
  provider: text('provider').notNull(),
  encryptedKey: text('encrypted_key').notNull(),
  keyHint: text('key_hint').notNull(),
  baseUrl: text('base_url'),
  /** `connected`, or `invalid` once the provider rejected the key at its last use. */
  status: text('status').notNull().default('connected'),
  /** JSON array of model ids, or null for all models. */
  allowedModels: text('allowed_models'),
  connectedAt: integer('connected_at').notNull(),
  lastValidatedAt: integer('last_validated_at').notNull()
}, table => [uniqueIndex('connections_portal_provider').on(table.portalId, table.provider)])

/** Who connected, switched or removed which provider key, and when. Never the key. */
export const auditEvents = sqliteTable('audit_events', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  portalId: integer('portal_id').notNull(),
  provider: text('provider'),
  /**
   * `connect`, `switch_key`, `disconnect`, `allowed_models`, `assistant_create|update|delete`, `budget`, `redeliver`,
   * `install`, `reinstall_required`; under portal 0, `sign_in`, `sign_out` and `end_sessions`.
   */
  action: text('action').notNull(),
  /**
   * Who: `admin-api` for the admin token (never the token itself), `session:<hash start>` for an admin page session,
   * `cli` for the command line, `hubspot-oauth` for installs.
   */
  actor: text('actor').notNull(),
  /** The one-line summary events had before `before`/`after` existed; kept so older rows and readers still work. */
  detail: text('detail'),
  /** What changed, as JSON, never a secret: a key appears as its public hint only. Null: nothing was there. */
  before: text('before', { mode: 'json' }).$type<AuditState>(),
  after: text('after', { mode: 'json' }).$type<AuditState>(),
  at: integer('at').notNull(),
  /** The instance (`INSTANCE_ID`) that made the change. */
  instanceId: text('instance_id')
}, table => [index('audit_events_portal').on(table.portalId, table.at)])

/** An audited object's fields before or after a change (plain JSON, free of secrets). */
export type AuditState = Readonly<Record<string, unknown>>

/** Service-side saved assistants (OpenAI's Assistants API is gone). */
export const assistants = sqliteTable('assistants', {
  id: text('id').primaryKey(),
  portalId: integer('portal_id').notNull().references(() => portals.portalId),
  name: text('name').notNull(),
  model: text('model').notNull(),
  instructions: text('instructions').notNull(),
  temperature: real('temperature'),
  reasoningEffort: text('reasoning_effort'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull()
}, table => [index('assistants_portal').on(table.portalId)])

/**
 * Every execution, keyed by portal and HubSpot's callbackId so a redelivery never calls a provider twice. The
 * portal is part of the key because a callbackId is only unique within what HubSpot sends one portal: keyed by
 * callbackId alone, another portal sending the same id would be answered with this portal's stored outputs.
 */
export const executions = sqliteTable('executions', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  portalId: integer('portal_id').notNull(),
  /** `custom-llm`, `openai-assistant` or `test`. */
  action: text('action').notNull(),
  /** Where HubSpot's run came from (`WORKFLOWS`, `AGENTS`, `COPILOT`, `STANDALONE`, `TEST`), when it said so. */
  source: text('source'),
  callbackId: text('callback_id'),
  provider: text('provider'),
  model: text('model'),
  /**
   * `running` (claimed, not finished: resumed after a crash), `success`, `failed`, `expired` (HubSpot's wait ran
   * out first) or `retry` (handed back to HubSpot as 429/503; a redelivery runs it again).
   */
  status: text('status').notNull(),
  errorCode: text('error_code'),
  errorMessage: text('error_message'),
  inputTokens: integer('input_tokens'),
  outputTokens: integer('output_tokens'),
  cachedInputTokens: integer('cached_input_tokens'),
  reasoningTokens: integer('reasoning_tokens'),
  finishReason: text('finish_reason'),
  latencyMs: integer('latency_ms'),
  /** JSON array of sentences: what was adjusted to fit the model. */
  adjustments: text('adjustments'),
  /** JSON of the outputFields answered (replayed to a duplicate delivery). */
  outputFields: text('output_fields'),
  prompt: text('prompt'),
  response: text('response'),
  startedAt: integer('started_at').notNull(),
  finishedAt: integer('finished_at'),
  /**
   * JSON of what the call needs to be made again after a crash (inputFields, object); kept only while the
   * execution is unfinished and cleared when it ends, so prompts are not kept unless STORE_PROMPTS says so.
   */
  request: text('request'),
  /** How many times this execution's call was started (a resume after a crash counts again). */
  runs: integer('runs').notNull().default(0),
  /** After this time HubSpot has stopped waiting (hs_expiration_duration), so an unfinished one is closed as expired. */
  expiresAt: integer('expires_at'),
  /** `block` once HubSpot was answered BLOCK: the outcome then goes through the callback API. */
  answered: text('answered'),
  /** Why the fallback provider answered instead of the primary, when it did. */
  fallbackReason: text('fallback_reason'),
  /** Callback completion: `pending`, `delivered` or `failed` (finally refused; an operator can redeliver). */
  completionState: text('completion_state'),
  completionAttempts: integer('completion_attempts').notNull().default(0),
  /** When the next completion attempt is due. */
  completionDueAt: integer('completion_due_at'),
  completionError: text('completion_error'),
  completedAt: integer('completed_at'),
  /** USD every run and attempt of this execution spent at known prices; see `costUnknown`. */
  costUsd: real('cost_usd'),
  /** 1 when some attempt's model has no known price: `costUsd` then counts only the priced ones. */
  costUnknown: integer('cost_unknown').notNull().default(0),
  /**
   * The instance running this execution (`INSTANCE_ID`) while it is `running`, or delivering its completion while
   * that is pending. Every state change an owner makes checks it, so an instance that lost its lease changes nothing.
   */
  leaseOwner: text('lease_owner'),
  /** Until when the owner holds the lease without renewing it; past it, another instance takes the work over. */
  leaseExpiresAt: integer('lease_expires_at'),
  /**
   * USD a budgeted execution holds against its portal's budget: its calls' estimates, then their real cost, until
   * that cost is added to the budget's `spentUsd` (right after the outcome is written, in a transaction of its own).
   */
  reservedUsd: real('reserved_usd'),
  /** `economy` when the workflow asked for it (contract §3.1 `processing`) and it was queued for a batch; else null. */
  processing: text('processing'),
  /**
   * Where an economy execution is: `waiting` (queued for its connection's next batch), `batched` (in the batch
   * `economyBatchId`, which holds it), `answered` (the batch answered; `economyAnswer` is run through the output
   * format under the execution's own lease) or `standard` (run as a standard call instead; `economyNote` says why).
   * While `waiting` or `batched` no lease on the execution itself is taken over: its batch's is.
   */
  economyState: text('economy_state'),
  economyBatchId: integer('economy_batch_id'),
  /** JSON of the batch's answer (its InvokeResult and batch-price cost), kept only until the outcome is written. */
  economyAnswer: text('economy_answer'),
  /** Why an economy execution ran as a standard call (the batch failed, expired, or waited too long). */
  economyNote: text('economy_note'),
  /** When it was queued for a batch. */
  enqueuedAt: integer('enqueued_at'),
  /** USD the batch price saved against the standard price, for an execution answered by a batch. */
  savedUsd: real('saved_usd')
}, table => [
  uniqueIndex('executions_callback').on(table.portalId, table.callbackId),
  index('executions_portal_started').on(table.portalId, table.startedAt),
  // The durable queue's scans at start and on every completion round: only unfinished work, so they stay small.
  index('executions_unfinished').on(table.status).where(sql`status = 'running'`),
  // What a portal's calls hold against its budget until their cost is counted, summed at each reservation.
  index('executions_reserved').on(table.portalId).where(sql`reserved_usd is not null`),
  index('executions_completion_due').on(table.completionDueAt).where(sql`completion_state = 'pending'`),
  // The economy queue's scan at every tick: only what waits for a batch.
  index('executions_economy_waiting').on(table.portalId, table.provider, table.model).where(sql`economy_state = 'waiting'`),
  index('executions_economy_batch').on(table.economyBatchId).where(sql`economy_batch_id is not null`)
])

/** HubSpot OAuth tokens of an installed portal, encrypted like provider keys. */
export const oauthTokens = sqliteTable('oauth_tokens', {
  portalId: integer('portal_id').primaryKey().references(() => portals.portalId),
  encryptedAccessToken: text('encrypted_access_token').notNull(),
  encryptedRefreshToken: text('encrypted_refresh_token').notNull(),
  expiresAt: integer('expires_at').notNull(),
  scopes: text('scopes'),
  updatedAt: integer('updated_at').notNull()
})

/** Single-use OAuth `state` nonces; deleted when used, refused after 10 minutes. */
export const oauthStates = sqliteTable('oauth_states', {
  nonce: text('nonce').primaryKey(),
  createdAt: integer('created_at').notNull()
})

/**
 * A portal's monthly spending limit in USD. Months are calendar months in `timeZone` (an IANA name, UTC when
 * null). `warnedMonth` is the month (`YYYY-MM`) whose `warnAtPercent` crossing was already logged.
 */
export const portalBudgets = sqliteTable('portal_budgets', {
  portalId: integer('portal_id').primaryKey().references(() => portals.portalId),
  monthlyLimitUsd: real('monthly_limit_usd').notNull(),
  warnAtPercent: integer('warn_at_percent'),
  timeZone: text('time_zone'),
  warnedMonth: text('warned_month'),
  updatedAt: integer('updated_at').notNull(),
  /** The month (`YYYY-MM`) `spentUsd` counts; null after a change, so the next reservation sums the month afresh. */
  ledgerMonth: text('ledger_month'),
  /** USD recorded by executions that started in `ledgerMonth`: the sum kept up as outcomes are written. */
  spentUsd: real('spent_usd').notNull().default(0)
})

/**
 * Admin page sessions. Only a SHA-256 of the session id is kept (the id itself lives in the browser's HttpOnly
 * cookie), so a copy of the database cannot be replayed as a signed-in browser. Expired rows are deleted lazily.
 */
export const adminSessions = sqliteTable('admin_sessions', {
  idHash: text('id_hash').primaryKey(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
  /**
   * Ties the session to the admin token it was opened with (hex HMAC of `id_hash` under a key derived from the
   * token, never the token): a session opened with another token is refused, so changing the token ends them all.
   */
  tokenFingerprint: text('token_fingerprint').notNull()
}, table => [index('admin_sessions_expires').on(table.expiresAt)])

/**
 * The instances sharing this database, each writing its own row: at start, on every heartbeat (a third of
 * `EXECUTION_LEASE_MS`) and when it stops. Not copied by `copy-data`: it describes running processes, not data.
 */
export const instances = sqliteTable('instances', {
  instanceId: text('instance_id').primaryKey(),
  version: text('version').notNull(),
  startedAt: integer('started_at').notNull(),
  lastSeenAt: integer('last_seen_at').notNull(),
  /** Executions it was working on at its last heartbeat. */
  running: integer('running').notNull().default(0),
  stoppedAt: integer('stopped_at')
})

/**
 * `RATE_LIMIT_PER_PORTAL` counted once for every instance: one row per limited key, its window and its count.
 * Not copied by `copy-data`: a minute's counters.
 */
export const rateLimitCounters = sqliteTable('rate_limit_counters', {
  key: text('key').primaryKey(),
  windowStartedAt: integer('window_started_at').notNull(),
  count: integer('count').notNull()
})

/**
 * One provider batch of economy executions: one portal's connection of one provider, one model. Submitted and
 * polled by the instance holding its lease; another takes it over when that lease runs out.
 */
export const economyBatches = sqliteTable('economy_batches', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  portalId: integer('portal_id').notNull(),
  provider: text('provider').notNull(),
  model: text('model').notNull(),
  /** The service's own name for it, stored at the vendor where it can be, to find it after a crash inside `submit`. */
  label: text('label').notNull(),
  /** `submitting`, `submitted` (at the vendor, polled), `done` (its results taken) or `abandoned` (its items run as standard). */
  state: text('state').notNull(),
  vendorBatchId: text('vendor_batch_id'),
  /** The vendor's own word for where it is, at the last poll. */
  vendorState: text('vendor_state'),
  items: integer('items').notNull(),
  /** Items the batch answered, and items that ran as standard calls instead. */
  answered: integer('answered').notNull().default(0),
  ranStandard: integer('ran_standard').notNull().default(0),
  createdAt: integer('created_at').notNull(),
  submittedAt: integer('submitted_at'),
  finishedAt: integer('finished_at'),
  /** When it is next asked for its state (polls back off), or when a failed submit is tried again. */
  nextPollAt: integer('next_poll_at'),
  polls: integer('polls').notNull().default(0),
  /** Why it was abandoned or why its last submit or poll failed. */
  error: text('error'),
  leaseOwner: text('lease_owner'),
  leaseExpiresAt: integer('lease_expires_at')
}, table => [
  uniqueIndex('economy_batches_label').on(table.label),
  index('economy_batches_open').on(table.nextPollAt).where(sql`state in ('submitting', 'submitted')`),
  index('economy_batches_portal').on(table.portalId, table.id)
])
