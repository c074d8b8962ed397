import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface GeneratedSecrets {
  readonly ENCRYPTION_KEY: string
  readonly ADMIN_TOKEN: string
}

/**
 * Reads `DATA_DIR/secrets.json`, creating it (mode 0600) with fresh random values on first start. Only consulted
 * for the settings the operator left unset, so explicit settings always win.
 */
export function loadOrCreateSecrets (dataDir: string): { secrets: GeneratedSecrets, file: string, created: boolean } {
  const file = join(dataDir, 'secrets.json')
  if (existsSync(file)) {
    const secrets = JSON.parse(readFileSync(file, 'utf8')) as Partial<GeneratedSecrets>
    if (typeof secrets.ENCRYPTION_KEY !== 'string' || typeof secrets.ADMIN_TOKEN !== 'string') {
      throw new Error(`${file} is missing ENCRYPTION_KEY or ADMIN_TOKEN; restore it from a backup (secrets encrypted under it cannot be read without it)`)
    }
    return { secrets: { ENCRYPTION_KEY: secrets.ENCRYPTION_KEY, ADMIN_TOKEN: secrets.ADMIN_TOKEN }, file, created: false }
  }
  mkdirSync(dataDir, { recursive: true })
  const secrets = { ENCRYPTION_KEY: randomBytes(32).toString('base64'), ADMIN_TOKEN: randomBytes(24).toString('base64url') }
  writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600, flag: 'wx' })
  chmodSync(file, 0o600)
  return { secrets, file, created: true }
}
