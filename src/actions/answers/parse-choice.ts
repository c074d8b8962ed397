import type { Outcome } from './answer-fields.ts'
import { comparable, letterOrDigitAt, letterOrDigitBefore, stripSurrounding } from './answer-text.ts'
import { HEDGES, wordsOf } from './parse-boolean.ts'

export function parseChoice (value: string | number | boolean, choices: readonly string[]): Outcome {
  if (choices.length === 0) return { problem: 'No choices were given to choose from.' }
  const text = comparable(String(value))
  const exact = choices.filter(choice => comparable(choice) === text)
  if (exact.length === 1) return { fields: { responseChoice: exact[0] } }
  const bare = stripSurrounding(text)
  const stripped = choices.filter(choice => stripSurrounding(comparable(choice)) === bare)
  if (stripped.length === 1) return { fields: { responseChoice: stripped[0] } }

  const spans: Span[] = []
  for (const choice of choices) {
    const needle = comparable(choice)
    for (const start of wholeWordOccurrences(text, needle)) spans.push({ choice, start, end: start + needle.length })
  }
  const mentioned = new Set(outermostSpans(spans).map(span => span.choice))
  // In the order of the choices field, as the problem message lists them.
  const named = [...new Set(choices)].filter(choice => mentioned.has(choice))
  const list = choices.join('; ')
  if (named.length === 0) return { problem: `The answer is not one of the choices (${list}).` }
  if (named.length > 1) return { problem: `The answer names more than one choice (${named.join(', ')}); exactly one of ${list} is needed.` }

  const outside = blankedOut(text, outermostSpans(spans))
  const hedge = wordsOf(outside).find(word => HEDGES.has(word))
  if (hedge !== undefined) return { problem: `The answer is hedged ("${hedge}") instead of naming one choice.` }
  return { fields: { responseChoice: named[0] } }
}

/** Where a choice is named in an answer: `text.slice(start, end)` is the choice in `comparable` form. */
interface Span {
  readonly choice: string
  readonly start: number
  readonly end: number
}

/**
 * Where `needle` occurs in `text` as a whole word (no letter or digit touching either end), left to right, not
 * overlapping, as a global regular expression with look-behind and look-ahead would find them. Knuth-Morris-Pratt
 * finds every candidate in time linear in both lengths, whatever they repeat; a regular expression or `indexOf`
 * from each position costs their product on `aaaa…` against a long run of `a`.
 */
function wholeWordOccurrences (text: string, needle: string): number[] {
  if (needle === '') return []
  // fallback[i]: length of the longest proper prefix of needle[0..i] that is also its suffix.
  const fallback = new Int32Array(needle.length)
  for (let index = 1, matched = 0; index < needle.length; index++) {
    while (matched > 0 && needle.charCodeAt(index) !== needle.charCodeAt(matched)) matched = fallback[matched - 1] ?? 0
    if (needle.charCodeAt(index) === needle.charCodeAt(matched)) matched++
    fallback[index] = matched
  }
  const starts: number[] = []
  let free = 0 // where the next accepted occurrence may start: accepted ones do not overlap
  for (let index = 0, matched = 0; index < text.length; index++) {
    while (matched > 0 && text.charCodeAt(index) !== needle.charCodeAt(matched)) matched = fallback[matched - 1] ?? 0
    if (text.charCodeAt(index) === needle.charCodeAt(matched)) matched++
    if (matched < needle.length) continue
    const start = index + 1 - needle.length
    if (start >= free && !letterOrDigitBefore(text, start) && !letterOrDigitAt(text, index + 1)) {
      starts.push(start)
      free = index + 1
    }
    matched = fallback[matched - 1] ?? 0
  }
  return starts
}

/**
 * The spans not inside a longer one ("hot" inside "very hot" is not a mention of Hot), in order of position.
 * Sorted by start, longest first, a span is inside a longer one exactly when a span of an earlier position (or
 * the same start and a greater end) reaches as far as it does; equal spans (two spellings of one choice) keep
 * each other. One pass after the sort, where comparing every pair would be quadratic in the mentions.
 */
function outermostSpans (spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((one, other) => one.start - other.start || other.end - one.end)
  const kept: Span[] = []
  let furthestBefore = -1 // furthest end of the spans sorted before the current run of equal spans
  let furthest = -1
  for (let index = 0; index < sorted.length; index++) {
    const span = sorted[index]
    const previous = sorted[index - 1]
    if (span === undefined) continue
    if (previous === undefined || previous.start !== span.start || previous.end !== span.end) furthestBefore = furthest
    if (furthestBefore < span.end) kept.push(span)
    furthest = Math.max(furthest, span.end)
  }
  return kept
}

/** `text` with every span replaced by as many spaces, built in one pass. */
function blankedOut (text: string, spans: readonly Span[]): string {
  const parts: string[] = []
  let cursor = 0
  for (const span of spans) {
    if (span.start > cursor) parts.push(text.slice(cursor, span.start))
    if (span.end > cursor) parts.push(' '.repeat(span.end - Math.max(cursor, span.start)))
    cursor = Math.max(cursor, span.end)
  }
  parts.push(text.slice(cursor))
  return parts.join('')
}
