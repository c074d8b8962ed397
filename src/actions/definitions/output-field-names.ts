/** The output fields of contract §3.4, in the order the definitions list them. */
export const OUTPUT_FIELDS = [
  'response', 'responseNumber', 'responseBoolean', 'responseChoice', 'responseJson', 'provider', 'model', 'inputTokens', 'outputTokens', 'costUsd', 'errorCode', 'errorMessage'
] as const
export type OutputFieldName = typeof OUTPUT_FIELDS[number]
