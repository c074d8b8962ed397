/** Characters in a row of a key that count as repeating it: vendors echo `sk-abc…wxyz`-style parts. */
const FRAGMENT_LENGTH = 8
const REDACTED = '[redacted]'

export interface WatchedKey {
  /** How reasons name it (`good key`); never the key itself. */
  readonly label: string
  readonly key: string
}

interface Fragment {
  readonly text: string
  readonly label: string
  /** Where the fragment starts in its key, from 0. */
  readonly offset: number
}

/**
 * Watches for key text: each key whole, and every 8-character run of it. Errors are searched through their
 * message, stack, enumerable fields and causes, as a log serializer prints them. A leak is recorded by where it
 * was seen and which characters of which key it repeats, never by the text itself, so the report stays safe to
 * print.
 */
export class CanaryWatch {
  readonly leaks: string[] = []
  private readonly fragments: readonly Fragment[]

  constructor (keys: readonly WatchedKey[]) {
    const fragments = new Map<string, Fragment>()
    for (const { label, key } of keys) {
      if (key === '') continue
      const count = key.length <= FRAGMENT_LENGTH ? 1 : key.length - FRAGMENT_LENGTH + 1
      for (let offset = 0; offset < count; offset++) {
        const text = key.slice(offset, offset + FRAGMENT_LENGTH)
        if (!fragments.has(text)) fragments.set(text, { text, label, offset })
      }
    }
    this.fragments = [...fragments.values()]
  }

  /** Records a leak when any text of `value` repeats a key fragment; `where` names what was looked at. */
  inspect (value: unknown, where: string): void {
    for (const text of searchableTexts(value)) {
      const fragment = this.fragments.find(candidate => text.includes(candidate.text))
      if (fragment !== undefined) {
        this.leaks.push(`${where} repeats characters ${fragment.offset + 1}–${fragment.offset + fragment.text.length} of the ${fragment.label}`)
        return
      }
    }
  }

  /**
   * `text` with every key fragment replaced, in any letter case: the kit quotes what providers throw, and its
   * report must be safe to print in CI logs even when the provider under test leaks.
   */
  redact (text: string): string {
    const lower = asciiLowerCase(text)
    const covered = new Array<boolean>(text.length).fill(false)
    for (const { text: fragment } of this.fragments) {
      const needle = asciiLowerCase(fragment)
      for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, at + 1)) covered.fill(true, at, at + needle.length)
    }
    let result = ''
    for (let index = 0; index < text.length; index++) {
      if (!covered[index]) result += text[index]
      else if (index === 0 || !covered[index - 1]) result += REDACTED
    }
    return result
  }
}

/** ASCII letters only, so every index of the result stays on the same character of the input (`İ` would grow). */
function asciiLowerCase (text: string): string {
  return text.replace(/[A-Z]/g, letter => letter.toLowerCase())
}

function searchableTexts (value: unknown, depth = 0): string[] {
  if (value === undefined || value === null || depth > 5) return []
  if (typeof value !== 'object') return [String(value)]
  const error = value as { message?: unknown, stack?: unknown, cause?: unknown }
  let json = ''
  try { json = JSON.stringify(value) ?? '' } catch { json = '' }
  return [String(error.message ?? ''), String(error.stack ?? ''), json, ...searchableTexts(error.cause, depth + 1)]
}
