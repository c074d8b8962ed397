/**
 * The one secret scrubber, for text bound for an error message or a log line. Dependency-free so that every layer
 * (plugins, the HubSpot client, actions) can use it without importing upwards.
 *
 * Vendors echo what they were sent (keys in error messages, request URLs with query strings), so text that came
 * from a vendor is scrubbed before anything of ours quotes it.
 */

const REDACTED = '[redacted]'

/** Shorter values would match ordinary words and numbers; real secrets are far longer. */
const MINIMUM_SECRET_LENGTH = 4

/**
 * Values shaped like a provider API key (OpenAI, Anthropic, xAI, Google), and HubSpot's developer key as the
 * `hapikey=` query parameter: masked even when this call did not know the value, e.g. another key quoted back.
 */
const SECRET_SHAPES = /\b(sk-[A-Za-z0-9_*.-]{6,}|sk-ant-[A-Za-z0-9_*.-]{6,}|xai-[A-Za-z0-9_*.-]{6,}|AIza[0-9A-Za-z_*-]{6,})/g
const HAPIKEY_PARAMETER = /hapikey=[^&\s"']+/gi

export interface ScrubOptions {
  /**
   * Also redact every run of at least this many consecutive characters of a secret (case-insensitive), so a
   * key's first ten or last eight characters go too. For text nobody needs to read closely (a plugin's error
   * message bound for the log); ordinary words inside a secret would be redacted with it. Secrets shorter than
   * twice this length are removed whole only.
   */
  readonly fragmentLength?: number
}

/**
 * Lower case for ASCII letters only: every index of the result stays on the same character of the input (full
 * Unicode folding changes lengths, `İ` becomes two characters), and secrets and their encodings are ASCII.
 */
function asciiLowerCase (text: string): string {
  return text.replace(/[A-Z]/g, letter => letter.toLowerCase())
}

/**
 * `text` with every known secret replaced by `[redacted]`: raw, in any letter case, URL-encoded (as it appears in
 * a quoted URL) and base64-encoded (as in a quoted Basic header), and anything shaped like a key masked too.
 * Undefined and too-short values are skipped, so callers can pass optional settings as they are.
 */
export function scrubSecrets (text: string, secrets: ReadonlyArray<string | undefined>, options: ScrubOptions = {}): string {
  const known = secrets.filter((secret): secret is string => secret !== undefined && secret.length >= MINIMUM_SECRET_LENGTH)
  const forms = new Set(known.flatMap(encodedForms).map(asciiLowerCase))
  let scrubbed = redactRanges(text, matchingRanges(asciiLowerCase(text), forms))
  if (options.fragmentLength !== undefined) scrubbed = redactFragments(scrubbed, known, options.fragmentLength)
  return scrubbed.replace(SECRET_SHAPES, REDACTED).replace(HAPIKEY_PARAMETER, `hapikey=${REDACTED}`)
}

/**
 * Whether `text` holds a run of at least `length` consecutive characters of any secret in any of its encodings,
 * ignoring case: the test a vendor's short token must pass before our own message may quote it.
 */
export function sharesSecretFragment (text: string, secrets: ReadonlyArray<string | undefined>, length = 6): boolean {
  const known = secrets.filter((secret): secret is string => secret !== undefined && secret.length >= MINIMUM_SECRET_LENGTH)
  return matchingRanges(asciiLowerCase(text), fragmentsOf(known, length), length).length > 0
}

function encodedForms (secret: string): string[] {
  return [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64').replace(/=+$/, ''), Buffer.from(secret).toString('base64url')]
}

/** Every lowercase window of `length` characters of each secret's forms (a shorter secret is its own window). */
function fragmentsOf (secrets: readonly string[], length: number): Set<string> {
  const windows = new Set<string>()
  for (const form of secrets.flatMap(encodedForms).map(asciiLowerCase)) {
    if (form.length <= length) windows.add(form)
    for (let start = 0; start + length <= form.length; start++) windows.add(form.slice(start, start + length))
  }
  return windows
}

/** Secrets shorter than twice the fragment length are only removed whole: their pieces would be ordinary words. */
function redactFragments (text: string, secrets: readonly string[], length: number): string {
  const long = secrets.filter(secret => secret.length >= 2 * length)
  return redactRanges(text, matchingRanges(asciiLowerCase(text), fragmentsOf(long, length), length))
}

/**
 * Where `needles` occur in `haystack`, as [start, end) ranges. With `windowLength`, every needle has that length
 * and each position is looked up once (linear in the text); otherwise each needle is searched for in turn.
 */
function matchingRanges (haystack: string, needles: ReadonlySet<string>, windowLength?: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = []
  if (windowLength !== undefined) {
    for (let start = 0; start + windowLength <= haystack.length; start++) {
      if (needles.has(haystack.slice(start, start + windowLength))) ranges.push([start, start + windowLength])
    }
    for (const needle of needles) {
      if (needle.length < windowLength) for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) ranges.push([at, at + needle.length])
    }
    return ranges
  }
  for (const needle of needles) {
    for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) ranges.push([at, at + needle.length])
  }
  return ranges
}

/** `text` with the union of `ranges` replaced, one marker per merged stretch. */
function redactRanges (text: string, ranges: ReadonlyArray<[number, number]>): string {
  if (ranges.length === 0) return text
  const sorted = [...ranges].sort((a, b) => a[0] - b[0])
  let result = ''
  let position = 0
  let current: [number, number] | undefined
  for (const [start, end] of sorted) {
    if (current !== undefined && start <= current[1]) { current[1] = Math.max(current[1], end); continue }
    if (current !== undefined) { result += text.slice(position, current[0]) + REDACTED; position = current[1] }
    current = [start, end]
  }
  if (current !== undefined) result += text.slice(position, current[0]) + REDACTED
  return result + text.slice(current?.[1] ?? position)
}
