import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { connectDatabase, redactedUrl, type DatabaseHandle } from '../db/database.ts'
import { createRepositories, type Repositories } from '../db/repositories/index.ts'

declare module 'fastify' {
  interface FastifyInstance {
    database: DatabaseHandle
    repositories: Repositories
  }
}

export interface DatabaseOptions {
  /** Sees every SQL statement run, as SQLite expands it (a test seam: never set in production). */
  readonly trace?: (statement: string) => void
}

/** Opens the database named by DATABASE_URL, applies migrations, and closes it after in-flight requests finish. */
async function database (fastify: FastifyInstance, options: DatabaseOptions): Promise<void> {
  const url = fastify.config.databaseUrl
  let handle: DatabaseHandle
  try {
    handle = await connectDatabase(url, { poolSize: fastify.config.databasePoolSize, ...(options.trace === undefined ? {} : { trace: options.trace }) })
  } catch (error) {
    // One line naming the setting, without the password and without the driver's stack.
    const reason = String((error as Error).message).split('\n')[0]
    throw new Error(`DATABASE_URL: could not open ${redactedUrl(url)} (${reason})`, { cause: error })
  }
  fastify.decorate('database', handle)
  fastify.decorate('repositories', createRepositories(handle.driver, { instanceId: fastify.config.instanceId }))
  fastify.addHook('onClose', async () => { await handle.close() })
}

export default fp(database, { name: 'database', dependencies: ['config'], fastify: '5.x' })
