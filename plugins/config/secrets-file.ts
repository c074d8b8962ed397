import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { makePrivateDirectory } from '../../db/private-files.ts'
import { parseKeyring } from '../keyring/keyring.ts'

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
  if (existsSync(file)) return { secrets: readSecrets(file), file, created: false }
  makePrivateDirectory(dataDir)
  const secrets = { ENCRYPTION_KEY: randomBytes(32).toString('base64'), ADMIN_TOKEN: randomBytes(24).toString('base64url') }
  writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600, flag: 'wx' })
  chmodSync(file, 0o600)
  return { secrets, file, created: true }
}

/**
 * Reads and checks an existing secrets file. Errors name the file and the problem only: the parser's own message
 * quotes the text around the fault, which in this file is the encryption key.
 */
function readSecrets (file: string): GeneratedSecrets {
  const restore = 'restore it from a backup (secrets encrypted under it cannot be read without it)'
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error
    throw new Error(`${file} is not valid JSON; ${restore}`)
  }
  const secrets = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Partial<Record<keyof GeneratedSecrets, unknown>>
  if (typeof secrets.ENCRYPTION_KEY !== 'string' || typeof secrets.ADMIN_TOKEN !== 'string') {
    throw new Error(`${file} is missing ENCRYPTION_KEY or ADMIN_TOKEN; ${restore}`)
  }
  try {
    // The keyring's own rule, so the file and the ENCRYPTION_KEY setting can never disagree on what a key is.
    parseKeyring({ ENCRYPTION_KEY: secrets.ENCRYPTION_KEY })
  } catch {
    throw new Error(`${file}: ENCRYPTION_KEY in it is not base64 of 32 bytes; ${restore}`)
  }
  return { ENCRYPTION_KEY: secrets.ENCRYPTION_KEY, ADMIN_TOKEN: secrets.ADMIN_TOKEN }
}
