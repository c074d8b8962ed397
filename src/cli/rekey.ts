import type { CliIo } from './print-definitions.ts'
import { openServiceInstance } from './service-instance.ts'

export const REKEY_USAGE = `Usage: llm-actions rekey

Re-encrypts every stored secret (provider keys, HubSpot OAuth tokens) under the primary encryption key: the
first entry of ENCRYPTION_KEYS. Run it after adding a new key in front, then remove the old key from the list.
Safe to re-run: secrets already under the primary key are left alone.
`

/** Rewrites each ciphertext not under the primary key; all in one transaction, so a failure changes nothing. */
export async function run (argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(REKEY_USAGE)
    return 0
  }
  let instance
  try {
    instance = await openServiceInstance(io.env)
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n`)
    return 2
  }
  try {
    const { keyring, repositories } = instance
    const counts = { rewritten: 0, current: 0 }
    counts.rewritten = await repositories.reencryptSecrets(secret => {
      if (!keyring.needsRekey(secret.ciphertext)) { counts.current++; return secret.ciphertext }
      return keyring.encrypt(keyring.decrypt(secret.ciphertext, secret.context), secret.context)
    })
    io.stdout(`rekey: ${counts.rewritten} secret(s) re-encrypted under key "${keyring.primaryKeyId}", ${counts.current} already current\n`)
    return 0
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}; nothing was changed\n`)
    return 1
  } finally {
    await instance.close()
  }
}
