import type { CliIo } from './print-definitions.ts'
import { runOnServiceInstance } from './service-instance.ts'

export const REKEY_USAGE = `Usage: llm-actions rekey

Re-encrypts every stored secret (provider keys, HubSpot OAuth tokens) under the primary encryption key: the
first entry of ENCRYPTION_KEYS. Run it after adding a new key in front, then remove the old key from the list.
Safe to re-run: secrets already under the primary key are left alone.
`

/** Rewrites each ciphertext not under the primary key; all in one transaction, so a failure changes nothing. */
export async function run (argv: string[], io: CliIo): Promise<number> {
  return await runOnServiceInstance(argv, io, REKEY_USAGE, 'nothing was changed', async ({ keyring, repositories }) => {
    const counts = { rewritten: 0, current: 0 }
    counts.rewritten = await repositories.reencryptSecrets(secret => {
      if (!keyring.needsRekey(secret.ciphertext)) { counts.current++; return secret.ciphertext }
      return keyring.encrypt(keyring.decrypt(secret.ciphertext, secret.context), secret.context)
    })
    return `rekey: ${counts.rewritten} secret(s) re-encrypted under key "${keyring.primaryKeyId}", ${counts.current} already current\n`
  })
}
