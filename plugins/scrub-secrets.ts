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

/**
 * `text` with every known secret replaced by `[redacted]`, raw or URL-encoded (as it appears in a quoted URL),
 * and anything shaped like a key masked too. Undefined and too-short values are skipped, so callers can pass
 * optional settings as they are.
 */
export function scrubSecrets (text: string, secrets: ReadonlyArray<string | undefined>): string {
  const forms = new Set<string>()
  for (const secret of secrets) {
    if (secret === undefined || secret.length < MINIMUM_SECRET_LENGTH) continue
    forms.add(secret)
    forms.add(encodeURIComponent(secret))
  }
  // Longest first: a secret that contains another must not be left half-replaced.
  let scrubbed = text
  for (const form of [...forms].sort((a, b) => b.length - a.length)) scrubbed = scrubbed.split(form).join(REDACTED)
  return scrubbed.replace(SECRET_SHAPES, REDACTED).replace(HAPIKEY_PARAMETER, `hapikey=${REDACTED}`)
}
