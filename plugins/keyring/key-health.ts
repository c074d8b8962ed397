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
 * Test-decrypts every stored provider key, so that an instance restarted with the wrong ENCRYPTION_KEYS says so
 * once at boot (and in the connection list) instead of failing each execution with a puzzle. Unreadable
 * connections become `key_unreadable`; ones that were and now decrypt become `connected` again.
 */
export function checkStoredKeys (
  collaborators: { readonly connections: ConnectionsRepository, readonly keyring: Keyring, readonly clock: () => number, readonly log: Pick<Logger, 'info' | 'error'> }
): { unreadable: ConnectionName[], readableAgain: ConnectionName[] } {
  const { connections, keyring, clock, log } = collaborators
  const unreadable: ConnectionName[] = []
  const readableAgain: ConnectionName[] = []
  const at = clock()
  for (const stored of connections.allCiphertexts()) {
    const name = { portalId: stored.portalId, provider: stored.provider }
    const wasUnreadable = connections.find(stored.portalId, stored.provider)?.status === 'key_unreadable'
    if (canDecrypt(keyring, stored)) {
      if (wasUnreadable) {
        connections.setStatus(stored.portalId, stored.provider, 'connected', at)
        readableAgain.push(name)
      }
      continue
    }
    unreadable.push(name)
    if (!wasUnreadable) connections.setStatus(stored.portalId, stored.provider, 'key_unreadable', at)
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

function canDecrypt (keyring: Keyring, stored: StoredConnectionKey): boolean {
  try {
    decryptConnectionKey(keyring, stored)
    return true
  } catch (error) {
    if (error instanceof KeyringError) return false
    throw error
  }
}
