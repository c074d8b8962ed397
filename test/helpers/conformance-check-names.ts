/**
 * The names of the kit's checks in the order they run, written out here on purpose: a renamed or dropped check
 * changes what third-party providers are held to, so it has to change this list too.
 */
export function conformanceCheckNames (options: { readonly rateLimitRetryAfterMs?: number, readonly batch?: boolean } = {}): string[] {
  const carrying = options.rateLimitRetryAfterMs === undefined ? '' : `, carrying retryAfterMs ${options.rateLimitRetryAfterMs}`
  return [
    'is an object made with defineProvider, declaring this contract\'s specificationVersion',
    'has an id of at most 40 lowercase letters, digits and dashes, starting with a letter',
    'has a non-empty label',
    'lists its hosts as bare lowercase host names, at least one unless requiresBaseUrl',
    'is accepted by the service\'s registry',
    'lists well-formed curated models, at least one unless requiresBaseUrl',
    'answers well-formed capabilities for the tested model, a dated snapshot of it and an unseen model id',
    'validateKey resolves {valid:true} for the good key',
    'validateKey resolves {valid:false} with a reason for the bad key, without throwing',
    'listModels resolves well-formed models for the good key',
    'invoke resolves text, a finish reason and usage counts for the good key',
    'invoke with the bad key throws ProviderError PROVIDER_AUTH',
    'invoke meeting "unauthorized" (a revoked key) throws ProviderError PROVIDER_AUTH',
    `invoke meeting "rate-limited" throws ProviderError PROVIDER_RATE_LIMITED${carrying}`,
    'invoke meeting "unavailable" throws ProviderError PROVIDER_UNAVAILABLE',
    'invoke meeting "hang" with a 300 ms signal throws ProviderError PROVIDER_TIMEOUT soon after',
    'repeats no key, whole or in part, in errors, key-check reasons or logs',
    ...(options.batch === true ? BATCH_CHECK_NAMES : [])
  ]
}

/** The checks a provider that declares `batch` meets after the others. */
const BATCH_CHECK_NAMES = [
  'batch is an object with the functions submit, status, results and cancel, and supports and find when present',
  'batch declares maxItems and maxBytes as positive whole numbers',
  'batch submit of two items resolves the vendor\'s batch id',
  'batch status leaves running once the scenario ends the batch, and answers ended',
  'batch results yield exactly one answer per submitted custom id, each with text, a finish reason and usage counts',
  'batch cancel of an ended batch resolves and leaves it ended',
  'batch submit with the bad key throws ProviderError PROVIDER_AUTH',
  'batch repeats no key, whole or in part, in what its calls throw, resolve, yield or log'
]
