/**
 * The provider contract: what a provider module gives the service, and what the service gives it.
 *
 * Published as `hubspot-llm-actions/provider`. A provider is a plain factory (`defineProvider`) that knows
 * nothing of Fastify, HubSpot or the database. The service owns keys, parameter decisions, retries and
 * timeouts; the provider owns one vendor's wire format.
 *
 * Version 1. An incompatible change bumps PROVIDER_SPEC_VERSION; the registry refuses other versions at boot.
 */

export const PROVIDER_SPEC_VERSION = 1 as const

/** The three effort levels a workflow user can pick. Each provider maps them to its own wire values. */
export type ReasoningEffort = 'low' | 'medium' | 'high'
export const REASONING_EFFORTS: readonly ReasoningEffort[] = ['low', 'medium', 'high']

/**
 * What a model honours. The service decides parameters from this alone (see `providers/parameters.ts`), so a
 * provider never has to drop a setting silently: it declares it cannot take it, and the service records that
 * the setting was adjusted.
 */
export interface ModelCapabilities {
  /** Whether a temperature may be sent at all. */
  readonly temperature: boolean
  /** Inclusive range the model accepts when `temperature` is true. Values outside are clamped, and reported. */
  readonly temperatureRange?: readonly [number, number]
  /**
   * When true, temperature is only honoured if no reasoning effort is sent (OpenAI gpt-5.1+ style). The service
   * then drops whichever the user did not ask for explicitly; if both were asked, the effort wins.
   */
  readonly temperatureExcludesReasoning?: boolean
  /** Effort levels the model accepts, as our three levels. Empty: the model has no reasoning control. */
  readonly reasoningEfforts: readonly ReasoningEffort[]
  /** Whether the provider can constrain output to a JSON schema for this model. */
  readonly structuredOutput: boolean
  /** Largest output-token cap the model takes. A larger `maxOutputTokens` is lowered to it, and reported. */
  readonly maxOutputTokens?: number
  /** Output-token cap the service sends when the user set none (needed by vendors that require one). */
  readonly defaultMaxOutputTokens?: number
}

export interface ProviderModel {
  /** The vendor's model id, as sent on the wire. */
  readonly id: string
  /** A human label for HubSpot's dropdown. */
  readonly label: string
  readonly capabilities: ModelCapabilities
  /** A retirement date (YYYY-MM-DD) when the vendor announced one. */
  readonly deprecatedAfter?: string
}

/** A minimal structured logger. Never pass a key or token to it. */
export interface ProviderLogger {
  debug (object: object, message?: string): void
  info (object: object, message?: string): void
  warn (object: object, message?: string): void
}

/** What the service gives a provider factory once, at boot. */
export interface ProviderContext {
  /** Injected for tests and proxies; SDKs that accept a `fetch` option must be given this one. */
  readonly fetch: typeof globalThis.fetch
  /**
   * The operator's base URL for this provider (`OPENAI_BASE_URL`, …), in the form the vendor SDK takes.
   * Undefined: the vendor's default. A connection may carry its own `baseUrl`, passed per call.
   */
  readonly baseUrl?: string
  /**
   * Hard limit of one provider call in milliseconds, attempts included. Calls also receive an AbortSignal that
   * fires at this limit; SDKs must be configured with their own timeout no larger than this.
   */
  readonly timeoutMs: number
  readonly log: ProviderLogger
}

/** Where a call goes and with which key. */
export interface ProviderCredentials {
  /** The decrypted key. Hold it only for the duration of the call (a client cache keyed by its hash is fine). */
  readonly apiKey: string
  /** A connection-level base URL, already checked against the allowed hosts. Overrides the context's. */
  readonly baseUrl?: string
}

export interface CallOptions {
  /** Fires at the call's deadline or when the execution is abandoned. Pass it to the SDK. */
  readonly signal: AbortSignal
}

/**
 * One non-streaming generation. Parameters arrive already decided: a field is present only if the model takes
 * it (per `ModelCapabilities`), so the provider sends exactly what it is given and maps nothing away.
 */
export interface InvokeRequest extends ProviderCredentials, CallOptions {
  readonly modelId: string
  /** System-level instructions (an assistant's instructions, output-format rules). */
  readonly instructions?: string
  /** The user's rendered prompt. */
  readonly prompt: string
  readonly temperature?: number
  readonly reasoningEffort?: ReasoningEffort
  readonly maxOutputTokens?: number
  /**
   * Present only when the model declares `structuredOutput`: constrain the answer to this JSON schema
   * (an object schema named `response`).
   */
  readonly jsonSchema?: Readonly<Record<string, unknown>>
}

export type FinishReason = 'stop' | 'length' | 'content-filter' | 'error' | 'other'

export interface Usage {
  readonly inputTokens: number
  readonly outputTokens: number
  /** Input tokens served from the vendor's prompt cache, where reported. */
  readonly cachedInputTokens?: number
  /** Output tokens spent on reasoning (included in outputTokens), where reported. */
  readonly reasoningTokens?: number
}

export interface InvokeResult {
  /** The answer text, thinking parts excluded. */
  readonly text: string
  readonly finishReason: FinishReason
  readonly usage: Usage
  /** The model that answered, as the vendor reports it (may be a dated snapshot of the requested id). */
  readonly model?: string
  /**
   * Settings the vendor refused at run time and the provider retried without (a model newer than its tables),
   * one sentence each. The service adds them to the execution record.
   */
  readonly adjustments?: readonly string[]
}

export type KeyCheck =
  | { readonly valid: true }
  | { readonly valid: false, readonly reason: string }

/** What a provider's factory builds: the calls, and the model knowledge they rely on. */
export interface ProviderImplementation {
  /** The curated models: offered while the live list cannot be fetched, and the source of known capabilities. */
  readonly models: readonly ProviderModel[]
  /**
   * Capabilities for any model id, including ids the curated table has never seen (new models appear monthly):
   * the provider applies family rules (`gpt-5*` reasons, `gpt-4*` does not, …).
   */
  capabilities (modelId: string): ModelCapabilities
  /** Checks a key with the vendor's cheapest call. Resolves `{valid:false}` for a rejected key; throws
   *  `ProviderError` for anything else (outage, timeout), so a flaky vendor never reads as a bad key. */
  validateKey (credentials: ProviderCredentials, options: CallOptions): Promise<KeyCheck>
  /** The vendor's live list of text models, with capabilities attached. Throws `ProviderError` on failure. */
  listModels (credentials: ProviderCredentials, options: CallOptions): Promise<readonly ProviderModel[]>
  /** One generation. Throws `ProviderError` (see `providers/errors.ts`) for every failure; no retries inside. */
  invoke (request: InvokeRequest): Promise<InvokeResult>
}

/** A provider module's default export, made with `defineProvider`. */
export interface ProviderDefinition {
  readonly specificationVersion: typeof PROVIDER_SPEC_VERSION
  /** Stable lowercase id (`/^[a-z][a-z0-9-]*$/`), stored in the database and sent by HubSpot. */
  readonly id: string
  /** Human name for dropdowns and the admin page. */
  readonly label: string
  /**
   * Every host this provider may reach with its default settings (`api.openai.com`). A base URL pointing
   * elsewhere must be allowed by the operator. Empty for providers that only reach a connection's `baseUrl`.
   */
  readonly hosts: readonly string[]
  /** True when every connection must carry its own `baseUrl` (self-hosted, OpenAI-compatible endpoints). */
  readonly requiresBaseUrl?: boolean
  /** Builds the implementation once, at boot. */
  readonly create: (context: ProviderContext) => ProviderImplementation
}

/** A registered provider: its definition's metadata together with the implementation built at boot. */
export type LlmProvider = Omit<ProviderDefinition, 'create'> & ProviderImplementation
