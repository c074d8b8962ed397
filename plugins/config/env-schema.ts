import { Type, type Static } from '@sinclair/typebox'

/** Every setting the service reads (contract §2). Validated once at boot by @fastify/env; defaults live here. */
export const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  DATABASE_URL: Type.Optional(Type.String({ minLength: 1 })),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 2, maximum: 100, default: 10 }),
  INSTANCE_ID: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$' })),
  EXECUTION_LEASE_MS: Type.Integer({ minimum: 1000, maximum: 600000, default: 30000 }),
  ECONOMY_BATCH_WINDOW_MS: Type.Integer({ minimum: 1000, maximum: 3600000, default: 300000 }),
  ECONOMY_BATCH_MAX: Type.Integer({ minimum: 1, maximum: 10000, default: 1000 }),
  // At most 36 hours: the standard call that replaces a batch still has half a day before HubSpot's two-day expiry.
  ECONOMY_MAX_WAIT_MS: Type.Integer({ minimum: 60000, maximum: 129600000, default: 86400000 }),
  PUBLIC_URL: Type.Optional(Type.String({ minLength: 1 })),
  LOG_LEVEL: Type.Unsafe<'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'>(
    { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' }),
  HUBSPOT_CLIENT_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  HUBSPOT_CLIENT_ID: Type.Optional(Type.String({ minLength: 1 })),
  HUBSPOT_APP_ID: Type.Optional(Type.String({ pattern: '^[0-9]+$' })),
  HUBSPOT_DEVELOPER_API_KEY: Type.Optional(Type.String({ minLength: 1 })),
  HUBSPOT_API_BASE_URL: Type.String({ minLength: 1, default: 'https://api.hubapi.com' }),
  HUBSPOT_SIGNATURE_V2: Type.Boolean({ default: true }),
  HUBSPOT_OAUTH_SCOPES: Type.String({ minLength: 1, default: 'oauth automation' }),
  ENCRYPTION_KEY: Type.Optional(Type.String({ minLength: 1 })),
  ENCRYPTION_KEYS: Type.Optional(Type.String({ minLength: 1 })),
  ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  OPENAI_BASE_URL: Type.Optional(Type.String({ minLength: 1 })),
  ANTHROPIC_BASE_URL: Type.Optional(Type.String({ minLength: 1 })),
  COHERE_BASE_URL: Type.Optional(Type.String({ minLength: 1 })),
  XAI_BASE_URL: Type.Optional(Type.String({ minLength: 1 })),
  GEMINI_BASE_URL: Type.Optional(Type.String({ minLength: 1 })),
  ALLOWED_PROVIDER_HOSTS: Type.Optional(Type.String()),
  LLM_PROVIDER_PACKAGES: Type.Optional(Type.String()),
  SYNC_BUDGET_MS: Type.Integer({ minimum: 100, maximum: 25000, default: 8000 }),
  PROVIDER_TIMEOUT_MS: Type.Integer({ minimum: 1000, maximum: 3600000, default: 300000 }),
  RATE_LIMIT_PER_PORTAL: Type.Integer({ minimum: 1, default: 600 }),
  /** Read where the server is built (src/trust-proxy.ts); listed here so the settings name every variable. */
  TRUST_PROXY: Type.Optional(Type.String({ maxLength: 4096 })),
  MAX_IN_FLIGHT: Type.Integer({ minimum: 1, default: 1000 }),
  STORE_PROMPTS: Type.Boolean({ default: false }),
  PRICES_FILE: Type.Optional(Type.String({ minLength: 1 })),
  HUBSPOT_ACTIONS_API_VERSION: Type.Unsafe<'2026-09' | '2026-03' | 'v4'>({ type: 'string', enum: ['2026-09', '2026-03', 'v4'], default: '2026-09' }),
  PROVIDER_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 1000, default: 16 }),
  PROVIDER_QUEUE_LIMIT: Type.Integer({ minimum: 0, maximum: 100000, default: 500 }),
  SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, maximum: 120000, default: 10000 })
})

export type Env = Static<typeof EnvSchema>
