import { join } from 'node:path'
import { startCluster } from '../helpers/postgres-cluster.ts'
import { ownTeardown } from './cleanup.ts'
import type { Child } from './processes.ts'
import { connectOpenAI, startService } from './service-setup.ts'

/**
 * The service again, on a throwaway PostgreSQL cluster of its own (Debian's binaries, as the tests use) instead of
 * SQLite, so the table shows what the database costs per execution. Answers undefined, after saying why, where
 * PostgreSQL is not installed: the rest of the benchmark does not need it.
 */
export async function startPostgresService (name: string, runFolder: string, stubOrigin: string, log: (line: string) => void): Promise<Child | undefined> {
  let cluster
  try {
    cluster = await startCluster()
  } catch (error) {
    log(`no ${name} target: ${(error as Error).message}`)
    return undefined
  }
  const started = cluster
  ownTeardown(() => started.destroy())
  const databaseUrl = await cluster.createDatabase('bench')
  const { service } = await startService(name, runFolder, join(runFolder, 'data-postgres'), stubOrigin, { environment: { DATABASE_URL: databaseUrl } })
  await connectOpenAI(service, 1)
  log(`${name}: PostgreSQL on 127.0.0.1:${cluster.port}, pool of 10 (the default)`)
  return service
}
