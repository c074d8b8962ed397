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
  /**
   * Whether the vendor offers a slower, cheaper synchronous tier for this model, charged at its batch price (OpenAI's
   * `service_tier: "flex"`). The service asks for it (`InvokeRequest.serviceTier`) only for work that can wait.
   */
  readonly flexTier?: boolean
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
   * For downloading batch results only (an OpenAI output file, Anthropic's results): a file of up to thousands of
   * answers, read as a stream line by line. `fetch` stops any body at one answer's limit (8 MiB); this one holds
   * each line to that limit instead, and not the whole. Build a second SDK client with it for the download alone.
   * A provider that reads such results whole bounds them itself. The service always gives it; a context built by
   * hand may not, and then `fetch` is used.
   */
  readonly resultsFetch?: typeof globalThis.fetch
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
  /** Present only when the model declares `flexTier`: answer on the vendor's slower, cheaper tier. */
  readonly serviceTier?: 'flex'
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
  /** `flex` when the vendor says it answered on its flex tier (charged at its batch price). */
  readonly serviceTier?: 'flex'
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
  /**
   * The vendor's batch API, for economy executions (contract §3.1 `processing`). Optional: a provider without it runs
   * economy executions as standard calls. Checked by the conformance kit when present.
   */
  readonly batch?: BatchCapability
}

/** One request of a batch: the same decided parameters as `invoke`, under the service's own id for it. */
export interface BatchItemRequest extends Omit<InvokeRequest, keyof ProviderCredentials | 'signal'> {
  /** Unique within the batch (`/^[A-Za-z0-9_-]{1,64}$/`, what every vendor takes); the result carries it back. */
  readonly customId: string
}

export interface BatchSubmitRequest extends ProviderCredentials, CallOptions {
  /** Every item uses the same model (OpenAI and Gemini take one model per batch). */
  readonly modelId: string
  readonly items: readonly BatchItemRequest[]
  /** The service's own name for the batch, stored with it at the vendor where it can be (metadata, display name). */
  readonly label: string
}

/** A batch at the vendor, as the service refers to it. */
export interface BatchReference extends ProviderCredentials, CallOptions {
  /** The vendor's id, as `submit` returned it. */
  readonly batchId: string
}

/**
 * Where a batch is. `running`: not finished (validating, queued, in progress, finalizing). `ended`: every item has a
 * result (answered or failed). `expired`: the vendor's window passed; the items it finished have results, the rest
 * none. `failed`: the batch as a whole was refused (a bad file, a quota); no results. `cancelled`: stopped; the items
 * finished before it have results.
 */
export type BatchState = 'running' | 'ended' | 'expired' | 'failed' | 'cancelled'

export interface BatchStatus {
  readonly state: BatchState
  /** The vendor's own word for the state (`in_progress`, `JOB_STATE_RUNNING`, …), for logs and the admin page. */
  readonly vendorState: string
  /** Why a batch failed, from the vendor, when `failed`. */
  readonly reason?: string
}

export type BatchItemResult =
  | { readonly customId: string, readonly kind: 'answer', readonly result: InvokeResult }
  /** This item failed at the vendor (a refused request, expired or cancelled before it ran): the service runs it as a standard call. */
  | { readonly customId: string, readonly kind: 'error', readonly message: string }

/**
 * A vendor's batch API: requests sent together, answered within the vendor's window (24 hours) at its batch price.
 * Every method throws `ProviderError` for a failure of the call itself (the key, an outage), like `invoke`.
 */
export interface BatchCapability {
  /** Most requests one batch takes. */
  readonly maxItems: number
  /** Most bytes one batch's requests take, as the vendor measures them (its JSONL file or request body). */
  readonly maxBytes: number
  /** Whether this model can be sent through the batch API; absent, every model can. */
  supports? (modelId: string): boolean
  /** Sends the requests as one batch and returns the vendor's id for it. */
  submit (request: BatchSubmitRequest): Promise<{ readonly batchId: string }>
  /** Where the batch is now. */
  status (reference: BatchReference): Promise<BatchStatus>
  /**
   * The results of a batch no longer `running`, one per item that has one, read as they arrive. Asked while the
   * vendor has none to give yet (still running, or not yet finalized): PROVIDER_UNAVAILABLE, which is transient, so
   * the service asks again later; never an empty result, or every item would run a second time. Results the vendor no
   * longer keeps, or a file that breaks the service's limits (one line past an answer's): PROVIDER_REJECTED.
   */
  results (reference: BatchReference): AsyncIterable<BatchItemResult>
  /** Stops a batch (already finished: nothing happens). The vendor bills only what it finished. */
  cancel (reference: BatchReference): Promise<void>
  /**
   * The id of the batch submitted with `label`, when the vendor can tell (a crash between `submit` and storing its
   * id); undefined when none was. Absent: the vendor cannot tell, and such a batch is given up.
   */
  find? (credentials: ProviderCredentials & CallOptions, label: string): Promise<string | undefined>
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
