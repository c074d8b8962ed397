import type { CliIo } from './print-definitions.ts'
import { openServiceInstance } from './service-instance.ts'
import { redactedUrl } from '../../db/database.ts'

export const MIGRATE_USAGE = `Usage: llm-actions migrate

Applies pending database migrations to DATABASE_URL (the server also does this at start) and reports the result.
`

export async function run (argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(MIGRATE_USAGE)
    return 0
  }
  try {
    const instance = await openServiceInstance(io.env)
    const ready = await instance.database.unavailableReason() === undefined
    io.stdout(`migrate: ${ready ? 'database is up to date' : 'migrations incomplete'} (${redactedUrl(instance.config.databaseUrl)})\n`)
    await instance.close()
    return ready ? 0 : 1
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n`)
    return 2
  }
}
