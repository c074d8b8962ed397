import type { BatchItemResult } from '../contract.ts'
import { responsesResult, type ResponsesObject } from './openai-responses.ts'

/**
 * One line of a batch's output or error file (openai-openapi `BatchRequestOutput`). A request the API refused has
 * its HTTP status and error envelope in `response`, with `error` null; `error` is set only for a failure that never
 * reached the API (an expired or cancelled batch), with `response` null.
 */
interface OutputLine {
  readonly custom_id?: unknown
  readonly response?: { readonly status_code?: unknown, readonly body?: unknown } | null
  readonly error?: { readonly code?: unknown, readonly message?: unknown } | null
}

const MESSAGE_LENGTH = 300

/**
 * The result of one output or error file line, or undefined for a line that names no item (nothing can be matched
 * to it). An answer is read by `responsesResult`, as `invoke` reads its response, so both give the same result.
 * An error message is ours and short; the vendor's text is quoted with the key cut out of it, and not at all for an
 * auth refusal, whose text quotes part of the key.
 */
export function batchItemResult (text: string, apiKey: string): BatchItemResult | undefined {
  let line: OutputLine
  try {
    line = JSON.parse(text) as OutputLine
  } catch {
    return undefined
  }
  if (typeof line !== 'object' || line === null || typeof line.custom_id !== 'string' || line.custom_id === '') return undefined
  const customId = line.custom_id
  const status = line.response?.status_code
  const body = line.response?.body
  if (status === 200 && typeof body === 'object' && body !== null) {
    return { customId, kind: 'answer', result: responsesResult(body as ResponsesObject) }
  }
  return { customId, kind: 'error', message: errorMessage(line, apiKey) }
}

function errorMessage (line: OutputLine, apiKey: string): string {
  const status = line.response?.status_code
  if (typeof status === 'number') {
    if (status === 401 || status === 403) return `OpenAI rejected the API key for this request (HTTP ${status}).`
    const detail = vendorText((line.response?.body as { error?: { message?: unknown } } | undefined)?.error?.message, apiKey)
    return `OpenAI answered HTTP ${status} for this request${detail === '' ? '.' : `: ${detail}`}`
  }
  const code = typeof line.error?.code === 'string' ? ` (${line.error.code})` : ''
  const detail = vendorText(line.error?.message, apiKey)
  return `OpenAI did not run this request${code}${detail === '' ? '.' : `: ${detail}`}`
}

function vendorText (value: unknown, apiKey: string): string {
  if (typeof value !== 'string') return ''
  const text = apiKey === '' ? value : value.replaceAll(apiKey, '[API key]')
  return text.length > MESSAGE_LENGTH ? `${text.slice(0, MESSAGE_LENGTH - 1)}…` : text
}
