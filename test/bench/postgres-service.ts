import { join } from 'node:path'
import { startCluster } from '../helpers/postgres-cluster.ts'
import { ownTeardown } from './cleanup.ts'
import type { Child } from './processes.ts'
import { connectOpenAI, startService } from './service-setup.ts'

/**
 * The service again, on a throwaway PostgreSQL cluster of its own (Debian's binaries, as the tests use) instead of
 * SQLite, so the table shows what the database costs per execution: `count` instances on one database, each with
 * its own INSTANCE_ID, the first named `name` and the others `name-2`…. Answers undefined, after saying why in one
 * line, where PostgreSQL is not installed: the rest of the benchmark does not need it.
 */
export async function startPostgresServices (name: string, count: number, runFolder: string, stubOrigin: string, log: (line: string) => void): Promise<Child[] | undefined> {
  let cluster
  try {
    cluster = await startCluster()
  } catch (error) {
    log(`no ${name} targets and no scaling table: ${(error as Error).message}`)
    return undefined
  }
  const started = cluster
  ownTeardown(() => started.destroy())
  const databaseUrl = await cluster.createDatabase('bench')
  const services = await Promise.all(Array.from({ length: count }, async (_, index) => {
    const instance = index + 1
    const { service } = await startService(instance === 1 ? name : `${name}-${instance}`, runFolder, join(runFolder, `data-postgres-${instance}`), stubOrigin, {
      environment: { DATABASE_URL: databaseUrl, INSTANCE_ID: `instance-${instance}`, TRUST_PROXY: '127.0.0.1' }
    })
    return service
  }))
  // One database: a portal connected through one instance is connected for all.
  await connectOpenAI(services[0]!, 1)
  log(`${name}: ${count} instance(s) on PostgreSQL at 127.0.0.1:${cluster.port}, pool of 10 each (the default)`)
  return services
}
