/**
 * Associated data that binds each stored ciphertext to its row: decrypting it anywhere else fails. Changing one of
 * these strings makes existing ciphertexts unreadable, so they are part of the storage format.
 */
export function connectionKeyContext (portalId: number, provider: string): string {
  return `portal:${portalId}/provider:${provider}`
}

export function oauthTokenContext (portalId: number, kind: 'access' | 'refresh'): string {
  return `portal:${portalId}/hubspot-oauth:${kind}`
}

/** One stored secret, for `rekey`: its ciphertext and the binding it was encrypted under. */
export interface StoredSecret {
  readonly ciphertext: string
  readonly context: string
}
