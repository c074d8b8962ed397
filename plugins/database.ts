import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { openDatabase, sqliteFileFromUrl, type DatabaseHandle } from '../db/database.ts'
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
  const handle = openDatabase(sqliteFileFromUrl(fastify.config.databaseUrl), options.trace === undefined ? {} : { trace: options.trace })
  fastify.decorate('database', handle)
  fastify.decorate('repositories', createRepositories(handle.db))
  fastify.addHook('onClose', async () => { handle.close() })
}

export default fp(database, { name: 'database', dependencies: ['config'], fastify: '5.x' })
