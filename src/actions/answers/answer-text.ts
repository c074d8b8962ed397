/**
 * Text helpers every answer parser shares: the answer's limits, one wrapping code fence removed, cutting without
 * splitting a surrogate pair, the comparable form, and letter-or-digit tests. Every one is a linear scan.
 */

/** Longest `response` (and `responseJson`) HubSpot is given, in characters (UTF-16 code units). */
export const MAX_RESPONSE_CHARACTERS = 65_536
/**
 * Longest answer read, in characters. Longer answers are cut to it (text) or refused (other formats) before any
 * pattern sees them: four times what HubSpot takes leaves room for a code fence, prose around a number and
 * pretty-printed JSON, and bounds the work one answer can cost.
 */
export const MAX_ANSWER_CHARACTERS = 4 * MAX_RESPONSE_CHARACTERS

const FENCE_MARKERS = ['```', '~~~'] as const
// The characters after which a multiline `^` matches: a line may end in any of them.
const LINE_BREAK = /[\n\r\u2028\u2029]/

/**
 * One code fence wrapping the whole (trimmed) answer removed: an opening line that starts with ``` or ~~~, then
 * the content, then the same marker at the very end, optionally on a line of its own after spaces or tabs. Read
 * by scanning, not with `^(```|~~~)[^\n]*\n([\s\S]*?)\n?[ \t]*\1$`, whose lazy content and `[ \t]*` competed
 * for every run of spaces (quadratic on a fence followed by whitespace); the content is the same.
 */
export function stripFence (answer: string): string {
  const text = answer.trim()
  const marker = FENCE_MARKERS.find(candidate => text.startsWith(candidate))
  const firstLineEnd = text.indexOf('\n')
  if (marker === undefined || firstLineEnd === -1) return text
  const afterOpening = text.slice(firstLineEnd + 1)
  if (!afterOpening.endsWith(marker)) return text
  let end = afterOpening.length - marker.length
  while (end > 0 && (afterOpening[end - 1] === ' ' || afterOpening[end - 1] === '\t')) end--
  if (end > 0 && afterOpening[end - 1] === '\n') end--
  const inner = afterOpening.slice(0, end)
  // A fence line inside means two blocks with prose between them, not one wrapping block.
  if (inner.split(LINE_BREAK).some(startsFenceLine)) return text
  return inner.trim()
}

/** Whether a line is a fence line: spaces or tabs only (not other whitespace), then ``` or ~~~. */
function startsFenceLine (line: string): boolean {
  let index = 0
  while (line[index] === ' ' || line[index] === '\t') index++
  return FENCE_MARKERS.some(candidate => line.startsWith(candidate, index))
}

export function capCharacters (text: string, limit: number): string {
  if (text.length <= limit) return text
  const cut = text.slice(0, limit)
  const last = cut.charCodeAt(cut.length - 1)
  return last >= 0xD800 && last <= 0xDBFF ? cut.slice(0, -1) : cut
}

/** Case-folded, compatibility-normalised, spacing collapsed: the form answers and choices are compared in. */
export function comparable (text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim()
}

/**
 * `text` without the characters other than letters and digits at either end. A scan from both ends, not
 * `/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu`: the second alternative restarted at every character of a punctuation
 * run in the middle of the text and ran to its end (quadratic).
 */
export function stripSurrounding (text: string): string {
  const characters = [...text]
  let start = 0
  let end = characters.length
  while (start < end && !LETTER_OR_DIGIT.test(characters[start] ?? '')) start++
  while (end > start && !LETTER_OR_DIGIT.test(characters[end - 1] ?? '')) end--
  return characters.slice(start, end).join('')
}

export function isPlainObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u

/** Whether the code point that ends just before `index` is a letter or digit (a surrogate pair counts whole). */
export function letterOrDigitBefore (text: string, index: number): boolean {
  if (index === 0) return false
  const pairStart = index >= 2 && isLowSurrogate(text.charCodeAt(index - 1)) && isHighSurrogate(text.charCodeAt(index - 2))
  return LETTER_OR_DIGIT.test(text.slice(pairStart ? index - 2 : index - 1, index))
}

/** Whether the code point that starts at `index` is a letter or digit. */
export function letterOrDigitAt (text: string, index: number): boolean {
  const codePoint = text.codePointAt(index)
  return codePoint !== undefined && LETTER_OR_DIGIT.test(String.fromCodePoint(codePoint))
}

function isHighSurrogate (code: number): boolean {
  return code >= 0xD800 && code <= 0xDBFF
}

function isLowSurrogate (code: number): boolean {
  return code >= 0xDC00 && code <= 0xDFFF
}

