import type { Logger } from '../logger.ts'
import type { ConnectionsRepository } from '../../db/repositories/connections-repository.ts'
import { connectionKeyContext } from '../../db/secret-contexts.ts'
import { KeyringError, type Keyring } from './keyring.ts'

/** Where a provider key is stored: enough to decrypt it, and to name it without showing it. */
export interface StoredConnectionKey {
  readonly portalId: number
  readonly provider: string
  readonly encryptedKey: string
}

export interface ConnectionName {
  readonly portalId: number
  readonly provider: string
}

/** A connection's provider key in clear. Throws KeyringError when the configured keys cannot decrypt it. */
export function decryptConnectionKey (keyring: Keyring, stored: StoredConnectionKey): string {
  return keyring.decrypt(stored.encryptedKey, connectionKeyContext(stored.portalId, stored.provider))
}

const NAMED_IN_MESSAGE = 10

/**
 * Checks at boot that the configured ENCRYPTION_KEYS decrypt the stored provider keys, so that an instance restarted
 * with the wrong keys says so once (and in the connection list) instead of failing each execution with a puzzle.
 * Unreadable connections become `key_unreadable`; ones that were and now decrypt become `connected` again.
 *
 * Decrypting every key would cost about 10 µs each (half a second for 50,000 connections, on every start), so keys
 * are checked by the key id their ciphertext names: three samples per id, and every ciphertext of an id whose
 * samples do not all decrypt (a key that is missing or was replaced). Connections already marked unreadable are
 * each checked again. A single ciphertext damaged in the database is still found at its first use (KEY_UNREADABLE).
 */
export async function checkStoredKeys (
  collaborators: { readonly connections: ConnectionsRepository, readonly keyring: Keyring, readonly clock: () => number, readonly log: Pick<Logger, 'info' | 'error'> }
): Promise<{ unreadable: ConnectionName[], readableAgain: ConnectionName[] }> {
  const { connections, keyring, clock, log } = collaborators
  const unreadable: ConnectionName[] = []
  const readableAgain: ConnectionName[] = []
  const at = clock()
  const stored = await connections.allCiphertexts()
  const byKeyId = new Map<string, typeof stored>()
  for (const row of stored) {
    if (row.status === 'key_unreadable') {
      if (canDecrypt(keyring, row)) {
        await connections.setStatus(row.portalId, row.provider, 'connected', at)
        readableAgain.push({ portalId: row.portalId, provider: row.provider })
      } else {
        unreadable.push({ portalId: row.portalId, provider: row.provider })
      }
      continue
    }
    const keyId = keyIdOf(row.encryptedKey)
    const group = byKeyId.get(keyId)
    if (group === undefined) byKeyId.set(keyId, [row])
    else group.push(row)
  }
  for (const group of byKeyId.values()) {
    // The first, middle and last ciphertext: stored under one key id years apart, they agree unless the key changed.
    const samples = [...new Set([0, Math.floor(group.length / 2), group.length - 1])].map(index => group[index]!)
    if (samples.every(row => canDecrypt(keyring, row))) continue
    for (const row of group) {
      if (canDecrypt(keyring, row)) continue
      unreadable.push({ portalId: row.portalId, provider: row.provider })
      await connections.setStatus(row.portalId, row.provider, 'key_unreadable', at)
    }
  }

  if (unreadable.length > 0) {
    const named = unreadable.slice(0, NAMED_IN_MESSAGE).map(connection => `portal ${connection.portalId} ${connection.provider}`).join(', ')
    const more = unreadable.length > NAMED_IN_MESSAGE ? ` and ${unreadable.length - NAMED_IN_MESSAGE} more` : ''
    log.error({ connections: unreadable },
      `${unreadable.length} stored provider key(s) cannot be decrypted (${named}${more}): ENCRYPTION_KEYS does not hold the key they were encrypted with. ` +
      'They are marked key_unreadable and their executions fail with KEY_UNREADABLE until that key is back in ENCRYPTION_KEYS ' +
      '(a key that was set as ENCRYPTION_KEY keeps the id "default": list it as default:<key>) or the providers are connected again.')
  }
  if (readableAgain.length > 0) {
    log.info({ connections: readableAgain }, `${readableAgain.length} stored provider key(s) can be decrypted again; their connections are connected again`)
  }
  return { unreadable, readableAgain }
}

/** The key id a ciphertext names (`v1.<keyId>.…`); anything unparsable gets its own group and fails its check. */
function keyIdOf (ciphertext: string): string {
  const parts = ciphertext.split('.', 3)
  return parts.length === 3 ? parts[1]! : `\u0000unparsable:${ciphertext.length}`
}

function canDecrypt (keyring: Keyring, stored: StoredConnectionKey): boolean {
  try {
    decryptConnectionKey(keyring, stored)
    return true
  } catch (error) {
    if (error instanceof KeyringError) return false
    throw error
  }
}
