import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

/**
 * Encryption of stored secrets (provider keys, OAuth tokens). AES-256-GCM; every ciphertext reads
 * `v1.<keyId>.<iv>.<ciphertext+tag>` (base64url parts), so keys can rotate and the format can change.
 * The associated data binds a ciphertext to where it belongs (`portal:42/provider:openai`): copied into another
 * row, it no longer decrypts.
 */

const FORMAT = 'v1'
const IV_BYTES = 12
const TAG_BYTES = 16

export interface KeyringKey {
  readonly id: string
  readonly key: Buffer
}

export class KeyringError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'KeyringError'
  }
}

export interface Keyring {
  readonly primaryKeyId: string
  encrypt (plaintext: string, associatedData: string): string
  decrypt (ciphertext: string, associatedData: string): string
  /** True when the ciphertext is not under the primary key (so `rekey` should rewrite it). */
  needsRekey (ciphertext: string): boolean
}

/** Keys in order: the first encrypts, all decrypt. */
export function createKeyring (keys: readonly KeyringKey[]): Keyring {
  const primary = keys[0]
  if (primary === undefined) throw new KeyringError('at least one encryption key is needed')
  const byId = new Map(keys.map(key => [key.id, key.key]))

  return {
    primaryKeyId: primary.id,

    encrypt (plaintext, associatedData) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', primary.key, iv)
      cipher.setAAD(Buffer.from(associatedData, 'utf8'))
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
      return [FORMAT, primary.id, iv.toString('base64url'), body.toString('base64url')].join('.')
    },

    decrypt (ciphertext, associatedData) {
      const [format, keyId, iv, body, ...rest] = ciphertext.split('.')
      if (format !== FORMAT || keyId === undefined || iv === undefined || body === undefined || rest.length > 0) {
        throw new KeyringError('unrecognised ciphertext format')
      }
      const key = byId.get(keyId)
      if (key === undefined) throw new KeyringError(`ciphertext is under key "${keyId}", which is not configured`)
      const data = Buffer.from(body, 'base64url')
      if (data.length < TAG_BYTES) throw new KeyringError('ciphertext is truncated')
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
        decipher.setAAD(Buffer.from(associatedData, 'utf8'))
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES))
        return Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]).toString('utf8')
      } catch {
        throw new KeyringError('ciphertext failed authentication (tampered, or bound to another record)')
      }
    },

    needsRekey (ciphertext) {
      return ciphertext.split('.')[1] !== primary.id
    }
  }
}

/**
 * Parses `ENCRYPTION_KEYS` (`id1:base64,id2:base64`) or a single `ENCRYPTION_KEY` (id `default`). Each key must be
 * base64 of exactly 32 bytes. Errors name the variable and never echo the value.
 */
export function parseKeyring (settings: { ENCRYPTION_KEY?: string, ENCRYPTION_KEYS?: string }): KeyringKey[] {
  if (settings.ENCRYPTION_KEYS !== undefined && settings.ENCRYPTION_KEYS.trim() !== '') {
    const keys = settings.ENCRYPTION_KEYS.split(',').map((entry, position) => {
      const separator = entry.indexOf(':')
      const id = entry.slice(0, separator).trim()
      if (separator < 1 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
        throw new KeyringError(`ENCRYPTION_KEYS entry ${position + 1} must read <id>:<base64 key>, with an id of letters, digits, _ or -`)
      }
      return { id, key: decodeKey(entry.slice(separator + 1), `ENCRYPTION_KEYS entry "${id}"`) }
    })
    if (new Set(keys.map(key => key.id)).size !== keys.length) throw new KeyringError('ENCRYPTION_KEYS has a repeated key id')
    return keys
  }
  if (settings.ENCRYPTION_KEY === undefined) throw new KeyringError('ENCRYPTION_KEY is not set')
  return [{ id: 'default', key: decodeKey(settings.ENCRYPTION_KEY, 'ENCRYPTION_KEY') }]
}

function decodeKey (value: string, name: string): Buffer {
  const trimmed = value.trim()
  const key = Buffer.from(trimmed, 'base64')
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) || key.length !== 32) {
    throw new KeyringError(`${name} must be base64 of 32 random bytes (try: openssl rand -base64 32)`)
  }
  return key
}

/** The last four characters, for `keyHint`; short keys show nothing rather than most of themselves. */
export function keyHint (secret: string): string {
  return secret.length >= 12 ? secret.slice(-4) : ''
}
