/**
 * Our prompts wrap untrusted text (record data, a model's rejected answer) in tags such as `<record-data …>` and
 * `<previous-answer>`. The text inside must not be able to close its tag, so anything in it that a model might
 * read as one of those tags is neutralised: its opening `<` becomes `&lt;`.
 *
 * The text is untrusted and may be long, so the pattern is written to run in linear time: its unbounded
 * quantifiers are separated by characters they cannot match (`\s*`, then an optional `/` followed by `\s*`, then
 * a letter), so no two of them compete for the same characters and a failed attempt gives up after one pass over
 * the whitespace that follows a `<`. The older `\s*\/?\s*` let two `\s*` share a run of spaces, which took
 * quadratic time on `<` followed by 60,000 spaces.
 */

/**
 * A pattern for every spelling of the tag named by `words` (`['record', 'data']` for `record-data`) a model might
 * read as it: `<`, fullwidth `＜` or small-form `﹤`, then optional spacing and slash, then the words in any case
 * and with any run of spaces, `_` or `-` between them. `words` must be plain letters.
 */
export function tagLikePattern (words: readonly string[]): RegExp {
  return new RegExp(`[<\\uFF1C\\uFE64]\\s*(?:\\/\\s*)?${words.join('[\\s_-]*')}`, 'giu')
}

/** `text` with the opening sign of everything `pattern` (from `tagLikePattern`) matches replaced by `&lt;`. */
export function neutraliseTagLike (text: string, pattern: RegExp): string {
  return text.replace(pattern, match => '&lt;' + match.slice(1))
}
